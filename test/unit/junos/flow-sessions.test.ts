import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { flowSessions, type FlowSession } from '../../../src/junos/tables/flow-sessions.ts';
import { XmlParseError } from '../../../src/xml/errors.ts';
import { XmlElementStream } from '../../../src/xml/element-stream.ts';
import { FIXTURES, fixture, run, runBoth, runFixture } from './helpers.ts';

/**
 * Expected values read from the files by hand (grep '<flow-session ', '<re-name>',
 * 'fpc-pic-id', '<displayed-session-count>'): [session id, node, spu] per session in
 * document order, each block's displayed count, block count and answering nodes.
 */
interface Expected {
  readonly sessions: readonly (readonly [number, string | undefined, string | undefined])[];
  readonly displayedCounts: readonly number[];
  readonly blocks: number;
  readonly nodes: readonly string[];
}

const N0 = 'node0';
const N1 = 'node1';
const EXPECTED: Readonly<Record<string, Expected>> = {
  'flow-session-single-spu-empty.xml': { sessions: [], displayedCounts: [0], blocks: 1, nodes: [] },
  'flow-session-single-spu-one-entry.xml': { sessions: [[70, undefined, undefined]], displayedCounts: [1], blocks: 1, nodes: [] },
  'flow-session-single-spu-multi-entry.xml': { sessions: [70, 71, 72, 73].map((id) => [id, undefined, undefined] as const), displayedCounts: [4], blocks: 1, nodes: [] },
  // Bare <flow-session-information> with an undeclared junos: prefix: accepted.
  'flow-session-single-spu-no-rpc-reply.xml': { sessions: [[398, undefined, undefined], [399, undefined, undefined]], displayedCounts: [2], blocks: 1, nodes: [] },
  'flow-session-multi-spu-empty.xml': { sessions: [], displayedCounts: [0, 0, 0], blocks: 3, nodes: [] },
  'flow-session-multi-spu-one-entry.xml': { sessions: [[20000753, undefined, 'FPC0 PIC2']], displayedCounts: [0, 1, 0], blocks: 3, nodes: [] },
  'flow-session-multi-spu-icmp.xml': { sessions: [[10000790, undefined, 'FPC0 PIC1'], [10000791, undefined, 'FPC0 PIC1']], displayedCounts: [2, 0, 0], blocks: 3, nodes: [] },
  'flow-session-multi-spu-multi-entry-a.xml': { sessions: [[20000753, undefined, 'FPC0 PIC2'], [30000755, undefined, 'FPC0 PIC3']], displayedCounts: [0, 1, 1], blocks: 3, nodes: [] },
  'flow-session-multi-spu-multi-entry-b.xml': { sessions: [[30000755, undefined, 'FPC0 PIC3'], [20000753, undefined, 'FPC0 PIC3']], displayedCounts: [0, 0, 2], blocks: 3, nodes: [] },
  'flow-session-multi-spu-multi-entry-c.xml': {
    sessions: [[20000753, undefined, 'FPC0 PIC2'], [30000755, undefined, 'FPC0 PIC3'], [20000753, undefined, 'FPC0 PIC3']],
    displayedCounts: [0, 1, 2],
    blocks: 3,
    nodes: [],
  },
  // This capture names its SPUs in <fpc-pic-id>, not <flow-fpc-pic-id>.
  'flow-session-multi-spu-ftp-alg.xml': { sessions: [[20000753, undefined, 'FPC0 PIC2'], [30000755, undefined, 'FPC0 PIC3']], displayedCounts: [0, 1, 1], blocks: 3, nodes: [] },
  // Single-line file.
  'flow-session-multi-spu-nat-18.1.xml': { sessions: [[20001048, undefined, 'FPC0 PIC2']], displayedCounts: [0, 1, 0], blocks: 3, nodes: [] },
  'flow-session-pim-na-timeout-20.3.xml': { sessions: [[4135, undefined, undefined], [4136, undefined, undefined]], displayedCounts: [2], blocks: 1, nodes: [] },
  'flow-session-esp-ike-mixed-15.1X49.xml': { sessions: [140, 141, 142, 144, 145, 146, 150, 159, 160].map((id) => [id, undefined, undefined] as const), displayedCounts: [9], blocks: 1, nodes: [] },
  'flow-session-esp-gre-19.2.xml': {
    sessions: [1, 2, 3, 4, 5, 6, 8, 12, 13, 43, 44, 45, 46, 47, 48, 49].map((id) => [id, undefined, undefined] as const),
    displayedCounts: [16],
    blocks: 1,
    nodes: [],
  },
  'flow-session-gre-ipip-ipv6-18.3.xml': { sessions: [1, 2, 3, 10, 11, 12, 44].map((id) => [id, undefined, undefined] as const), displayedCounts: [7], blocks: 1, nodes: [] },
  'flow-session-cluster-single-spu-empty.xml': { sessions: [], displayedCounts: [0, 0], blocks: 2, nodes: [N0, N1] },
  'flow-session-cluster-single-spu-one-entry.xml': { sessions: [[57, N0, undefined]], displayedCounts: [1, 0], blocks: 2, nodes: [N0, N1] },
  'flow-session-cluster-single-spu-multi-entry.xml': { sessions: [[57, N0, undefined], [2, N0, undefined]], displayedCounts: [2, 0], blocks: 2, nodes: [N0, N1] },
  'flow-session-cluster-single-spu-multi-entry-both-nodes.xml': {
    sessions: [[57, N0, undefined], [2, N0, undefined], [2, N1, undefined]],
    displayedCounts: [2, 1],
    blocks: 2,
    nodes: [N0, N1],
  },
  // PyEZ fragment: root <multi-routing-engine-results>, undeclared junos: prefix.
  'flow-session-cluster-pyez-no-rpc-reply.xml': { sessions: [[57, N0, undefined], [2, N0, undefined]], displayedCounts: [2, 0], blocks: 2, nodes: [N0, N1] },
  'flow-session-cluster-single-node-icmp.xml': { sessions: [[335, N1, undefined], [336, N1, undefined]], displayedCounts: [2], blocks: 1, nodes: [N1] },
  'flow-session-cluster-multi-spu-empty.xml': { sessions: [], displayedCounts: [0, 0, 0, 0, 0, 0], blocks: 6, nodes: [N0, N1] },
  'flow-session-cluster-multi-spu-one-node.xml': { sessions: [[10000040, N0, 'FPC0 PIC1']], displayedCounts: [1, 0, 0, 0, 0, 0], blocks: 6, nodes: [N0, N1] },
  'flow-session-cluster-multi-spu-both-nodes.xml': { sessions: [[10000040, N0, 'FPC0 PIC1'], [10000003, N1, 'FPC0 PIC1']], displayedCounts: [1, 0, 0, 1, 0, 0], blocks: 6, nodes: [N0, N1] },
  'flow-session-cluster-multi-spu-multi-entry-one-node.xml': {
    sessions: [[10000040, N0, 'FPC0 PIC1'], [10000040, N0, 'FPC0 PIC1']],
    displayedCounts: [2, 0, 0, 0, 0, 0],
    blocks: 6,
    nodes: [N0, N1],
  },
  // The PIC3 block lists a session yet reports displayed-session-count 0 (edited test data).
  'flow-session-cluster-multi-spu-3-entries.xml': {
    sessions: [[10000040, N0, 'FPC0 PIC1'], [10000040, N0, 'FPC0 PIC1'], [10000040, N0, 'FPC0 PIC3']],
    displayedCounts: [2, 0, 0, 0, 0, 0],
    blocks: 6,
    nodes: [N0, N1],
  },
  'flow-session-cluster-multi-spu-alg.xml': {
    sessions: [[10000040, N0, 'FPC0 PIC1'], [10000040, N0, 'FPC0 PIC1'], [10000040, N0, 'FPC0 PIC3']],
    displayedCounts: [2, 0, 0, 0, 0, 0],
    blocks: 6,
    nodes: [N0, N1],
  },
  'flow-session-cluster-multi-spu-one-node-only-12.3.xml': { sessions: [], displayedCounts: [0, 0, 0, 0], blocks: 4, nodes: [N0] },
  // cp-session output: <dcp-flow-fpc-pic-id>, all sessions on node1.
  'flow-cp-session-cluster-multi-spu.xml': {
    sessions: [
      [10040149, N1, 'FPC0 PIC1'],
      [10040150, N1, 'FPC0 PIC1'],
      [10040151, N1, 'FPC0 PIC1'],
      [20039231, N1, 'FPC0 PIC2'],
      [20039232, N1, 'FPC0 PIC2'],
      [30039283, N1, 'FPC0 PIC3'],
      [30039284, N1, 'FPC0 PIC3'],
      [30039285, N1, 'FPC0 PIC3'],
      [30039286, N1, 'FPC0 PIC3'],
    ],
    displayedCounts: [0, 0, 0, 0, 0, 3, 2, 4],
    blocks: 8,
    nodes: [N0, N1],
  },
  // CLI capture with syslog broadcast lines before the XML: accepted. The element stream
  // reads fragments, so text outside any element is ignored like whitespace.
  'flow-session-cluster-multi-spu-with-syslog-noise.txt': {
    sessions: [
      [20000019, N0, 'FPC0 PIC2'],
      [20000020, N0, 'FPC0 PIC2'],
      [30000018, N0, 'FPC0 PIC3'],
      [230000011, N0, 'FPC5 PIC3'],
    ],
    displayedCounts: [0, 2, 1, 0, 0, 0, 1],
    blocks: 7,
    nodes: [N0],
  },
};

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

