import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDeviceState, type DeviceState } from '../../../src/lab/device-state.ts';
import { formatIpv4 } from '../../../src/lab/ipv4.ts';
import { resolveScenario } from '../../../src/lab/scenarios.ts';
import { SessionKind } from '../../../src/lab/session-table.ts';
import { call, contentOf, elements, readFlowSessions, text, wrap, type SeenSession } from './lab-xml.ts';

/**
 * Each filter of get-flow-session-information selects what it says, checked two ways:
 * every rendered session satisfies it, and the count equals one taken from the table.
 */

const dev = createDeviceState(resolveScenario('busy'));

function shown(args: string, d: DeviceState = dev): SeenSession[] {
  return readFlowSessions(contentOf(call(d, `<get-flow-session-information>${args}</get-flow-session-information>`))).sessions;
}

/** Live rows the predicate accepts, straight from the typed arrays. */
function rows(pred: (row: number) => boolean, d: DeviceState = dev): number {
  let n = 0;
  for (let row = 0; row < d.sessions.size; row++) if (d.sessions.alive[row] === 1 && pred(row)) n++;
  return n;
}

const t = dev.sessions;

describe('flow session filters', () => {
  it('protocol, by name and by number', () => {
    const icmp = shown('<protocol>icmp</protocol>');
    assert.equal(icmp.length, dev.spec.otherSessions.icmp);
    assert.ok(icmp.every((s) => s.protocol === 'icmp'));
    assert.equal(shown('<protocol>50</protocol>').length, rows((r) => t.protocol[r] === 50));
    assert.equal(shown('<protocol>gre</protocol>').length, 0);
  });

  it('session-identifier: exactly that session', () => {
    const id = t.id[1234];
    const s = shown(`<session-identifier>${id}</session-identifier>`);
    assert.deepEqual(
      s.map((x) => x.id),
      [id],
    );
  });

  it('source-prefix and destination-prefix, as address or prefix', () => {
    const peer = dev.peers[0].address;
    const one = shown(`<source-prefix>${peer}</source-prefix><protocol>esp</protocol>`);
    assert.ok(one.every((s) => s.source === peer && s.protocol === 'esp'));
    assert.equal(one.length, rows((r) => t.kind[r] === SessionKind.esp && formatIpv4(t.src[r]) === peer));
    const net = shown('<source-prefix>10.1.0.0/16</source-prefix><protocol>icmp</protocol>');
    assert.equal(net.length, dev.spec.otherSessions.icmp);
    assert.ok(net.every((s) => s.source.startsWith('10.1.')));
    const dns = shown('<destination-prefix>198.51.100.53/32</destination-prefix>');
    assert.ok(dns.length > 0 && dns.every((s) => s.destination === '198.51.100.53'));
    assert.equal(dns.length, rows((r) => formatIpv4(t.dst[r]) === '198.51.100.53'));
  });

  it('source-port and destination-port', () => {
    const ntp = shown('<destination-port>123</destination-port>');
    assert.equal(ntp.length, rows((r) => t.dstPort[r] === 123));
    assert.ok(ntp.every((s) => s.destinationPort === 123 && s.protocol === 'udp'));
    const port = t.srcPort[77];
    assert.ok(shown(`<source-port>${port}</source-port>`).every((s) => s.sourcePort === port));
  });

  it('application and interface', () => {
    const ike = shown('<application>junos-ike</application>');
    assert.equal(ike.length, dev.spec.otherSessions.ike);
    assert.ok(ike.every((s) => s.protocol === 'udp' && (s.destinationPort === 500 || s.destinationPort === 4500)));
    // Either wing: xe-2/0/0.0 is the inside interface, In for outbound traffic and Out for traffic from tunnels.
    const inside = shown('<interface>xe-2/0/0.0</interface><protocol>tcp</protocol>');
    assert.equal(inside.length, dev.spec.otherSessions.tcp + dev.spec.otherSessions.tcpViaTunnel);
    assert.ok(inside.every((s) => s.interfaces.includes('xe-2/0/0.0')));
    assert.ok(inside.some((s) => s.interfaces[0] === 'xe-2/0/0.0') && inside.some((s) => s.interfaces[1] === 'xe-2/0/0.0'));
  });

  it('filters that no session can match show none, without an error', () => {
    assert.equal(shown('<source-prefix>2001:db8::/32</source-prefix>').length, 0);
    assert.equal(shown('<application>junos-foo</application>').length, 0);
    assert.equal(shown('<interface>ge-9/9/9.0</interface>').length, 0);
  });

  it('keeps one block per SPU, each counting what it shows', () => {
    const reply = readFlowSessions(contentOf(call(dev, '<get-flow-session-information><protocol>esp</protocol></get-flow-session-information>')));
    assert.deepEqual(
      reply.blocks.map((b) => b.label),
      [' on FPC0 PIC1:', ' on FPC0 PIC2:', ' on FPC0 PIC3:'],
    );
    for (const b of reply.blocks) assert.equal(b.displayed, reply.sessions.filter((s) => s.block === b.label).length);
    assert.equal(
      reply.blocks.reduce((n, b) => n + b.displayed, 0),
      dev.spec.otherSessions.esp,
    );
  });

  it('numbers session ids by SPU on multi-SPU devices (PIC2 ids start with 2)', () => {
    const reply = readFlowSessions(contentOf(call(dev, '<get-flow-session-information><protocol>icmp</protocol></get-flow-session-information>')));
    for (const s of reply.sessions) assert.equal(Math.floor(s.id / 10_000_000), Number(s.block?.match(/PIC(\d)/)?.[1]));
  });

  it('summary with a filter counts the matching sessions per SPU', () => {
    const xml = wrap(text(call(dev, '<get-flow-session-information><protocol>ah</protocol><summary/></get-flow-session-information>')), dev.nsVersion);
    const valid = elements(xml, 'displayed-session-valid').map((n) => Number(n.text));
    assert.equal(valid.length, 3);
    assert.equal(
      valid.reduce((a, b) => a + b, 0),
      dev.spec.ahSessions,
    );
  });

  it('summary without a filter counts every session per SPU', () => {
    const xml = wrap(text(call(dev, '<get-flow-session-information><summary/></get-flow-session-information>')), dev.nsVersion);
    const active = elements(xml, 'active-sessions').map((n) => Number(n.text));
    assert.equal(
      active.reduce((a, b) => a + b, 0),
      dev.sessions.size,
    );
  });
});

