import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { childText } from '../../../src/xml/node.ts';
import { createDeviceState } from '../../../src/lab/device-state.ts';
import { resolveScenario } from '../../../src/lab/scenarios.ts';
import { SessionKind } from '../../../src/lab/session-table.ts';
import { call, contentOf, elements, readFlowSessions, text, tunnelIndexesIn, wrap } from './lab-xml.ts';

const ONE_PEER_INDEXES = [
  67111733, 67111734, 67111735, 67111736, 67111737, 67111738, 67111739, 67111740, 67111741, 67111742, 67111724, 67111743, 67111725, 67111726, 67111730,
  67111731, 67111732,
];

function onePeer() {
  return createDeviceState(resolveScenario('one-peer'));
}

function ikePeers(dev: ReturnType<typeof onePeer>): string[] {
  return elements(wrap(text(call(dev, '<get-ike-security-associations-information/>')), dev.nsVersion), 'ike-sa-remote-address').map((n) => n.text);
}

function withoutPeer(m: Map<string, number>, peer: string): Map<string, number> {
  const c = new Map(m);
  c.delete(peer);
  return c;
}

describe('clear-ike-security-association', () => {
  it("removes that peer's IKE SA only, answers with no content, leaves sessions alone", () => {
    const dev = onePeer();
    const before = ikePeers(dev);
    assert.ok(before.includes('4.0.0.2'));
    const ahBefore = dev.ahSessionsByPeer();
    assert.deepEqual([...contentOf(call(dev, '<clear-ike-security-association><peer-address>4.0.0.2</peer-address></clear-ike-security-association>'))], []);
    const after = ikePeers(dev);
    assert.deepEqual(after, before.filter((p) => p !== '4.0.0.2'));
    assert.deepEqual(dev.ahSessionsByPeer(), ahBefore);
    assert.equal(text(call(dev, '<get-ike-security-associations-information><peer-address>4.0.0.2</peer-address></get-ike-security-associations-information>')).includes('<ike-security-associations>'), false);
  });

  it('clears every IKE SA when no peer is given', () => {
    const dev = onePeer();
    call(dev, '<clear-ike-security-association/>');
    assert.deepEqual(ikePeers(dev), []);
  });
});

describe('clear-ipsec-security-association', () => {
  it("removes one tunnel's SAs and the AH sessions bound to it, nothing else", () => {
    const dev = onePeer();
    const tunnel = dev.tunnelByIndex(67111733);
    assert.ok(tunnel);
    let bound = 0;
    for (let row = 0; row < dev.sessions.size; row++) if (dev.sessions.kind[row] === SessionKind.ah && dev.sessions.tunnel[row] === tunnel.slot) bound++;
    const before = dev.ahSessionsByPeer();
    const totalBefore = dev.sessions.aliveCount;

    call(dev, '<clear-ipsec-security-association><index>67111733</index></clear-ipsec-security-association>');

    const sas = [...contentOf(call(dev, '<get-security-associations-information/>'))];
    assert.deepEqual(tunnelIndexesIn(sas, '4.0.0.2'), ONE_PEER_INDEXES.slice(1));
    assert.equal(sas.join('').includes('<sa-tunnel-index>67111733</sa-tunnel-index>'), false);
    const after = dev.ahSessionsByPeer();
    assert.equal(after.get('4.0.0.2') ?? 0, 54 - bound);
    assert.deepEqual(withoutPeer(after, '4.0.0.2'), withoutPeer(before, '4.0.0.2'));
    assert.equal(dev.sessions.aliveCount, totalBefore - bound);
    assert.equal(ikePeers(dev).includes('4.0.0.2'), true, 'the IKE SA is a separate clear');
  });

  it("clearing all of a peer's indexes (what the script does) leaves it no AH session", () => {
    const dev = onePeer();
    call(dev, '<clear-ike-security-association><peer-address>4.0.0.2</peer-address></clear-ike-security-association>');
    for (const ix of ONE_PEER_INDEXES) call(dev, `<clear-ipsec-security-association><index>${ix}</index></clear-ipsec-security-association>`);
    const seen = readFlowSessions(contentOf(call(dev, '<get-flow-session-information><source-prefix>4.0.0.2/32</source-prefix></get-flow-session-information>')));
    assert.equal(seen.sessions.filter((s) => s.protocol === 'ah').length, 0);
    assert.ok(seen.sessions.length > 0, 'its IKE and ESP sessions are still there');
    assert.equal([...dev.ahSessionsByPeer().values()].reduce((a, b) => a + b, 0), 21167 - 54);
    assert.deepEqual(dev.tunnelIndexesOf('4.0.0.2'), []);
    assert.equal(dev.stateChangingRpcs().length, 18);
  });

  it('clears by vpn-name', () => {
    const dev = onePeer();
    call(dev, '<clear-ipsec-security-association><vpn-name>vpn-4-0-0-2</vpn-name></clear-ipsec-security-association>');
    assert.deepEqual(dev.tunnelIndexesOf('4.0.0.2'), []);
    assert.equal(dev.ahSessionsByPeer().has('4.0.0.2'), false);
  });
});

