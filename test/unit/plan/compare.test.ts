import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostStatus, PlannedAction } from '../../../src/contracts/results.ts';
import type { PlannedHost } from '../../../src/plan/artifact.ts';
import { actionKey, comparePlans, diffLines, type PlanComparison } from '../../../src/plan/compare.ts';
import { changedHost, clearsFor, ikeClear, ipsecClear } from './builders.ts';

const reviewed: PlannedHost = {
  ...changedHost(),
  actions: clearsFor([
    { peer: '4.0.0.2', indexes: [5, 6] },
    { peer: '4.0.0.7', indexes: [9] },
  ]),
};

const fresh = (actions: readonly PlannedAction[], status: HostStatus = 'changed') => ({ status, actions });
const strict = { allowSubset: false };
const lenient = { allowSubset: true };

function drifted(c: PlanComparison): Extract<PlanComparison, { verdict: 'drifted' }> {
  assert.equal(c.verdict, 'drifted');
  return c as Extract<PlanComparison, { verdict: 'drifted' }>;
}

describe('comparePlans', () => {
  it('finds the same plan the same, built afresh', () => {
    const again = clearsFor([
      { peer: '4.0.0.2', indexes: [5, 6] },
      { peer: '4.0.0.7', indexes: [9] },
    ]);
    assert.deepEqual(comparePlans(reviewed, fresh(again), strict), { verdict: 'same' });
    assert.deepEqual(diffLines({ verdict: 'same' }), []);
  });

  it('finds two empty plans the same, whatever the status', () => {
    const nothing: PlannedHost = { ...reviewed, status: 'skipped', actions: [] };
    assert.deepEqual(comparePlans(nothing, fresh([], 'ok'), strict), { verdict: 'same' });
  });

  it('accepts a subset with the order kept when allowed: a peer cleared itself', () => {
    const c = comparePlans(reviewed, fresh(clearsFor([{ peer: '4.0.0.2', indexes: [5, 6] }])), lenient);
    assert.deepEqual(c, { verdict: 'subset', missing: [ikeClear('4.0.0.7'), ipsecClear(9)] });
    assert.deepEqual(diffLines(c), ['- clear security ike security-associations 4.0.0.7', '- clear security ipsec security-associations index 9']);
  });

  it('accepts an empty fresh plan as a subset when allowed: every peer cleared itself', () => {
    assert.deepEqual(comparePlans(reviewed, fresh([], 'skipped'), lenient), { verdict: 'subset', missing: reviewed.actions });
  });

  it('refuses a subset when not allowed, saying why', () => {
    const c = drifted(comparePlans(reviewed, fresh(clearsFor([{ peer: '4.0.0.2', indexes: [5, 6] }])), strict));
    assert.deepEqual(c.added, []);
    assert.deepEqual(c.removed, [ikeClear('4.0.0.7'), ipsecClear(9)]);
    assert.equal(c.reordered, false);
    assert.equal(c.summary, '2 of the 5 reviewed actions are no longer in the fresh plan, and a smaller plan is not allowed here');
  });

  it('calls anything added drift, even when subsets are allowed', () => {
    const more = [...reviewed.actions, ikeClear('4.0.0.9')];
    const c = drifted(comparePlans(reviewed, fresh(more), lenient));
    assert.deepEqual(c.added, [ikeClear('4.0.0.9')]);
    assert.deepEqual(c.removed, []);
    assert.equal(c.summary, 'the fresh plan has 1 action the review did not see (clear security ike security-associations 4.0.0.9)');
    assert.deepEqual(diffLines(c), ['+ clear security ike security-associations 4.0.0.9']);
  });

  it('counts repeats: an action planned twice where it was reviewed once is added', () => {
    const twice = [...reviewed.actions.slice(0, 3), ipsecClear(6), ...reviewed.actions.slice(3)];
    const c = drifted(comparePlans(reviewed, fresh(twice), lenient));
    assert.deepEqual(c.added, [ipsecClear(6)]);
    assert.equal(c.reordered, false);
  });

  it('finds an action swapped for another as removed and added', () => {
    const swapped = clearsFor([
      { peer: '4.0.0.2', indexes: [5, 6] },
      { peer: '4.0.0.8', indexes: [9] },
    ]);
    const c = drifted(comparePlans(reviewed, fresh(swapped), lenient));
    assert.deepEqual(c.removed, [ikeClear('4.0.0.7')]);
    assert.deepEqual(c.added, [ikeClear('4.0.0.8')]);
    assert.equal(
      c.summary,
      'the fresh plan has 1 action the review did not see (clear security ike security-associations 4.0.0.8) and 1 of the 5 reviewed actions gone (clear security ike security-associations 4.0.0.7)',
    );
    assert.deepEqual(diffLines(c), ['- clear security ike security-associations 4.0.0.7', '+ clear security ike security-associations 4.0.0.8']);
  });

  it('finds the same actions in another order drifted, with no line added or removed', () => {
    const reordered = clearsFor([
      { peer: '4.0.0.7', indexes: [9] },
      { peer: '4.0.0.2', indexes: [5, 6] },
    ]);
    const c = drifted(comparePlans(reviewed, fresh(reordered), lenient));
    assert.deepEqual([c.added, c.removed, c.reordered], [[], [], true]);
    assert.equal(c.summary, 'the fresh plan has the reviewed actions in a different order');
    assert.deepEqual(diffLines(c), ['~ the actions both plans share are in a different order']);
  });

  it('finds a subset in another order drifted, not a subset', () => {
    const c = drifted(comparePlans(reviewed, fresh([ipsecClear(6), ikeClear('4.0.0.2'), ipsecClear(5)]), lenient));
    assert.equal(c.reordered, true);
    assert.equal(c.summary, 'the fresh plan has 2 of the 5 reviewed actions gone, and the rest in a different order');
  });

  it('finds changed arguments drifted', () => {
    const changed = reviewed.actions.map((a) => (a.args.index === '9' ? ipsecClear(10) : a));
    const c = drifted(comparePlans(reviewed, fresh(changed), lenient));
    assert.deepEqual(c.removed, [ipsecClear(9)]);
    assert.deepEqual(c.added, [ipsecClear(10)]);
    assert.deepEqual(diffLines(c), ['- clear security ipsec security-associations index 9', '+ clear security ipsec security-associations index 10']);
  });

  it('finds a changed CLI form drifted even when the RPC call is the same: the reviewer read the CLI', () => {
    const changed = reviewed.actions.map((a, i) => (i === 0 ? { ...a, cli: `${a.cli} ` } : a));
    assert.equal(comparePlans(reviewed, fresh(changed), lenient).verdict, 'drifted');
  });

  it('compares arguments by name and value, not by the order written', () => {
    const a: PlannedAction = { rpc: 'clear-flow-session', args: { protocol: 'ah', 'source-prefix': '4.0.0.2/32' }, cli: 'clear security flow session protocol ah source-prefix 4.0.0.2/32', changesState: true };
    const b: PlannedAction = { ...a, args: { 'source-prefix': '4.0.0.2/32', protocol: 'ah' } };
    assert.equal(actionKey(a), actionKey(b));
    assert.deepEqual(comparePlans({ ...reviewed, actions: [a] }, fresh([b]), strict), { verdict: 'same' });
  });

  it('never confirms a plan when no fresh plan could be made', () => {
    for (const status of ['failed', 'unreachable'] as const) {
      const c = drifted(comparePlans(reviewed, fresh([], status), lenient));
      assert.equal(c.summary, `no fresh plan to compare with the reviewed one: the host is ${status} now`);
    }
  });
});