describe('flowSessions over every flow-session fixture', () => {
  it('has expectations for every flow-session capture in the fixture folder', () => {
    const files = readdirSync(FIXTURES).filter((f) => /^flow-(cp-)?session-(?!summary)/.test(f));
    assert.deepStrictEqual(Object.keys(EXPECTED).sort(), files.sort());
  });

  for (const [file, want] of Object.entries(EXPECTED)) {
    it(file, () => {
      const r = runFixture(flowSessions, file);
      assert.deepStrictEqual(
        r.sessions.map((s) => [s.sessionId, s.node, s.spu]),
        want.sessions.map((s) => [...s]),
      );
      assert.equal(r.total, want.sessions.length, 'every <flow-session> of every block and node is counted');
      assert.equal(r.skipped, 0);
      assert.deepStrictEqual(r.displayedCounts, [...want.displayedCounts]);
      assert.equal(r.displayedTotal, sum(want.displayedCounts));
      assert.equal(r.blocks, want.blocks);
      assert.deepStrictEqual(r.nodes, [...want.nodes]);
    });
  }
});

describe('flowSessions records', () => {
  it('reads every field of a single-SPU session', () => {
    const [s] = runFixture(flowSessions, 'flow-session-single-spu-one-entry.xml').sessions;
    assert.deepStrictEqual(s, {
      sessionId: 70,
      status: 'Normal',
      validity: 'Valid',
      timeout: 2,
      dynamicApplication: 'junos:UNKNOWN',
      policy: 'default-policy-logical-system-00/2',
      wings: [
        { direction: 'In', sourceAddress: '100.1.0.2', sourcePort: 2, destinationAddress: '100.2.0.2', destinationPort: 49983, protocol: 'icmp', interface: 'ge-0/0/2.0', packets: 1, bytes: 84 },
        { direction: 'Out', sourceAddress: '100.2.0.2', sourcePort: 49983, destinationAddress: '100.1.0.2', destinationPort: 2, protocol: 'icmp', interface: 'ge-0/0/3.0', packets: 1, bytes: 84 },
      ],
      protocol: 'icmp',
      sourceAddress: '100.1.0.2',
      sourcePort: 2,
      destinationAddress: '100.2.0.2',
      destinationPort: 49983,
      interface: 'ge-0/0/2.0',
    } satisfies FlowSession);
  });

  it('labels cluster sessions with node, SPU and Active/Backup state', () => {
    const [a, b] = runFixture(flowSessions, 'flow-session-cluster-multi-spu-both-nodes.xml').sessions;
    assert.deepStrictEqual([a.node, a.spu, a.state, a.timeout, a.sourcePort, a.interface], ['node0', 'FPC0 PIC1', 'Active', 1788, 52072, 'reth1.0']);
    assert.deepStrictEqual([b.node, b.spu, b.state, b.timeout, b.wings[1].interface], ['node1', 'FPC0 PIC1', 'Backup', 14400, 'reth2.0']);
  });

  it('reads ESP sessions: one In wing, peer as source, device gateway as destination, timeout N/A as null', () => {
    const r = runFixture(flowSessions, 'flow-session-esp-ike-mixed-15.1X49.xml');
    const esp = r.sessions.filter((s) => s.protocol === 'esp');
    assert.deepStrictEqual(
      esp.map((s) => [s.sessionId, s.sourceAddress, s.destinationAddress, s.sourcePort, s.destinationPort, s.timeout, s.policy, s.wings.length]),
      [
        [141, '2.1.1.1', '1.1.1.1', 2621, 35742, null, 'N/A', 1],
        [142, '2.1.1.1', '1.1.1.1', 0, 0, null, 'N/A', 1],
        [145, '3.1.1.1', '1.1.1.1', 34060, 44617, null, 'N/A', 1],
        [146, '3.1.1.1', '1.1.1.1', 0, 0, null, 'N/A', 1],
      ],
    );
    const ike = r.sessions.filter((s) => s.application === 'junos-ike');
    assert.deepStrictEqual(ike.map((s) => [s.sessionId, s.sourceAddress, s.timeout, s.policy]), [[140, '2.1.1.1', 44, 'self-traffic-policy/1'], [144, '3.1.1.1', 46, 'self-traffic-policy/1']]);
    assert.equal(ike[0].wings[1].interface, '.local..0');
  });

  it('reads AH sessions like ESP ones (synthesised: the ESP capture with protocol ah, as SOURCES.md suggests)', () => {
    const xml = fixture('flow-session-esp-ike-mixed-15.1X49.xml').replaceAll('<protocol>esp</protocol>', '<protocol>ah</protocol>');
    const peers = runBoth(flowSessions, xml)
      .sessions.filter((s) => s.protocol === 'ah')
      .map((s) => s.sourceAddress);
    assert.deepStrictEqual(peers, ['2.1.1.1', '2.1.1.1', '3.1.1.1', '3.1.1.1']);
  });

  it('reads GRE, IP-in-IP and IPv6 sessions with one wing', () => {
    const r = runFixture(flowSessions, 'flow-session-gre-ipip-ipv6-18.3.xml');
    assert.deepStrictEqual(
      r.sessions.slice(0, 3).map((s) => [s.protocol, s.sourceAddress, s.destinationAddress, s.wings.length, s.timeout]),
      [
        ['ipip', '70.0.0.1', '30.0.0.1', 1, null],
        ['ipv6', '70.0.0.1', '30.0.0.1', 1, null],
        ['gre', '8001::1', '3001::1', 1, null],
      ],
    );
    assert.deepStrictEqual([r.sessions[6].protocol, r.sessions[6].destinationPort, r.sessions[6].timeout], ['tcp', 80, 300]);
  });

  it('reads PIM sessions whose timeout is N/A', () => {
    const [a, b] = runFixture(flowSessions, 'flow-session-pim-na-timeout-20.3.xml').sessions;
    assert.deepStrictEqual([a.sessionId, a.protocol, a.timeout, a.interface], [4135, 'pim', null, 'lt-0/0/0.2']);
    assert.deepStrictEqual([b.sessionId, b.protocol, b.timeout, b.destinationAddress], [4136, 'pim', 284, '224.0.0.13']);
  });

  it('keeps the application name when Junos gives one', () => {
    const [s] = runFixture(flowSessions, 'flow-session-multi-spu-nat-18.1.xml').sessions;
    assert.deepStrictEqual([s.application, s.policy, s.wings[1].destinationAddress, s.wings[1].destinationPort], ['junos-telnet', 't_un/5', '30.0.1.1', 11181]);
  });

  it('leaves status out when empty (cp-session) and reads numeric protocol text as is', () => {
    const [s] = runFixture(flowSessions, 'flow-cp-session-cluster-multi-spu.xml').sessions;
    assert.equal(s.status, undefined);
    assert.equal(s.protocol, '0');
    assert.equal(s.wings[1].sourceAddress, '121.11.20.2');
  });
});

