import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPolicy, overBudget, stopReason } from '../../../src/engine/failure-policy.ts';
import type { HostResult, HostStatus } from '../../../src/contracts/results.ts';

function result(host: string, status: HostStatus): HostResult {
  return { host, status, vars: {}, dryRun: true, evidence: {}, plan: [], actions: [], steps: [], log: [], startedAt: '2024-01-01T00:00:00.000Z', ms: 0 };
}
const batch = (...statuses: HostStatus[]) => statuses.map((s, i) => result(`h${i + 1}`, s));

describe('failure policy (pure)', () => {
  it('max_fail_percentage must be exceeded, not equaled, within the batch', () => {
    const twoOfFour = batch('ok', 'failed', 'failed', 'ok');
    assert.equal(stopReason({ maxFailPercentage: 50 }, twoOfFour, 4, 1, true), undefined);
    assert.equal(stopReason({ maxFailPercentage: 49 }, twoOfFour, 4, 1, true), 'max_fail_percentage 49% exceeded: 2 of 4 hosts in batch 1 failed or were unreachable');
    assert.equal(overBudget({ maxFailPercentage: 50 }, twoOfFour, 4), false);
    assert.equal(overBudget({ maxFailPercentage: 49 }, twoOfFour, 4), true);
    assert.equal(stopReason({ maxFailPercentage: 30 }, batch('failed', 'failed', 'failed', ...Array<HostStatus>(7).fill('ok')), 10, 3, true), undefined);
  });

  it('counts unreachable hosts as failures (unlike Ansible, ansible#18782)', () => {
    const r = batch('unreachable', 'ok', 'ok');
    assert.equal(overBudget({ maxFailPercentage: 0 }, r, 3), true);
    assert.equal(stopReason({ maxFailPercentage: 0 }, r, 3, 2, true), 'max_fail_percentage 0% exceeded: 1 of 3 hosts in batch 2 failed or was unreachable');
  });

  it('without a policy, never over budget and reads no result (it is asked before every host starts)', () => {
    let reads = 0;
    const counted = batch('failed', 'unreachable', 'ok').map((r) => Object.defineProperty({ ...r }, 'status', { get: () => (reads++, r.status) }));
    assert.equal(overBudget({}, counted, 3), false);
    assert.equal(reads, 0);
    assert.equal(overBudget({ maxFailPercentage: 50 }, counted, 3), true);
    assert.ok(reads > 0);
  });

  it('a require skip is not a failure', () => {
    assert.equal(overBudget({ maxFailPercentage: 0, anyErrorsFatal: true }, batch('skipped', 'changed'), 2), false);
    assert.equal(stopReason({ maxFailPercentage: 0, anyErrorsFatal: true }, batch('skipped', 'skipped'), 2, 1, true), undefined);
  });

  it('the share is of the whole batch, hosts not run yet included', () => {
    // One failure out of the first two run, in a batch of five: 20% is not exceeded.
    assert.equal(overBudget({ maxFailPercentage: 20 }, batch('failed', 'ok'), 5), false);
    assert.equal(overBudget({ maxFailPercentage: 20 }, batch('failed', 'ok', 'failed'), 5), true);
  });

  it('any_errors_fatal stops on one failure and names the hosts', () => {
    const r = batch('ok', 'unreachable', 'failed');
    assert.equal(overBudget({ anyErrorsFatal: true }, r, 3), true);
    assert.equal(stopReason({ anyErrorsFatal: true, maxFailPercentage: 0 }, r, 3, 1, false), 'any_errors_fatal: 2 of 3 hosts in batch 1 failed or were unreachable (h2, h3)');
  });

  it('a wholly failed batch stops the run when batches are left, whatever the keywords', () => {
    assert.equal(stopReason({}, batch('unreachable'), 1, 1, true), 'whole batch failed: 1 of 1 host in batch 1 failed or was unreachable');
    assert.equal(stopReason({}, batch('failed', 'unreachable'), 2, 3, false), undefined);
    assert.equal(stopReason({}, batch('failed', 'ok'), 2, 1, true), undefined);
    assert.equal(overBudget({}, batch('failed', 'failed'), 2), false);
  });

  it('refuses a percentage outside 0..100', () => {
    for (const p of [-1, 101, Number.NaN]) assert.throws(() => checkPolicy({ maxFailPercentage: p }), RangeError, String(p));
    checkPolicy({ maxFailPercentage: 0 });
    checkPolicy({ maxFailPercentage: 100 });
    checkPolicy({});
  });
});
