import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configuredTimeout, remainingTimeout, sessionAge, sessionHash } from '../../../src/lab/config/effects.ts';
import { createDeviceState, type DeviceState } from '../../../src/lab/device-state.ts';
import { handleRpc } from '../../../src/lab/dispatch.ts';
import { mix32 } from '../../../src/lab/rng.ts';
import { ScenarioError } from '../../../src/lab/errors.ts';
import { resolveScenario } from '../../../src/lab/scenarios.ts';
import { SessionKind } from '../../../src/lab/session-table.ts';
import { childText } from '../../../src/xml/node.ts';
import { elements, readFlowSessions, rpcNode, text, wrap } from './lab-xml.ts';

function full(seed = 1): DeviceState {
  return createDeviceState(resolveScenario('full', { seed }), { hostName: 'full' });
}

function send(dev: DeviceState, xml: string): string {
  return text(handleRpc(dev, rpcNode(xml)));
}

function commit(dev: DeviceState, lines: string): void {
  const load = send(dev, `<load-configuration action="set" format="text"><configuration-set>${lines}</configuration-set></load-configuration>`);
  assert.match(load, /<ok\/>/, load);
  const result = send(dev, '<commit-configuration/>');
  assert.match(result, /<commit-success\/>/, result);
}

/** Live sessions per SPU block as a percentage of the SPU's capacity. */
function utilization(dev: DeviceState): number[] {
  return dev.blocks.map((b) => {
    const { start, end } = dev.blockRows(b.ordinal);
    let n = 0;
    for (let row = start; row < end; row++) n += dev.sessions.alive[row];
    return (n * 100) / dev.platform.maxSessionsPerSpu;
  });
}

function remaining(dev: DeviceState, row: number): number | 'N/A' {
  const kind = dev.sessions.kind[row] as SessionKind;
  return remainingTimeout(kind, sessionAge(kind, sessionHash(dev.sessions.id[row], dev.salt)), configuredTimeout(kind, dev.sessions.dstPort[row], dev.flowSettings));
}

function countKind(dev: DeviceState, kind: SessionKind): number {
  let n = 0;
  for (let row = 0; row < dev.sessions.size; row++) if (dev.sessions.alive[row] === 1 && dev.sessions.kind[row] === kind) n++;
  return n;
}

/** [configured-timeout, timeout] of each session a flow filter shows. */
function timeouts(dev: DeviceState, filter: string): [string, number | string][] {
  return readFlowSessions([send(dev, `<get-flow-session-information>${filter}</get-flow-session-information>`)]).sessions.map((s) => {
    const t = childText(s.element, 'timeout') ?? '';
    return [childText(s.element, 'configured-timeout') ?? '', /^\d+$/.test(t) ? Number(t) : t];
  });
}

describe('the full scenario', () => {
  it('has every SPU about 95 % full of a mixed table, and says so in the summary', () => {
    const dev = full();
    assert.equal(dev.sessions.size, 38_000);
    for (const u of utilization(dev)) assert.ok(u > 94 && u < 96, `utilization ${u}`);
    const summary = wrap(send(dev, '<get-flow-session-information><summary/></get-flow-session-information>'), dev.nsVersion);
    assert.deepEqual(elements(summary, 'max-sessions').map((n) => n.text), ['20000', '20000']);
    assert.deepEqual(
      elements(summary, 'active-sessions').map((n) => Number(n.text)),
      utilization(dev).map((u) => Math.round((u * 20000) / 100)),
    );
    // The mix, read from the table itself (a whole reply would be about 90 MB of XML).
    const t = dev.sessions;
    const tcpPorts = new Set<number>();
    const protocols = new Set<number>();
    const insidePrefixes = new Set<number>();
    for (let row = 0; row < t.size; row++) {
      protocols.add(t.protocol[row]);
      if (t.protocol[row] === 6) tcpPorts.add(t.dstPort[row]);
      if (t.src[row] >>> 24 === 10) insidePrefixes.add((t.src[row] >>> 16) & 0xff);
    }
    assert.ok(tcpPorts.size >= 8, `TCP to ${tcpPorts.size} ports`);
    assert.deepEqual([...protocols].sort((a, b) => a - b), [1, 6, 17, 50, 51]);
    assert.deepEqual([...insidePrefixes].sort(), [1, 2], 'two inside prefixes, 10.1/16 and 10.2/16');
    const mcast = readFlowSessions([send(dev, '<get-flow-session-information><destination-prefix>239.1.1.0/24</destination-prefix></get-flow-session-information>')]).sessions;
    assert.ok(mcast.length > 1000 && mcast.every((s) => s.protocol === 'udp' && s.destinationPort === 5004), 'multicast leaf sessions');
    assert.ok(mcast.some((s) => Number(childText(s.element, 'timeout')) < 20), 'some short remaining timeouts');
  });

  it('starts with the multicast application bound to a policy, and no security flow statements', () => {
    const dev = full();
    assert.equal(dev.flowSettings.aging, undefined);
    assert.equal(dev.flowSettings.udpApplicationTimeouts.get(5004), 60);
    assert.throws(
      () => createDeviceState({ ...resolveScenario('full'), initialConfig: ['set security flow aging early-ageout 0'] }),
      (e: unknown) => e instanceof ScenarioError && /initialConfig: Value 0 is not within range \(1\.\.65535\)/.test(e.message),
    );
  });

  it('builds the same table from the same seed', () => {
    const [a, b] = [full(3), full(3)];
    assert.deepEqual(a.sessions.id, b.sessions.id);
    assert.deepEqual(a.sessions.dstPort, b.sessions.dstPort);
  });
});