describe('clear-flow-session', () => {
  it('clears what its filters match and reports the count', () => {
    const dev = onePeer();
    const match = '<protocol>ah</protocol><source-prefix>3.0.0.0/24</source-prefix>';
    const before = readFlowSessions(contentOf(call(dev, `<get-flow-session-information>${match}</get-flow-session-information>`))).sessions.length;
    assert.ok(before > 0);
    const others = readFlowSessions(contentOf(call(dev, '<get-flow-session-information><protocol>udp</protocol><source-prefix>3.0.0.0/24</source-prefix></get-flow-session-information>'))).sessions.length;

    const reply = wrap(text(call(dev, `<clear-flow-session>${match}</clear-flow-session>`)), dev.nsVersion);
    const [info] = elements(reply, 'clear-flow-session-information');
    assert.equal(info.attrs.xmlns, 'http://xml.juniper.net/junos/15.1X49/junos-flow');
    assert.equal(Number(childText(info, 'active-sessions-cleared')), before);

    assert.equal(readFlowSessions(contentOf(call(dev, `<get-flow-session-information>${match}</get-flow-session-information>`))).sessions.length, 0);
    assert.equal(
      readFlowSessions(contentOf(call(dev, '<get-flow-session-information><protocol>udp</protocol><source-prefix>3.0.0.0/24</source-prefix></get-flow-session-information>'))).sessions.length,
      others,
    );
    assert.ok([...dev.ahSessionsByPeer().keys()].every((a) => !a.startsWith('3.0.0.')));
  });

  it('`all` clears every session except those through a tunnel', () => {
    const dev = onePeer();
    const tunnelSessions = dev.spec.otherSessions.tcpViaTunnel;
    const total = dev.sessions.size;
    const reply = wrap(text(call(dev, '<clear-flow-session><all/></clear-flow-session>')), dev.nsVersion);
    assert.equal(Number(elements(reply, 'active-sessions-cleared')[0].text), total - tunnelSessions);
    const left = readFlowSessions(contentOf(call(dev, '<get-flow-session-information/>'))).sessions;
    assert.equal(left.length, tunnelSessions);
    assert.ok(left.every((s) => s.protocol === 'tcp' && Number(childText(s.element.children.find((c) => c.name === 'flow-information')!, 'tunnel-information')) > 67108864));
  });

  it('on a cluster, clears on the node asked for and answers per node', () => {
    const dev = createDeviceState(resolveScenario('cluster'));
    const count = (node: number) => dev.blocksOfNode(node).reduce((n, b) => n + dev.countMatching({ protocol: 1 }, b.ordinal), 0);
    const [n0, n1] = [count(0), count(1)];
    assert.ok(n0 > 0 && n1 > 0);
    const reply = wrap(text(call(dev, '<clear-flow-session><protocol>icmp</protocol><node>node1</node></clear-flow-session>')), dev.nsVersion);
    assert.deepEqual(elements(reply, 're-name').map((n) => n.text), ['node1']);
    assert.equal(Number(elements(reply, 'active-sessions-cleared')[0].text), n1);
    assert.equal(count(0), n0);
    assert.equal(count(1), 0);
    const all = wrap(text(call(dev, '<clear-flow-session><protocol>icmp</protocol></clear-flow-session>')), dev.nsVersion);
    assert.deepEqual(elements(all, 'active-sessions-cleared').map((n) => Number(n.text)), [n0, 0]);
  });
});

describe('the RPC log', () => {
  it('records a read-only run as no state-changing RPC', () => {
    const dev = onePeer();
    call(dev, '<get-software-information/>');
    call(dev, '<get-flow-session-information><protocol>ah</protocol><summary/></get-flow-session-information>');
    call(dev, '<get-security-associations-information/>');
    call(dev, '<get-ike-security-associations-information/>');
    assert.equal(dev.rpcLog.length, 4);
    assert.deepEqual(dev.stateChangingRpcs(), []);
  });

  it('records state-changing RPCs, the refused ones too, with their arguments', () => {
    const dev = onePeer();
    call(dev, '<clear-ike-security-association><peer-address>4.0.0.2</peer-address></clear-ike-security-association>');
    call(dev, '<clear-ipsec-security-association><index>not-a-number</index></clear-ipsec-security-association>');
    const log = dev.stateChangingRpcs();
    assert.equal(log.length, 2);
    assert.deepEqual(log[0], { seq: 1, rpc: 'clear-ike-security-association', args: { 'peer-address': '4.0.0.2' }, changesState: true, outcome: 'ok' });
    assert.equal(log[1].outcome, 'error');
  });
});
