import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTablePath, tableExtractor, type TableField, type TableSpec } from '../../../src/junos/table.ts';
import { ReplyReader } from '../../../src/transport/reply-reader.ts';
import { fixture, run, runBoth } from './helpers.ts';

function field(name: string, source: string, type: 'string' | 'integer' | 'number' = 'string'): TableField {
  const parsed = parseTablePath(source);
  if ('error' in parsed) throw new Error(parsed.error);
  return { name, kind: 'path', path: parsed.steps, type };
}

/** The collect of playbooks/ah-cleanup.yml. */
const AH_COLLECT: TableSpec = { item: 'flow-session', fields: [field('peer', "flow-information[direction='In']/source-address")] };

describe('tableExtractor', () => {
  it("reads the ah-cleanup collect: each session's In-wing source address", () => {
    const r = runBoth(() => tableExtractor(AH_COLLECT), fixture('flow-session-esp-ike-mixed-15.1X49.xml'));
    assert.equal(r.count, r.records.length);
    assert.deepEqual(r.records.slice(0, 2), [{ peer: '2.1.1.1' }, { peer: '2.1.1.1' }]);
    assert.deepEqual(r.nodes, []);
  });

  it('tells the node and SPU of every item, over all blocks and cluster nodes', () => {
    const spec: TableSpec = {
      item: 'flow-session',
      fields: [
        field('id', 'session-identifier', 'integer'),
        field('from', "flow-information[direction='In']/source-address"),
        field('port', "flow-information[direction='Out']/destination-port", 'number'),
        field('missing', 'no-such/element'),
        { name: 'node', kind: 'context', context: 'node' },
        { name: 'spu', kind: 'context', context: 'spu' },
      ],
    };
    const r = runBoth(() => tableExtractor(spec), fixture('flow-session-cluster-multi-spu-3-entries.xml'));
    assert.equal(r.count, 3);
    assert.deepEqual(r.nodes, ['node0', 'node1']);
    assert.deepEqual(
      r.records.map((x) => [x.node, x.spu, x.from, x.missing, typeof x.id, typeof x.port]),
      [
        ['node0', 'FPC0 PIC1', '192.168.100.2', null, 'number', 'number'],
        ['node0', 'FPC0 PIC1', '192.168.100.2', null, 'number', 'number'],
        ['node0', 'FPC0 PIC3', '192.168.100.2', null, 'number', 'number'],
      ],
    );
  });

  it('builds only what its paths name, and reads the same as from whole elements', () => {
    const xml = fixture('flow-session-cluster-multi-spu-3-entries.xml');
    const x = tableExtractor(AH_COLLECT);
    assert.deepEqual([...(x.keep ?? [])].sort(), ['direction', 'flow-information', 'source-address']);
    const pruned = run(() => tableExtractor(AH_COLLECT), xml);
    const whole = run(() => {
      const t = tableExtractor(AH_COLLECT);
      return { ...t, keep: undefined };
    }, xml);
    assert.deepEqual(pruned, whole);
  });

  it('makes plain records: JSON-able, equal to literals, Object.prototype', () => {
    const r = run(() => tableExtractor(AH_COLLECT), fixture('flow-session-single-spu-multi-entry.xml'));
    assert.ok(r.records.length > 1);
    for (const rec of r.records) {
      assert.equal(Object.getPrototypeOf(rec), Object.prototype);
      assert.deepStrictEqual(rec, { peer: rec.peer });
      assert.deepEqual(JSON.parse(JSON.stringify(rec)), rec);
    }
  });

  it('reports progress every N items', () => {
    const seen: number[] = [];
    const xml = `<rpc-reply>${'<flow-session><flow-information><direction>In</direction><source-address>9.9.9.9</source-address></flow-information></flow-session>'.repeat(7)}</rpc-reply>`;
    const r = run(() => tableExtractor(AH_COLLECT, { progressEvery: 3, onProgress: (n) => seen.push(n) }), xml);
    assert.equal(r.count, 7);
    assert.deepEqual(seen, [3, 6]);
    assert.ok(r.records.every((x) => x.peer === '9.9.9.9'));
  });

  it('through the reply reader, rpc-errors are still read whole wherever they sit', () => {
    const read = (xml: string, spec: TableSpec) => {
      const table = tableExtractor(spec);
      const reader = new ReplyReader('rpc-reply', table);
      const bytes = Buffer.from(xml);
      for (let i = 0; i < bytes.length; i += 5) reader.push(bytes.subarray(i, i + 5));
      return { outcome: reader.finish(), table: table.result() };
    };
    const nested = read(`<rpc-reply>${fixture('rpc-error-embedded-in-reply-interface-not-found.xml')}</rpc-reply>`, {
      item: 'interface-information',
      fields: [field('name', 'physical-interface/name')],
    });
    assert.deepEqual(nested.outcome.errors, [{ severity: 'error', message: 'device ge-1/0/1 not found', type: 'protocol', tag: 'operation-failed', sourceDaemon: 'ifinfo' }]);
    assert.deepEqual(nested.table.records, [{ name: null }]);

    const top = read(fixture('rpc-error-get-configuration-permission-denied.xml'), AH_COLLECT);
    assert.deepEqual(top.outcome.errors.map((e) => [e.message, e.badElement]), [['permission denied', 'system']]);
    assert.equal(top.table.count, 0);
  });
});
