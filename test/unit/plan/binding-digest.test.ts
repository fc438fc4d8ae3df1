import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bindingDifferences, inventoryBinding } from '../../../src/plan/binding.ts';
import { canonicalJson, planDigest } from '../../../src/plan/digest.ts';
import { threeHostPlan } from './builders.ts';

const target = (host: string, address = '192.0.2.1', port = 830, user = 'netops') => ({ host, address, port, user });

describe('inventoryBinding and bindingDifferences', () => {
  const reviewed = inventoryBinding(['b', 'a', 'c'], [target('a'), target('b', '192.0.2.2')]);

  it('finds the same inventory the same, whatever the order of its file', () => {
    assert.deepEqual(bindingDifferences(reviewed, inventoryBinding(['c', 'b', 'a'], [target('a'), target('b', '192.0.2.2')])), []);
  });

  it('names a target reached another way, one gone, one added, and inventory hosts gained or lost', () => {
    const now = inventoryBinding(['a', 'c', 'd', 'e'], [target('a', '198.51.100.1'), target('d')]);
    assert.deepEqual(bindingDifferences(reviewed, now), [
      '"a" was netops@192.0.2.1:830 when reviewed, and is netops@198.51.100.1:830 now',
      '"b" was targeted when reviewed (netops@192.0.2.2:830) and is not now',
      '"d" (netops@192.0.2.1:830) is targeted now and was not reviewed',
      'the inventory now also has "e"',
    ]);
  });

  it('finds another port or user a difference too, and a binding edited by hand', () => {
    assert.equal(bindingDifferences(reviewed, inventoryBinding(['a', 'b', 'c'], [target('a', '192.0.2.1', 22), target('b', '192.0.2.2')])).length, 1);
    assert.equal(bindingDifferences(reviewed, inventoryBinding(['a', 'b', 'c'], [target('a', '192.0.2.1', 830, 'root'), target('b', '192.0.2.2')])).length, 1);
    const edited = { ...reviewed, connections: [target('a'), target('b', '192.0.2.9')] };
    assert.match(bindingDifferences(edited, inventoryBinding(['a', 'b', 'c'], [target('a'), target('b', '192.0.2.9')]))[0]!, /edited after it was made/);
  });
});

describe('canonicalJson and planDigest', () => {
  it('gives the same bytes whatever the key order, and drops undefined as JSON does', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: undefined, e: 'x' }] }), '{"a":[{"d":2,"e":"x"}],"b":1}');
    assert.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
  });

  it('hashes everything but the digest: a plan read back gives the digest it was written with', () => {
    const plan = threeHostPlan();
    assert.equal(planDigest(JSON.parse(JSON.stringify(plan))), plan.digest);
    assert.notEqual(planDigest({ ...plan, createdAt: '2025-01-15T09:30:00.000Z' }), plan.digest);
  });
});
