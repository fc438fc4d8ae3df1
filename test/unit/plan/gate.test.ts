import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PlannedAction } from '../../../src/contracts/results.ts';
import type { PlannedHost } from '../../../src/plan/artifact.ts';
import { reviewedGate } from '../../../src/plan/gate.ts';
import { changedHost, clearsFor, ikeClear } from './builders.ts';

const clears = clearsFor([
  { peer: '4.0.0.2', indexes: [5, 6] },
  { peer: '4.0.0.7', indexes: [9] },
]);
const reviewed: PlannedHost = { ...changedHost(), actions: clears };

const statement = (text: string): PlannedAction => ({ rpc: 'load-configuration', args: {}, cli: text, changesState: true, config: text });
const ageout = statement('set security flow aging early-ageout 20');
const high = statement('set security flow aging high-watermark 90');
const DIFF = '[edit security flow aging]\n+   early-ageout 20;\n+   high-watermark 90;';
const withConfig: PlannedHost = { ...reviewed, actions: [ageout, high], config: { diff: DIFF, result: 'checked' } };

describe('reviewedGate: apply --plan acts only where the fresh plan is the reviewed one', () => {
  it('acts on the same plan, with no diff to hold a configuration change to', () => {
    assert.deepEqual(reviewedGate(reviewed, [...clears], false), { act: true, actions: clears });
  });

  it('acts on a subset only when the playbook allows it, saying what is missing when it does not', () => {
    const fewer = clears.slice(0, 4);
    assert.deepEqual(reviewedGate(reviewed, fewer, true), { act: true, actions: fewer });
    const refused = reviewedGate(reviewed, fewer, false);
    assert.equal(refused.act, false);
    assert.equal(refused.act ? '' : refused.reason, 'drifted since the plan was reviewed: 1 of the 5 reviewed actions are no longer in the fresh plan, and a smaller plan is not allowed here');
    assert.deepEqual(refused.act ? [] : refused.lines, ['- clear security ipsec security-associations index 9']);
  });

  it('refuses a drifted plan with the difference as diff lines, subset allowed or not', () => {
    const drifted = [...clears.slice(0, 4), ikeClear('4.0.0.9')];
    const verdict = reviewedGate(reviewed, drifted, true);
    assert.deepEqual(verdict, {
      act: false,
      reason: 'drifted since the plan was reviewed: the fresh plan has 1 action the review did not see (clear security ike security-associations 4.0.0.9) and 1 of the 5 reviewed actions gone (clear security ipsec security-associations index 9)',
      lines: ['- clear security ipsec security-associations index 9', '+ clear security ike security-associations 4.0.0.9'],
    });
  });

  it('acts on the reviewed configuration statements, holding the change to the reviewed diff', () => {
    assert.deepEqual(reviewedGate(withConfig, [ageout, high], false), { act: true, actions: [ageout, high], configDiff: DIFF });
  });

  it('refuses configuration statements that are not the whole reviewed set, even where a subset is allowed', () => {
    assert.deepEqual(reviewedGate(withConfig, [ageout], true), {
      act: false,
      reason: 'drifted since the plan was reviewed: the configuration statements are not all the reviewed ones',
      lines: ['- set security flow aging high-watermark 90'],
    });
  });

  it('refuses reviewed configuration statements that came without a diff from the device', () => {
    const noDiff: PlannedHost = { ...reviewed, actions: [ageout] };
    assert.deepEqual(reviewedGate(noDiff, [ageout], false), { act: false, reason: 'the reviewed plan has configuration statements but no diff from the device: plan again', lines: [] });
  });

  it('refuses a host the reviewed plan does not have, whatever its fresh plan', () => {
    const expected = { act: false, reason: 'not in the reviewed plan (it was not planned when the plan was made)', lines: [] };
    assert.deepEqual(reviewedGate(null, clears, true), expected);
    assert.deepEqual(reviewedGate(null, [], true), expected);
  });
});
