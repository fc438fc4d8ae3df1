import { COUNT_FIELD, type CompareCheck, type DeltaBound } from '../playbook/types.ts';
import { groupByKey, itemFigures, keptItems, numeric, sameValue, shown, valuesOf, type Item } from './items.ts';
import type { CheckItem, CheckRecord, CheckResult, CheckValue, ItemFailure } from './types.ts';

/**
 * A two-snapshot operator: items are matched across pre and post by their key.
 * no-diff and delta need every key on both sides; list-not-less needs pre's keys (and
 * their values of the field) in post, list-not-more post's in pre.
 */
export function runCompare(check: CompareCheck, pre: readonly CheckRecord[], post: readonly CheckRecord[]): CheckResult {
  const before = groupByKey(pre, check.key);
  const after = groupByKey(post, check.key);
  const ids = idsToCheck(check, before, after);
  const base = { name: check.name, op: check.op, table: check.table, ...(check.field !== undefined ? { field: check.field } : {}), key: check.key, phase: 'pre-post' as const, checked: ids.length };
  const vacuous = check.op === 'list-not-less' || check.op === 'list-not-more';
  // A table of no records has one key-less item for $count (its size, 0): that is something to compare.
  if (pre.length === 0 && post.length === 0 && !vacuous && !check.allowEmpty && check.key.length > 0) {
    return { ...base, passed: false, reason: `table '${check.table}' has no items in either snapshot`, failures: [], items: [] };
  }
  const failures = ids.flatMap((id) => itemFailure(check, before.get(id), after.get(id)) ?? []);
  const figures = ids.map((id) => compareFigures(check.field, before.get(id), after.get(id)));
  return { ...base, passed: failures.length === 0, failures, ...keptItems(figures) };
}

/** An item's figures on both sides, passed or not; a side without the key has none ($count: 0 records). */
function compareFigures(field: string | undefined, pre: Item | undefined, post: Item | undefined): CheckItem {
  const key = (pre ?? post)?.key ?? {};
  if (field === undefined) return { key };
  const side = (item: Item | undefined): CheckValue[] | undefined => (item ? valuesOf(item, field) : field === COUNT_FIELD ? [0] : undefined);
  return itemFigures(key, side(pre), side(post));
}

/** Keys in order: pre's then post's own (no-diff, delta); only one side's for the list operators. */
function idsToCheck(check: CompareCheck, before: Map<string, Item>, after: Map<string, Item>): string[] {
  if (check.op === 'list-not-less') return [...before.keys()];
  if (check.op === 'list-not-more') return [...after.keys()];
  if (check.key.length === 0) return [JSON.stringify([])];
  return [...new Set([...before.keys(), ...after.keys()])];
}

function itemFailure(check: CompareCheck, pre: Item | undefined, post: Item | undefined): ItemFailure | undefined {
  const field = check.field;
  const key = (pre ?? post)?.key ?? {};
  // $count counts a key missing on one side as 0 records (a peer whose sessions all went), as it does an empty table without a key.
  const counted = field === COUNT_FIELD;
  const values = (item: Item | undefined): CheckValue[] => (field === undefined ? [] : item ? valuesOf(item, field) : counted ? [0] : []);
  if (!counted && !post) return { key, ...(field ? { pre: shown(values(pre)) } : {}), reason: 'in pre, missing in post' };
  if (!counted && !pre) return { key, ...(field ? { post: shown(values(post)) } : {}), reason: 'in post, missing in pre' };
  if (field === undefined) return undefined;
  const a = values(pre);
  const b = values(post);
  switch (check.op) {
    case 'no-diff':
      return sameValues(a, b) ? undefined : { key, pre: shown(a), post: shown(b), reason: `${field} changed` };
    case 'delta':
      return deltaFailure(check.bound, field, key, a, b);
    case 'list-not-less':
      return listFailure(field, key, { name: 'pre', values: a }, { name: 'post', values: b });
    case 'list-not-more':
      return listFailure(field, key, { name: 'post', values: b }, { name: 'pre', values: a });
  }
}

