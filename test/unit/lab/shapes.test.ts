import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { childText, type XmlNode } from '../../../src/xml/node.ts';
import { createDeviceState, type DeviceState } from '../../../src/lab/device-state.ts';
import { renderRpcError } from '../../../src/lab/dispatch.ts';
import { resolveScenario, type ScenarioSpec } from '../../../src/lab/scenarios.ts';
import { SessionKind } from '../../../src/lab/session-table.ts';
import { assertWellFormed, call, contentOf, elements, fixture, outline, shape, text, wrap } from './lab-xml.ts';

/**
 * The lab's replies against the real Junos replies in test/fixtures/junos: the
 * same element names in the same order, the same wrappers, namespaces and attributes.
 */

const onePeer = createDeviceState(resolveScenario('one-peer'), { hostName: 'srx1500-r2603' });
const busy = createDeviceState(resolveScenario('busy'));
const cluster = createDeviceState(resolveScenario('cluster'));

/** The rendered `<flow-session>` of the first live session of a kind. */
function sessionOfKind(dev: DeviceState, kind: SessionKind): XmlNode {
  const t = dev.sessions;
  let row = 0;
  while (t.kind[row] !== kind) row++;
  const xml = text(call(dev, `<get-flow-session-information><session-identifier>${t.id[row]}</session-identifier></get-flow-session-information>`));
  const [s] = elements(wrap(xml, dev.nsVersion), 'flow-session');
  assert.ok(s, `no session of kind ${kind}`);
  return s;
}

function fixtureSession(file: string, id: string): XmlNode {
  const s = elements(fixture(file), 'flow-session').find((n) => childText(n, 'session-identifier') === id);
  assert.ok(s, `${file} has no session ${id}`);
  return s;
}

/** A fixture's outline without the `<cli><banner>` CLI trailer, which NETCONF replies do not carry. */
function fixtureOutline(file: string): string[] {
  return outline(fixture(file)).filter((p) => !p.startsWith('rpc-reply/cli'));
}

function replyOutline(dev: DeviceState, rpc: string): string[] {
  return outline(wrap(text(call(dev, rpc)), dev.nsVersion));
}

