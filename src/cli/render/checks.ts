import type { CheckResult, CheckValue, ItemFailure } from '../../checks/types.ts';
import { visible } from '../../plan/visible.ts';

/** One host's check results as lines: PASS/FAIL per check, then each failed item with its figures. */
export function checkLines(results: readonly CheckResult[]): string[] {
  return results.flatMap((r) => {
    const phase = r.phase === 'pre-post' ? 'pre → post' : r.phase;
    const head = `  ${r.passed ? 'PASS' : 'FAIL'}  ${visible(r.name)} (${phase})`;
    if (r.reason !== undefined) return [`${head}: ${visible(r.reason)}`];
    if (r.passed) return [`${head}: ${r.checked} ${r.checked === 1 ? 'item' : 'items'}`];
    return [`${head}: ${r.failures.length} of ${r.checked} ${r.checked === 1 ? 'item' : 'items'} failed`, ...r.failures.map((f) => `          ${visible(itemLine(f))}`)];
  });
}

function itemLine(f: ItemFailure): string {
  const key = Object.entries(f.key)
    .map(([k, v]) => `${k}=${show(v)}`)
    .join(' ');
  // delta's reason already says pre → post and the bound.
  const sides = f.bound === undefined ? (['pre', 'post'] as const).filter((s) => f[s] !== undefined).map((s) => `${s} ${showAll(f[s]!)}`) : [];
  return `${key || '(table)'}: ${f.reason}${sides.length > 0 ? ` [${sides.join(', ')}]` : ''}`;
}

function showAll(v: CheckValue | readonly CheckValue[]): string {
  return Array.isArray(v) ? `[${v.map(show).join(', ')}]` : show(v as CheckValue);
}

function show(v: CheckValue): string {
  return v === null ? 'null' : String(v);
}