/** The same values, whatever order the records came in. */
function sameValues(a: readonly CheckValue[], b: readonly CheckValue[]): boolean {
  if (a.length !== b.length) return false;
  const rest = [...b];
  return a.every((v) => {
    const i = rest.findIndex((w) => sameValue(v, w));
    return i >= 0 && rest.splice(i, 1).length === 1;
  });
}

/**
 * list-not-less with a field: each of the item's pre values is still there in post (as
 * JSNAPy); with $count, the item has at least as many records in post as in pre.
 * list-not-more is the same from post to pre.
 */
function listFailure(field: string, key: Item['key'], from: Side, to: Side): ItemFailure | undefined {
  const values = { [from.name]: shown(from.values), [to.name]: shown(to.values) };
  if (field === COUNT_FIELD) {
    const m = numeric(from.values[0] ?? null) ?? 0;
    const n = numeric(to.values[0] ?? null) ?? 0;
    if (n >= m) return undefined;
    return { key, ...values, delta: from.name === 'pre' ? n - m : m - n, reason: `${m} records in ${from.name}, ${n} in ${to.name}` };
  }
  const missing = [...new Set(from.values)].filter((v) => !to.values.some((w) => sameValue(v, w)));
  if (missing.length === 0) return undefined;
  return { key, ...values, reason: `${field} ${missing.map(String).join(', ')} in ${from.name}, missing in ${to.name}` };
}

interface Side {
  readonly name: 'pre' | 'post';
  readonly values: readonly CheckValue[];
}

/** delta: post within the bound around pre. A % of a zero baseline allows no change. */
function deltaFailure(bound: DeltaBound, field: string, key: Item['key'], a: CheckValue[], b: CheckValue[]): ItemFailure | undefined {
  const shownValues = { pre: shown(a), post: shown(b) };
  if (a.length !== 1 || b.length !== 1) {
    const side = a.length !== 1 ? `${a.length} records in pre` : `${b.length} records in post`;
    return { key, ...shownValues, reason: `${side} share this key: delta needs one value per key (a key that names one record, or field $count)` };
  }
  const pre = numeric(a[0] ?? null);
  const post = numeric(b[0] ?? null);
  if (pre === undefined || post === undefined) {
    const [which, value] = pre === undefined ? ['pre', a[0]] : ['post', b[0]];
    return { key, ...shownValues, reason: `${field} in ${which} is not a number (${JSON.stringify(value ?? null)})` };
  }
  const allowed = allowedRange(bound, pre);
  const delta = post - pre;
  const change = { delta, ...(pre !== 0 ? { deltaPercent: (delta / Math.abs(pre)) * 100 } : {}) };
  if (within(post, allowed)) return undefined;
  const zero = bound.percent && pre === 0 ? ' (a percentage of a zero baseline allows no change)' : '';
  return { key, pre, post, ...change, bound: bound.text, allowed, reason: `${field} ${pre} → ${post} (${signed(delta)}) is outside ${bound.text}: ${allowed.min}..${allowed.max}${zero}` };
}

/** The values post may take: `-x` from pre − x to pre, `+x` from pre to pre + x, `±x` around pre; a % is of |pre|. */
export function allowedRange(bound: DeltaBound, pre: number): { min: number; max: number } {
  const amount = bound.percent ? (Math.abs(pre) * bound.amount) / 100 : bound.amount;
  return { min: bound.direction === 'up' ? pre : pre - amount, max: bound.direction === 'down' ? pre : pre + amount };
}

/** Inclusive, with room for the rounding of a percentage (10% of 0.3). */
function within(n: number, range: { min: number; max: number }): boolean {
  const slack = 1e-9 * Math.max(1, Math.abs(range.min), Math.abs(range.max));
  return n >= range.min - slack && n <= range.max + slack;
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}
