import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { createDeviceState } from '../../../src/lab/device-state.ts';
import { resolveScenario } from '../../../src/lab/scenarios.ts';
import { call, contentOf } from './lab-xml.ts';

const RPCS = [
  '<get-flow-session-information/>',
  '<get-flow-session-information><summary/></get-flow-session-information>',
  '<get-security-associations-information/>',
  '<get-ike-security-associations-information/>',
  '<get-software-information/>',
];

function digest(scenario: string, seed: number): string[] {
  const dev = createDeviceState(resolveScenario(scenario, { seed }), { hostName: 'lab-srx-01' });
  return RPCS.map((rpc) => {
    const h = createHash('sha256');
    for (const c of contentOf(call(dev, rpc))) h.update(c);
    return h.digest('hex');
  });
}

describe('determinism', () => {
  for (const scenario of ['no-peer', 'busy', 'cluster']) {
    it(`${scenario}: the same seed gives identical replies, another seed different ones`, () => {
      const a = digest(scenario, 11);
      assert.deepEqual(digest(scenario, 11), a);
      const b = digest(scenario, 12);
      assert.notEqual(b[0], a[0]);
      assert.notEqual(b[2], a[2]);
      assert.notEqual(b[3], a[3]);
      assert.equal(b[4], a[4], 'show version does not depend on the seed');
    });
  }

  it('renders the same reply again when read twice (replies are re-iterable)', () => {
    const dev = createDeviceState(resolveScenario('no-peer'));
    const reply = contentOf(call(dev, '<get-ike-security-associations-information/>'));
    assert.equal([...reply].join(''), [...reply].join(''));
  });
});
