import type { SingleCheck } from '../playbook/types.ts';
import { keyText } from './describe.ts';
import { itemFigures, keptItems, numeric, sameValue, shown, singleItems, valuesOf, type Item } from './items.ts';
import type { CheckRecord, CheckResult, CheckValue, ItemFailure } from './types.ts';

/**
 * A single-snapshot operator over one table: every item must pass. An empty table fails
 * ("no items": the check proved nothing) unless the check allows it; not-exists passes
 * on an empty table, having nothing to find.
 */
export function runSingle(check: SingleCheck, records: readonly CheckRecord[], phase: 'pre' | 'post'): CheckResult {
  const field = check.field ?? '';
  const items = singleItems(records, check.key, check.field);
  const base = { name: check.name, op: check.op, table: check.table, ...(check.field !== undefined ? { field } : {}), key: check.key, phase, checked: items.length };
  if (items.length === 0 && check.op !== 'not-exists' && !check.allowEmpty) {
    return { ...base, passed: false, reason: `table '${check.table}' has no items in the ${phase} snapshot`, failures: [], items: [] };
  }
  const failures = check.op === 'all-same' ? allSame(items, field, phase) : items.flatMap((item) => itemFailure(check, item, field, phase) ?? []);
  const figures = items.map((item) => (check.field === undefined ? { key: item.key } : itemFigures(item.key, phase === 'pre' ? valuesOf(item, field) : undefined, phase === 'post' ? valuesOf(item, field) : undefined)));
  return { ...base, passed: failures.length === 0, failures, ...keptItems(figures) };
}

/** Why one item fails the check, or undefined when it passes. */
function itemFailure(check: SingleCheck, item: Item, field: string, phase: 'pre' | 'post'): ItemFailure | undefined {
  const [value = null] = valuesOf(item, field);
  const fail = (reason: string, extra: Partial<ItemFailure> = {}): ItemFailure => ({ key: item.key, [phase]: value, ...extra, reason });
  if (check.op === 'exists') return value === null ? fail(`${field} has no value`) : undefined;
  if (check.op === 'not-exists') return value === null ? undefined : fail(`${field} has a value (${String(value)})`);
  if (value === null) return fail(`${field} has no value`);
  if (check.op === 'is-equal') return sameValue(value, check.value) ? undefined : fail(`${field} is ${String(value)}, not ${String(check.value)}`);
  if (check.op === 'not-equal') return sameValue(value, check.value) ? fail(`${field} is ${String(value)}`) : undefined;
  const n = numeric(value);
  if (n === undefined) return fail(`${field} is not a number (${JSON.stringify(value)})`);
  switch (check.op) {
    case 'in-range':
      return n >= check.min && n <= check.max ? undefined : fail(`${field} ${n} is outside ${check.min}..${check.max}`, { allowed: { min: check.min, max: check.max } });
    case 'is-gt':
      return n > check.value ? undefined : fail(`${field} ${n} is not greater than ${check.value}`);
    case 'is-lt':
      return n < check.value ? undefined : fail(`${field} ${n} is not less than ${check.value}`);
  }
  return undefined;
}

/** all-same: every item holds the first item's value (as JSNAPy, the first is the reference). */
function allSame(items: readonly Item[], field: string, phase: 'pre' | 'post'): ItemFailure[] {
  const first = items[0];
  if (!first) return [];
  const reference: CheckValue = valuesOf(first, field)[0] ?? null;
  return items.slice(1).flatMap((item) => {
    const values = valuesOf(item, field);
    const value = values[0] ?? null;
    if (sameValue(value, reference)) return [];
    return [{ key: item.key, [phase]: shown(values), reason: `${field} is ${String(value)}, the first item (${keyText(first.key)}) has ${String(reference)}` }];
  });
}
