import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDeviceState, type DeviceState } from '../../../src/lab/device-state.ts';
import { resolveScenario } from '../../../src/lab/scenarios.ts';
import { SessionKind } from '../../../src/lab/session-table.ts';
import { ahCountsByPeer, call, contentOf, ranked, readFlowSessions, tunnelIndexesIn } from './lab-xml.ts';

/**
 * The numbers of the on-box script's sample runs (seeds/ah-clear-sa-op-script.md), read
 * back from the rendered replies the way the script reads them: AH sessions per source
 * address from `show security flow session protocol ah`, tunnel indexes from the SA list.
 */

function sample(name: string) {
  const dev = createDeviceState(resolveScenario(name), { hostName: 'srx1500-r2603' });
  const flows = readFlowSessions(contentOf(call(dev, '<get-flow-session-information><protocol>ah</protocol></get-flow-session-information>')));
  const counts = ahCountsByPeer(flows);
  const sas = () => contentOf(call(dev, '<get-security-associations-information/>'));
  return { flows, counts, sas };
}

const total = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);

/** The same counts straight from the session table, rows in reply order (cheaper than parsing 60 MB). */
function countsFromState(dev: DeviceState): Map<string, number> {
  const counts = new Map<string, number>();
  const t = dev.sessions;
  for (let row = 0; row < t.size; row++) {
    if (t.alive[row] === 0 || t.kind[row] !== SessionKind.ah) continue;
    const a = dev.peers[dev.tunnels[t.tunnel[row]].peerSlot].address;
    counts.set(a, (counts.get(a) ?? 0) + 1);
  }
  return counts;
}

const ONE_PEER_INDEXES = [
  67111733, 67111734, 67111735, 67111736, 67111737, 67111738, 67111739, 67111740, 67111741, 67111742, 67111724, 67111743, 67111725, 67111726, 67111730,
  67111731, 67111732,
];

describe('one-peer (first sample)', () => {
  it('has 21167 AH sessions, 750 peers, only 4.0.0.2 at 50+ with its 17 tunnels, read from the replies', () => {
    const { flows, counts, sas } = sample('one-peer');
    assert.equal(flows.sessions.length, 21167);
    assert.ok(flows.sessions.every((s) => s.protocol === 'ah'));
    assert.equal(total(counts), 21167);
    assert.equal(counts.size, 750);
    assert.deepEqual(ranked(counts).filter(([, n]) => n >= 50), [['4.0.0.2', 54]]);
    assert.deepEqual(tunnelIndexesIn(sas(), '4.0.0.2'), ONE_PEER_INDEXES);
  });

  it('keeps those numbers under other seeds', () => {
    for (const seed of [2, 7, 123456]) {
      const dev = createDeviceState(resolveScenario('one-peer', { seed }));
      const counts = countsFromState(dev);
      assert.equal(total(counts), 21167);
      assert.equal(counts.size, 750);
      assert.deepEqual(ranked(counts).filter(([, n]) => n >= 50), [['4.0.0.2', 54]]);
      assert.deepEqual(tunnelIndexesIn(contentOf(call(dev, '<get-security-associations-information/>')), '4.0.0.2'), ONE_PEER_INDEXES);
    }
  });

  it('has peers from 1.0.0.x to 4.0.0.x and Junos-style tunnel indexes', () => {
    const dev = createDeviceState(resolveScenario('one-peer'));
    assert.ok(dev.peers.every((p) => /^[1-4]\.0\.0\.\d+$/.test(p.address)));
    assert.ok(dev.tunnels.every((t) => t.index > 67108864 && t.index < 67108864 + 100_000));
  });
});

describe('no-peer (third sample)', () => {
  it('has 21043 AH sessions from 750 peers, none at 50+', () => {
    const { counts } = sample('no-peer');
    assert.equal(total(counts), 21043);
    assert.equal(counts.size, 750);
    assert.ok(Math.max(...counts.values()) < 50);
  });
});

function checkThreePeers(counts: Map<string, number>, sas: Iterable<string>): void {
  assert.equal(total(counts), 25950);
  assert.equal(counts.size, 750);
  assert.equal([...counts.values()].filter((n) => n >= 40).length, 385);
  const top = ranked(counts);
  assert.deepEqual(top.slice(0, 3), [
    ['2.0.0.146', 62],
    ['2.0.0.150', 62],
    ['1.0.0.42', 58],
  ]);
  assert.ok(top[3][1] <= 57);
  const s = [...sas];
  assert.deepEqual(tunnelIndexesIn(s, '2.0.0.146'), [67109704, 67109705, 67109706, 67109707, 67109708]);
  assert.deepEqual(tunnelIndexesIn(s, '2.0.0.150'), [67109724, 67109725, 67109726, 67109727, 67109728]);
  assert.deepEqual(tunnelIndexesIn(s, '1.0.0.42'), [67109684, 67109685, 67109686, 67109687]);
}

describe('three-peers (fourth sample)', () => {
  it('has 25950 AH sessions, 385 peers at 40+, the top three with their tunnels, ties by first appearance, read from the replies', () => {
    const { counts, sas } = sample('three-peers');
    checkThreePeers(counts, sas());
  });

  it('keeps those numbers and that tie order under other seeds', () => {
    for (const seed of [2, 3, 4, 99]) {
      const dev = createDeviceState(resolveScenario('three-peers', { seed }));
      checkThreePeers(countsFromState(dev), contentOf(call(dev, '<get-security-associations-information/>')));
    }
  });
});

describe('peers and sessions beyond AH', () => {
  it('puts IKE and ESP sessions on the same peer addresses, so only a protocol filter counts AH right', () => {
    const dev = createDeviceState(resolveScenario('one-peer'));
    const all = readFlowSessions(contentOf(call(dev, '<get-flow-session-information><source-prefix>4.0.0.2</source-prefix></get-flow-session-information>')));
    const protocols = new Set(all.sessions.map((s) => s.protocol));
    assert.ok(protocols.has('ah') && protocols.has('udp'), [...protocols].join(','));
    assert.ok(all.sessions.length > 54);
    assert.equal(all.sessions.filter((s) => s.protocol === 'ah').length, 54);
  });
});