describe('flowSessions streaming and robustness', () => {
  it('hands records to onRecord instead of keeping them', () => {
    const got: number[] = [];
    const r = run(() => flowSessions({ onRecord: (s) => got.push(s.sessionId) }), fixture('flow-cp-session-cluster-multi-spu.xml'), 7);
    assert.deepStrictEqual(got, [10040149, 10040150, 10040151, 20039231, 20039232, 30039283, 30039284, 30039285, 30039286]);
    assert.deepStrictEqual(r.sessions, []);
    assert.equal(r.total, 9);
  });

  it('counts a large two-node, multi-SPU reply fed piece by piece without holding it', () => {
    const extractor = flowSessions({ onRecord: (s) => perSpu.set(`${s.node} ${s.spu}`, (perSpu.get(`${s.node} ${s.spu}`) ?? 0) + 1) });
    const perSpu = new Map<string, number>();
    const stream = new XmlElementStream(extractor);
    const session = (id: number): string =>
      `<flow-session junos:style="brief"><session-identifier>${id}</session-identifier><timeout>N/A</timeout>` +
      `<flow-information><direction>In</direction><source-address>10.0.${id % 250}.1</source-address><destination-address>1.1.1.1</destination-address><protocol>ah</protocol></flow-information></flow-session>`;
    stream.write('<rpc-reply xmlns:junos="x"><multi-routing-engine-results>');
    let id = 0;
    for (const node of ['node0', 'node1']) {
      stream.write(`<multi-routing-engine-item><re-name>${node}</re-name>`);
      for (const [pic, n] of [[1, 7000], [2, 0], [3, 5000]] as const) {
        stream.write(`<flow-session-information><flow-fpc-pic-id> on FPC0 PIC${pic}:</flow-fpc-pic-id>`);
        for (let i = 0; i < n; i++) stream.write(session(++id));
        stream.write(`<displayed-session-count>${n}</displayed-session-count></flow-session-information>`);
      }
      stream.write('</multi-routing-engine-item>');
    }
    stream.write('</multi-routing-engine-results></rpc-reply>');
    stream.end();
    const r = extractor.result();
    assert.equal(r.total, 24000);
    assert.equal(r.displayedTotal, 24000);
    assert.deepStrictEqual(r.displayedCounts, [7000, 0, 5000, 7000, 0, 5000]);
    assert.equal(r.sessions.length, 0);
    assert.deepStrictEqual(Object.fromEntries(perSpu), { 'node0 FPC0 PIC1': 7000, 'node0 FPC0 PIC3': 5000, 'node1 FPC0 PIC1': 7000, 'node1 FPC0 PIC3': 5000 });
  });

  it('ignores <!-- keep alive --> comments between sessions', () => {
    const xml = fixture('flow-session-single-spu-multi-entry.xml').replaceAll('<flow-session ', '<!-- keep alive -->\n<flow-session ');
    const r = runBoth(flowSessions, xml);
    assert.deepStrictEqual(r.sessions.map((s) => s.sessionId), [70, 71, 72, 73]);
    assert.deepStrictEqual(r.displayedCounts, [4]);
  });

  it('counts but skips a session without a numeric id', () => {
    const r = runBoth(flowSessions, '<flow-session-information><flow-session><session-identifier>x</session-identifier></flow-session><flow-session><session-identifier>5</session-identifier></flow-session><displayed-session-count>2</displayed-session-count></flow-session-information>');
    assert.deepStrictEqual([r.total, r.skipped, r.sessions.map((s) => s.sessionId)], [2, 1, [5]]);
  });

  it('fails with XmlParseError, not wrong numbers, when noise before the XML holds markup characters', () => {
    const xml = 'Message from syslogd@fw at Jan 29: link <down> & flapping\n' + fixture('flow-session-single-spu-one-entry.xml');
    assert.throws(() => run(flowSessions, xml), XmlParseError);
  });

  it('fails with XmlParseError on a reply cut short', () => {
    const xml = fixture('flow-session-multi-spu-icmp.xml');
    assert.throws(() => run(flowSessions, xml.slice(0, xml.length / 2)), XmlParseError);
  });
});
