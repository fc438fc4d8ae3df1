import type { HostResult } from '../contracts/results.ts';

/**
 * When a rolling run stops early. Ansible's play keywords, with one deliberate difference:
 * unreachable hosts count as failures everywhere. Ansible's max_fail_percentage counts only
 * `_failed_hosts` and leaves unreachable ones out (linear strategy; ansible/ansible#18782,
 * #7686, #56265), so a batch whose devices are all down could sail on to the next batch.
 */
export interface FailurePolicy {
  /**
   * Ansible's max_fail_percentage, per batch: the run stops when the failed or unreachable
   * hosts of the current batch are MORE than this share of that batch's size ("exceeded, not
   * equaled": with 4 hosts per batch, 49 stops at 2 failures, 50 does not). Ansible's
   * linear strategy tests `len(failed_hosts) / iterator.batch_size > max_fail_percentage / 100`;
   * its docs: "applies to each batch when you use it with serial".
   */
  readonly maxFailPercentage?: number;
  /** Ansible's any_errors_fatal: one failed or unreachable host stops the run. */
  readonly anyErrorsFatal?: boolean;
}

/** What the policy reads of a finished host: a run keeps no more than this of each host in memory. */
export type FinishedHost = Pick<HostResult, 'host' | 'status'>;

/** Failed and unreachable both mean the change did not land; a `require` skip is not a failure. */
export function isFailure(r: FinishedHost): boolean {
  return r.status === 'failed' || r.status === 'unreachable';
}

export function checkPolicy(policy: FailurePolicy): void {
  const p = policy.maxFailPercentage;
  if (p !== undefined && !(Number.isFinite(p) && p >= 0 && p <= 100)) throw new RangeError(`maxFailPercentage: ${p} is not a percentage from 0 to 100`);
}

/**
 * True once the batch's results so far already break the policy. Failures only accumulate,
 * so the batch is bound to end over budget: no further host of it should start.
 */
export function overBudget(policy: FailurePolicy, finished: readonly FinishedHost[], batchSize: number): boolean {
  // Asked before each host starts: without a policy, reading every result so far made a 5000-host batch quadratic.
  if (!policy.anyErrorsFatal && policy.maxFailPercentage === undefined) return false;
  const failed = finished.filter(isFailure).length;
  if (policy.anyErrorsFatal && failed > 0) return true;
  // Integer arithmetic: 3 of 10 against 30% must not be "exceeded" by a float rounding.
  return policy.maxFailPercentage !== undefined && failed * 100 > policy.maxFailPercentage * batchSize;
}

/**
 * Why the run stops after batch `index` (1-based), or undefined to go on. `finished` are the
 * results of the batch's hosts that ran; `batchSize` counts all its hosts, run or not.
 * Besides the two keywords, Ansible always ends a play whose whole batch failed
 * (PlaybookExecutor.run: "we only break out if the entire batch failed"), which is what makes
 * a first batch of one a canary; that rule only matters when batches are left to run.
 */
export function stopReason(policy: FailurePolicy, finished: readonly FinishedHost[], batchSize: number, index: number, batchesLeft: boolean): string | undefined {
  const failed = finished.filter(isFailure);
  const n = failed.length;
  if (n === 0) return undefined;
  const who = `${n} of ${batchSize} host${batchSize === 1 ? '' : 's'} in batch ${index} failed or ${n === 1 ? 'was' : 'were'} unreachable`;
  if (policy.anyErrorsFatal) return `any_errors_fatal: ${who} (${failed.map((r) => r.host).join(', ')})`;
  if (policy.maxFailPercentage !== undefined && n * 100 > policy.maxFailPercentage * batchSize) return `max_fail_percentage ${policy.maxFailPercentage}% exceeded: ${who}`;
  if (batchesLeft && n === batchSize) return `whole batch failed: ${who}`;
  return undefined;
}