describe('aggressive session aging (security flow aging)', () => {
  it('above the high watermark, ages out sessions with less than early-ageout left, down to the low watermark', () => {
    const dev = full();
    const before = new Uint8Array(dev.sessions.alive);
    const [tunnel, ah] = [countKind(dev, SessionKind.tcpViaTunnel), countKind(dev, SessionKind.ah)];
    commit(dev, 'set security flow aging early-ageout 20 high-watermark 90 low-watermark 80');
    for (const u of utilization(dev)) assert.equal(u, 80);
    assert.equal(dev.agedOut, 38_000 - 32_000);
    for (let row = 0; row < dev.sessions.size; row++) {
      if (before[row] === 1 && dev.sessions.alive[row] === 0) {
        const left = remaining(dev, row);
        assert.ok(left !== 'N/A' && left < 20, `row ${row} had ${left} s left`);
      }
    }
    assert.equal(countKind(dev, SessionKind.tcpViaTunnel), tunnel, 'tunnel sessions are never aged out');
    assert.equal(countKind(dev, SessionKind.ah), ah);
    const summary = wrap(send(dev, '<get-flow-session-information><summary/></get-flow-session-information>'), dev.nsVersion);
    assert.deepEqual(elements(summary, 'active-sessions').map((n) => Number(n.text)), [16_000, 16_000]);
    assert.equal(dev.agedOut, 6_000, 'reading again ages nothing more');
  });

  it('is deterministic: the same table and configuration lose the same sessions', () => {
    const [a, b] = [full(), full()];
    commit(a, 'set security flow aging early-ageout 20 high-watermark 90 low-watermark 80');
    commit(b, 'set security flow aging high-watermark 90\nset security flow aging low-watermark 80');
    assert.deepEqual(a.sessions.alive, b.sessions.alive);
  });

  it('stops when nothing short-lived is left, and does nothing below the high watermark', () => {
    const dev = full();
    commit(dev, 'set security flow aging early-ageout 2 high-watermark 50 low-watermark 10');
    for (const u of utilization(dev)) assert.ok(u > 10 && u < 95, `aged to ${u}`);
    for (let row = 0; row < dev.sessions.size; row++) {
      if (dev.sessions.alive[row] === 1) {
        const left = remaining(dev, row);
        assert.ok(left === 'N/A' || left >= 2 || dev.sessions.kind[row] === SessionKind.tcpViaTunnel);
      }
    }
    const calm = full();
    commit(calm, 'set security flow aging early-ageout 20 high-watermark 96 low-watermark 80');
    assert.equal(calm.agedOut, 0);
    assert.equal(calm.sessions.aliveCount, 38_000);
  });

  it('is off on a device without the statements, at any fill', () => {
    const dev = full();
    send(dev, '<get-flow-session-information><summary/></get-flow-session-information>');
    commit(dev, 'set security flow tcp-session rst-invalidate-session fin-invalidate-session');
    assert.equal(dev.agedOut, 0);
    assert.equal(dev.flowSettings.rstInvalidateSession, true);
    assert.equal(dev.flowSettings.finInvalidateSession, true);
  });
});