describe('flow sessions', () => {
  it('renders an AH session with the fields, order and attributes of the fixture ESP session', () => {
    const ah = sessionOfKind(onePeer, SessionKind.ah);
    const esp = fixtureSession('flow-session-esp-ike-mixed-15.1X49.xml', '141');
    assert.deepEqual(shape(ah), shape(esp));
    assert.equal(ah.attrs['junos:style'], 'brief');
    const wings = ah.children.filter((c) => c.name === 'flow-information');
    assert.equal(wings.length, 1);
    assert.equal(wings[0].attrs['junos:style'], 'brief');
    assert.equal(childText(wings[0], 'direction'), 'In');
    assert.equal(childText(wings[0], 'protocol'), 'ah');
    assert.equal(childText(wings[0], 'destination-address'), '5.0.0.1');
  });

  it('renders ESP, IKE, TCP and ICMP sessions like their fixture counterparts', () => {
    const f = 'flow-session-esp-ike-mixed-15.1X49.xml';
    assert.deepEqual(shape(sessionOfKind(onePeer, SessionKind.esp)), shape(fixtureSession(f, '141')));
    assert.deepEqual(shape(sessionOfKind(onePeer, SessionKind.ike)), shape(fixtureSession(f, '140')));
    assert.deepEqual(shape(sessionOfKind(onePeer, SessionKind.tcpViaTunnel)), shape(fixtureSession(f, '150')));
    assert.deepEqual(shape(sessionOfKind(onePeer, SessionKind.icmp)), shape(fixtureSession(f, '159')));
  });

  it('renders high-end sessions with dcp-session-id, and cluster ones with session-state', () => {
    assert.deepEqual(
      shape(sessionOfKind(cluster, SessionKind.icmp)),
      shape(fixtureSession('flow-session-cluster-multi-spu-both-nodes.xml', '10000040')),
    );
    assert.deepEqual(shape(sessionOfKind(busy, SessionKind.tcp)), shape(fixtureSession('flow-session-multi-spu-nat-18.1.xml', '20001048')));
  });

  it('is about 2.5 KB per AH session', () => {
    const xml = text(call(onePeer, '<get-flow-session-information><protocol>ah</protocol><source-prefix>4.0.0.2</source-prefix></get-flow-session-information>'));
    const perSession = xml.length / 54;
    assert.ok(perSession > 2300 && perSession < 2900, String(perSession));
  });

  it('puts the release in the junos-flow namespace', () => {
    const [block] = elements(wrap(text(call(onePeer, '<get-flow-session-information><session-identifier>1</session-identifier></get-flow-session-information>')), '15.1X49'), 'flow-session-information');
    assert.equal(block.attrs.xmlns, 'http://xml.juniper.net/junos/15.1X49/junos-flow');
    assert.match(text(call(busy, '<get-flow-session-information><session-identifier>1</session-identifier></get-flow-session-information>')), /junos\/17\.4R3\/junos-flow/);
  });

  it('gives a multi-SPU device one block per SPU, labelled, with its count (flow-session-multi-spu-empty.xml)', () => {
    const rpc = '<get-flow-session-information><session-identifier>1</session-identifier></get-flow-session-information>';
    assert.deepEqual(replyOutline(busy, rpc), fixtureOutline('flow-session-multi-spu-empty.xml'));
    assert.match(text(call(busy, rpc)), /<flow-fpc-pic-id> on FPC0 PIC1:<\/flow-fpc-pic-id>[\s\S]*PIC2[\s\S]*PIC3/);
  });

  it('wraps a cluster per node (flow-session-cluster-multi-spu-empty.xml)', () => {
    const rpc = '<get-flow-session-information><session-identifier>1</session-identifier></get-flow-session-information>';
    assert.deepEqual(replyOutline(cluster, rpc), fixtureOutline('flow-session-cluster-multi-spu-empty.xml'));
    assert.match(text(call(cluster, rpc)), /<multi-routing-engine-item>\n\n {12}<re-name>node0<\/re-name>\n\n/);
  });

  it('gives a single-SPU device one unlabelled block (flow-session-single-spu-empty.xml)', () => {
    const rpc = '<get-flow-session-information><session-identifier>1</session-identifier></get-flow-session-information>';
    assert.deepEqual(replyOutline(onePeer, rpc), fixtureOutline('flow-session-single-spu-empty.xml'));
  });
});

describe('flow session summary', () => {
  it('single SPU, unfiltered (flow-session-summary-single-spu.xml)', () => {
    assert.deepEqual(replyOutline(onePeer, '<get-flow-session-information><summary/></get-flow-session-information>'), fixtureOutline('flow-session-summary-single-spu.xml'));
  });

  it('cluster, multi-SPU, unfiltered (flow-session-summary-cluster-multi-spu.xml)', () => {
    assert.deepEqual(replyOutline(cluster, '<get-flow-session-information><summary/></get-flow-session-information>'), fixtureOutline('flow-session-summary-cluster-multi-spu.xml'));
  });

  it('multi-SPU with a filter (flow-session-summary-filtered-multi-spu-20.2.xml)', () => {
    const rpc = '<get-flow-session-information><protocol>ah</protocol><summary/></get-flow-session-information>';
    assert.deepEqual(replyOutline(busy, rpc), fixtureOutline('flow-session-summary-filtered-multi-spu-20.2.xml'));
    const counts = elements(wrap(text(call(busy, rpc)), '17.4R3'), 'displayed-session-count').map((n) => Number(n.text));
    assert.equal(counts.reduce((a, b) => a + b, 0), busy.spec.ahSessions);
  });

  it('20.3 and later: per-PIC summaries (flow-session-summary-multi-spu-per-pic-20.3.xml, ...-filtered-per-pic-dcp-20.3.xml)', () => {
    const spec: ScenarioSpec = { ...resolveScenario('busy'), junosVersion: '20.3R1.8' };
    const d3 = createDeviceState(spec);
    assert.deepEqual(replyOutline(d3, '<get-flow-session-information><summary/></get-flow-session-information>'), fixtureOutline('flow-session-summary-multi-spu-per-pic-20.3.xml'));
    const d7 = createDeviceState({ ...spec, spus: 7 });
    assert.deepEqual(
      replyOutline(d7, '<get-flow-session-information><protocol>tcp</protocol><summary/></get-flow-session-information>'),
      fixtureOutline('flow-session-summary-filtered-per-pic-dcp-20.3.xml'),
    );
  });
});