describe('node on a cluster', () => {
  const cluster = createDeviceState(resolveScenario('cluster'));

  it('shows both nodes by default, one when asked', () => {
    const both = readFlowSessions(contentOf(call(cluster, '<get-flow-session-information><protocol>icmp</protocol></get-flow-session-information>')));
    assert.deepEqual([...new Set(both.blocks.map((b) => b.node))], ['node0', 'node1']);
    assert.equal(both.blocks.length, 6);
    assert.equal(both.sessions.length, cluster.spec.otherSessions.icmp);
    const one = readFlowSessions(contentOf(call(cluster, '<get-flow-session-information><protocol>icmp</protocol><node>node1</node></get-flow-session-information>')));
    assert.deepEqual([...new Set(one.blocks.map((b) => b.node))], ['node1']);
    assert.equal(one.sessions.length, rows((r) => cluster.sessions.protocol[r] === 1 && cluster.sessions.node[r] === 1, cluster));
    const primary = readFlowSessions(contentOf(call(cluster, '<get-flow-session-information><protocol>icmp</protocol><node>primary</node></get-flow-session-information>')));
    assert.deepEqual([...new Set(primary.blocks.map((b) => b.node))], ['node0']);
  });

  it('summary per node and per SPU', () => {
    const xml = wrap(text(call(cluster, '<get-flow-session-information><summary/></get-flow-session-information>')), cluster.nsVersion);
    assert.deepEqual(elements(xml, 're-name').map((n) => n.text), ['node0', 'node1']);
    assert.equal(elements(xml, 'flow-session-summary-information').length, 6);
  });
});