describe('timeouts that follow the configuration', () => {
  it('tcp-initial-timeout sets the timeout of TCP sessions still in their 3-way handshake', () => {
    const dev = full();
    const handshake = '<protocol>tcp</protocol><source-prefix>198.18.0.0/16</source-prefix>';
    const before = timeouts(dev, handshake);
    assert.ok(before.length > 1000);
    assert.ok(before.every(([c, t]) => c === '20' && typeof t === 'number' && t >= 1 && t <= 20));
    commit(dev, 'set security flow tcp-session tcp-initial-timeout 280');
    const after = timeouts(dev, handshake);
    assert.equal(after.length, before.length);
    after.forEach(([c, t], i) => {
      assert.equal(c, '280');
      assert.equal(t, 280 - (20 - (before[i][1] as number)), 'the same seconds since the last SYN');
    });
    assert.ok(timeouts(dev, '<protocol>tcp</protocol><destination-port>22</destination-port>').every(([c]) => c === '1800'), 'established TCP keeps 1800');
  });

  it("a multicast leaf session takes its application's inactivity-timeout when a policy uses it, never less than UDP's 60", () => {
    const dev = full();
    const mcast = '<protocol>udp</protocol><destination-port>5004</destination-port>';
    assert.ok(timeouts(dev, mcast).every(([c]) => c === '60'));
    commit(dev, 'set applications application mcast-video inactivity-timeout 300');
    const long = timeouts(dev, mcast);
    assert.ok(long.every(([c, t]) => c === '300' && typeof t === 'number' && t > 240 && t <= 300));
    assert.ok(timeouts(dev, '<protocol>udp</protocol><destination-port>53</destination-port>').every(([c]) => c === '60'), 'other UDP unchanged');
    commit(dev, 'set applications application mcast-video inactivity-timeout 30');
    assert.ok(timeouts(dev, mcast).every(([c]) => c === '60'));
    commit(dev, 'set applications application mcast-video inactivity-timeout never');
    assert.ok(timeouts(dev, mcast).every(([c, t]) => c === 'N/A' && t === 'N/A'));
    commit(dev, 'delete security policies from-zone trust to-zone untrust policy mcast-video\nset applications application mcast-video inactivity-timeout 300');
    assert.ok(timeouts(dev, mcast).every(([c]) => c === '60'), 'an application no policy uses changes nothing');
  });

  it('a longer leaf timeout keeps the multicast stream out of aggressive aging', () => {
    const unprotected = full();
    const protectedDev = full();
    commit(protectedDev, 'set applications application mcast-video inactivity-timeout 300');
    for (const d of [unprotected, protectedDev]) commit(d, 'set security flow aging early-ageout 20 high-watermark 90 low-watermark 80');
    const streams = (d: DeviceState) => timeouts(d, '<destination-port>5004</destination-port>').length;
    assert.ok(streams(protectedDev) > streams(unprotected), `${streams(protectedDev)} vs ${streams(unprotected)}`);
    assert.equal(streams(protectedDev), streams(full()));
  });

  it('a default configuration shows the timeouts the lab always showed', () => {
    const dev = createDeviceState(resolveScenario('one-peer'));
    const seen = readFlowSessions([send(dev, '<get-flow-session-information><protocol>udp</protocol></get-flow-session-information>')]).sessions.slice(0, 200);
    assert.ok(seen.length > 0);
    for (const s of seen) {
      const h = mix32(s.id ^ dev.salt);
      assert.equal(childText(s.element, 'timeout'), String(60 - ((h % 1800) % 60)));
      assert.equal(childText(s.element, 'configured-timeout'), '60');
    }
    const ah = readFlowSessions([send(dev, '<get-flow-session-information><protocol>ah</protocol><source-prefix>4.0.0.2/32</source-prefix></get-flow-session-information>')]).sessions;
    assert.ok(ah.every((s) => childText(s.element, 'timeout') === 'N/A' && childText(s.element, 'configured-timeout') === 'N/A'));
  });
});
