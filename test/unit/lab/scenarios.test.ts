import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScenarioError } from '../../../src/lab/errors.ts';
import { createDeviceState } from '../../../src/lab/device-state.ts';
import { resolveScenario, scenarioNames, validateScenarioSpec, type ScenarioOverrides } from '../../../src/lab/scenarios.ts';

describe('resolveScenario', () => {
  it('knows the required scenarios', () => {
    assert.deepEqual(scenarioNames(), ['one-peer', 'no-peer', 'three-peers', 'busy', 'cluster', 'large', 'full']);
  });

  it('rejects an unknown name, listing the known ones', () => {
    assert.throws(
      () => resolveScenario('nope'),
      (e: unknown) => e instanceof ScenarioError && e.scenario === 'nope' && /one-peer, no-peer, three-peers, busy, cluster, large/.test(e.message),
    );
  });

  const bad: [string, ScenarioOverrides | Record<string, unknown>, RegExp][] = [
    ['negative sessions', { ahSessions: -1 }, /ahSessions: must be an integer from 0/],
    ['fractional peers', { peers: 2.5 }, /peers: must be an integer from 1/],
    ['zero SPUs', { spus: 0 }, /spus: must be an integer from 1 to 64/],
    ['a string seed', { seed: '7' }, /seed: must be an integer .* not '7'/],
    ['a non-boolean cluster', { cluster: 'yes' }, /cluster: must be true or false/],
    ['an unknown key', { sessions: 5 }, /sessions: unknown override/],
    ['more sessions than 749 peers of at most 49 hold', { ahSessions: 1_000_000 }, /ahSessions: 1000000 AH sessions do not fit 750 peers here \(between 803 and 36755 do\)/],
    ['fewer sessions than peers', { ahSessions: 100 }, /do not fit/],
    ['fewer peers than pinned ones', { peers: 2 }, /peers/],
  ];
  for (const [what, overrides, message] of bad) {
    it(`rejects ${what}`, () => {
      const name = what.includes('pinned') ? 'three-peers' : 'one-peer';
      assert.throws(() => resolveScenario(name, overrides as ScenarioOverrides), (e: unknown) => e instanceof ScenarioError && message.test(e.message));
    });
  }

  it('applies overrides', () => {
    const s = resolveScenario('one-peer', { peers: 1000, ahSessions: 30000, spus: 2, cluster: true, seed: 5 });
    assert.equal(s.peers, 1000);
    assert.equal(s.ahSessions, 30000);
    assert.equal(s.spus, 2);
    assert.equal(s.cluster, true);
    assert.equal(s.seed, 5);
    assert.equal(s.pinnedPeers[0].address, '4.0.0.2');
  });

  it('scales large with its sessions: 1M sessions get more peers', () => {
    const s = resolveScenario('large', { ahSessions: 1_000_000 });
    assert.equal(s.peers, 5000);
    assert.equal(resolveScenario('large').ahSessions, 400_000);
    assert.equal(resolveScenario('large').spus, 4);
  });

  it('checks hand-made specs too', () => {
    const s = resolveScenario('no-peer');
    assert.throws(() => validateScenarioSpec({ ...s, model: 'srx9999' }), /unknown model 'srx9999'/);
    assert.throws(() => validateScenarioSpec({ ...s, junosVersion: 'latest' }), /not a Junos version/);
  });
});

describe('busy', () => {
  const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const devices = seeds.map((seed) => ({ seed, dev: createDeviceState(resolveScenario('busy', { seed })) }));

  it('varies by seed: 1-4 heavy peers of 1000-4000, the others below 1000, 150-300 peers', () => {
    const heavyCounts = new Set<number>();
    for (const { dev } of devices) {
      const counts = [...dev.ahSessionsByPeer().values()];
      const heavy = counts.filter((n) => n >= 1000);
      assert.ok(heavy.length >= 1 && heavy.length <= 4, `heavy ${heavy.length}`);
      assert.ok(heavy.every((n) => n <= 4000));
      assert.ok(counts.length >= 150 && counts.length <= 300);
      heavyCounts.add(heavy.length);
    }
    assert.ok(heavyCounts.size >= 2, 'the number of heavy peers varies with the seed');
  });

  it('is quiet (under 10000 AH sessions) on one seed in four, busy (12k-30k) on the others', () => {
    for (const { seed, dev } of devices) {
      const total = dev.spec.ahSessions;
      if (seed % 4 === 3) assert.ok(total < 10000, `seed ${seed}: ${total}`);
      else assert.ok(total >= 12000 && total <= 30000, `seed ${seed}: ${total}`);
    }
  });
});

describe('cluster and large', () => {
  it('cluster: two nodes of three SPUs, sessions on both, three heavy peers', () => {
    const dev = createDeviceState(resolveScenario('cluster'));
    assert.equal(dev.blocks.length, 6);
    const perNode = [0, 0];
    for (let row = 0; row < dev.sessions.size; row++) perNode[dev.sessions.node[row]]++;
    assert.ok(perNode[0] > 0 && perNode[1] > 0);
    assert.equal([...dev.ahSessionsByPeer().values()].filter((n) => n >= 1000).length, 3);
  });

  it('large: 400000 AH sessions on 4 SPUs', () => {
    const dev = createDeviceState(resolveScenario('large'));
    assert.equal(dev.blocks.length, 4);
    assert.equal([...dev.ahSessionsByPeer().values()].reduce((a, b) => a + b, 0), 400_000);
  });
});
