import { itemSentence } from '../../checks/describe.ts';
import type { CheckResult } from '../../checks/types.ts';
import { visible } from '../../plan/visible.ts';

/** One host's check results as lines: PASS/FAIL per check, then each failed item with its figures. */
export function checkLines(results: readonly CheckResult[]): string[] {
  return results.flatMap((r) => {
    const phase = r.phase === 'pre-post' ? 'pre → post' : r.phase;
    const head = `  ${r.passed ? 'PASS' : 'FAIL'}  ${visible(r.name)} (${phase})`;
    if (r.reason !== undefined) return [`${head}: ${visible(r.reason)}`];
    if (r.passed) return [`${head}: ${r.checked} ${r.checked === 1 ? 'item' : 'items'}`];
    return [`${head}: ${r.failures.length} of ${r.checked} ${r.checked === 1 ? 'item' : 'items'} failed`, ...r.failures.map((f) => `          ${visible(itemSentence(f))}`)];
  });
}