describe('IPsec and IKE SAs', () => {
  it('18.1 and later: SA fields of ipsec-sa-brief-18.4.xml, totals first, two SAs per tunnel block', () => {
    const large = createDeviceState({ ...resolveScenario('no-peer'), model: 'srx5800', junosVersion: '18.4R3.3' });
    const xml = wrap(text(call(large, '<get-security-associations-information/>')), '18.4R3');
    const fx = fixture('ipsec-sa-brief-18.4.xml');
    assert.deepEqual(shape(elements(xml, 'ipsec-security-associations')[0]), shape(elements(fx, 'ipsec-security-associations')[0]));
    const [info] = elements(xml, 'ipsec-security-associations-information');
    assert.equal(info.attrs['junos:style'], 'brief');
    assert.deepEqual(info.children.slice(0, 3).map((c) => c.name), ['total-active-tunnels', 'total-ipsec-sas', 'ipsec-security-associations-block']);
    assert.equal(Number(childText(info, 'total-active-tunnels')), large.tunnels.length);
    const block = elements(xml, 'ipsec-security-associations-block')[0];
    assert.deepEqual(block.children.map((c) => c.name), ['sa-block-state', 'ipsec-security-associations', 'ipsec-security-associations']);
    assert.deepEqual(block.children.slice(1).map((c) => childText(c, 'sa-direction')), ['<', '>']);
  });

  it('before 18.1: the older SA shape of ipsec-sa-brief.xml (no total-ipsec-sas)', () => {
    const xml = wrap(text(call(onePeer, '<get-security-associations-information><index>67111733</index></get-security-associations-information>')), '15.1X49');
    const fx = fixture('ipsec-sa-brief.xml');
    assert.deepEqual(shape(elements(xml, 'ipsec-security-associations')[0]), shape(elements(fx, 'ipsec-security-associations')[0]));
    const [ours] = elements(xml, 'ipsec-security-associations-information');
    const [theirs] = elements(fx, 'ipsec-security-associations-information');
    assert.deepEqual(ours.children.map((c) => c.name), theirs.children.slice(0, 2).map((c) => c.name));
    assert.equal(childText(elements(xml, 'ipsec-security-associations')[0], 'sa-protocol'), 'AH:');
  });

  it('on a cluster, wraps SAs per node like ipsec-sa-brief-cluster-18.4.xml, node0 only by default', () => {
    const o = replyOutline(cluster, '<get-security-associations-information/>');
    assert.deepEqual(o.slice(0, 5), [
      'rpc-reply',
      'rpc-reply/multi-routing-engine-results',
      'rpc-reply/multi-routing-engine-results/multi-routing-engine-item',
      'rpc-reply/multi-routing-engine-results/multi-routing-engine-item/re-name',
      'rpc-reply/multi-routing-engine-results/multi-routing-engine-item/ipsec-security-associations-information',
    ]);
    assert.equal(elements(wrap(text(call(cluster, '<get-security-associations-information/>')), '15.1X49'), 're-name').length, 1);
    const both = elements(wrap(text(call(cluster, '<get-security-associations-information><node>all</node></get-security-associations-information>')), '15.1X49'), 're-name');
    assert.deepEqual(both.map((n) => n.text), ['node0', 'node1']);
  });

  it('IKE SAs in the shape of ike-sa-brief.xml, one per peer', () => {
    const xml = wrap(text(call(onePeer, '<get-ike-security-associations-information/>')), '15.1X49');
    const sas = elements(xml, 'ike-security-associations');
    assert.equal(sas.length, 750);
    assert.deepEqual(shape(sas[0]), shape(elements(fixture('ike-sa-brief.xml'), 'ike-security-associations')[0]));
    assert.equal(elements(xml, 'ike-security-associations-information')[0].attrs['junos:style'], 'brief');
  });
});

