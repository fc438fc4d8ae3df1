import type { Check, CompareCheck, SingleCheck } from '../playbook/types.ts';
import { runCompare } from './compare.ts';
import { runSingle } from './single.ts';
import type { CheckPhase, CheckResult, SnapshotTables } from './types.ts';

/**
 * The checks that read the pre snapshot alone (single-snapshot operators `on: pre` or
 * `both`): what a host run does before it acts.
 */
export function runPreChecks(checks: readonly Check[], pre: SnapshotTables): CheckResult[] {
  return singles(checks, 'pre').map((c) => withTable(c, 'pre', pre, (records) => runSingle(c, records, 'pre')));
}

/**
 * The checks that read the post snapshot: single-snapshot operators `on: post` or
 * `both`, then the operators that compare pre with post.
 */
export function runPostChecks(checks: readonly Check[], pre: SnapshotTables, post: SnapshotTables): CheckResult[] {
  const single = singles(checks, 'post').map((c) => withTable(c, 'post', post, (records) => runSingle(c, records, 'post')));
  const compared = checks
    .filter((c): c is CompareCheck => !('on' in c))
    .map((c) => withTable(c, 'pre', pre, (before) => withTable(c, 'post', post, (after) => runCompare(c, before, after), 'pre-post'), 'pre-post'));
  return [...single, ...compared];
}

/** Every check over two snapshots, as `runbook check --pre --post` runs them. */
export function runAllChecks(checks: readonly Check[], pre: SnapshotTables, post: SnapshotTables): CheckResult[] {
  return [...runPreChecks(checks, pre), ...runPostChecks(checks, pre, post)];
}

function singles(checks: readonly Check[], phase: 'pre' | 'post'): SingleCheck[] {
  return checks.filter((c): c is SingleCheck => 'on' in c && (c.on === phase || c.on === 'both'));
}

/** A table the snapshot lacks (its collect did not run) fails the check: it proved nothing. */
function withTable(check: Check, from: 'pre' | 'post', tables: SnapshotTables, run: (records: NonNullable<SnapshotTables[string]>) => CheckResult, phase: CheckPhase = from): CheckResult {
  const records = Object.hasOwn(tables, check.table) ? tables[check.table] : undefined;
  if (records) return run(records);
  return {
    name: check.name,
    op: check.op,
    table: check.table,
    ...(check.field !== undefined ? { field: check.field } : {}),
    key: check.key,
    phase,
    passed: false,
    checked: 0,
    reason: `table '${check.table}' is not in the ${from} snapshot (its collect step did not run)`,
    failures: [],
    items: [],
  };
}