describe('software information', () => {
  it('has host name, model, release and package, per node on a cluster', () => {
    const xml = wrap(text(call(onePeer, '<get-software-information/>')), '15.1X49');
    const [sw] = elements(xml, 'software-information');
    assert.deepEqual(shape(sw), ['host-name', 'product-model', 'product-name', 'jsr', 'junos-version', 'package-information', 'package-information/name', 'package-information/comment']);
    assert.equal(childText(sw, 'host-name'), 'srx1500-r2603');
    assert.equal(childText(sw, 'junos-version'), '15.1X49-D170.4');
    const cx = wrap(text(call(cluster, '<get-software-information/>')), '15.1X49');
    assert.deepEqual(elements(cx, 're-name').map((n) => n.text), ['node0', 'node1']);
    assert.equal(elements(cx, 'software-information').length, 2);
  });

  it('escapes text values', () => {
    const odd = createDeviceState(resolveScenario('no-peer'), { hostName: 'a&b<c>"d\'' });
    const reply = contentOf(call(odd, '<get-software-information/>'));
    assertWellFormed(reply, odd.nsVersion);
    assert.match([...reply].join(''), /<host-name>a&amp;b&lt;c&gt;&quot;d&apos;<\/host-name>/);
  });
});

describe('rpc-error', () => {
  it('orders its children like Junos (rpc-error-get-configuration-permission-denied.xml)', () => {
    const ours = elements(renderRpcError({ type: 'protocol', tag: 'operation-failed', severity: 'error', message: 'syntax error, expecting <command>', badElement: 'get-foo' }), 'rpc-error')[0];
    const theirs = elements(fixture('rpc-error-get-configuration-permission-denied.xml'), 'rpc-error')[0];
    assert.deepEqual(shape(ours), shape(theirs));
    assert.equal(childText(ours, 'error-message'), 'syntax error, expecting <command>');
  });
});

describe('well-formed replies', () => {
  const rpcs = [
    '<get-flow-session-information><protocol>esp</protocol></get-flow-session-information>',
    '<get-flow-session-information><protocol>udp</protocol></get-flow-session-information>',
    '<get-flow-session-information><protocol>tcp</protocol></get-flow-session-information>',
    '<get-flow-session-information><protocol>icmp</protocol></get-flow-session-information>',
    '<get-flow-session-information><summary/></get-flow-session-information>',
    '<get-flow-session-information><protocol>ah</protocol><summary/></get-flow-session-information>',
    '<get-security-associations-information/>',
    '<get-ike-security-associations-information/>',
    '<get-software-information/>',
    '<clear-flow-session><protocol>icmp</protocol></clear-flow-session>',
  ];
  for (const [name, dev] of [
    ['one-peer', onePeer],
    ['busy', busy],
    ['cluster', cluster],
  ] as const) {
    it(`${name}: every reply type parses, namespaces resolved`, () => {
      for (const rpc of rpcs) assertWellFormed(contentOf(call(dev, rpc)), dev.nsVersion);
    });
  }

  it('a whole unfiltered flow-session reply of a cluster parses, streamed chunk by chunk', () => {
    const dev = createDeviceState(resolveScenario('cluster', { seed: 3 }));
    assertWellFormed(contentOf(call(dev, '<get-flow-session-information/>')), dev.nsVersion);
  });
});
