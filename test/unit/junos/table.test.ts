import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTablePath, tableExtractor, type TableField, type TableSpec } from '../../../src/junos/table.ts';
import { contextField, countField, listField, pathField } from '../../../src/junos/tables/named-table.ts';
import { ReplyReader } from '../../../src/transport/reply-reader.ts';
import { fixture, run, runBoth } from './helpers.ts';
import { readdirSync } from 'node:fs';
import type { Extractor } from '../../../src/junos/extractor.ts';
import { SpuTracker } from '../../../src/junos/spu.ts';
import { NAMED_TABLES, viewReader } from '../../../src/junos/tables/index.ts';
import { JUNOS_FIXTURES } from '../../helpers/fixtures.ts';

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
    // Text is kept only where a path ends or a predicate looks, and where the node and SPU are named.
    assert.deepEqual([...(x.textOf ?? [])].filter((n) => !['re-name', ...SpuTracker.ITEMS].includes(n)).sort(), ['direction', 'source-address']);
    const pruned = run(() => tableExtractor(AH_COLLECT), xml);
    const whole = run(() => {
      const t = tableExtractor(AH_COLLECT);
      return { ...t, keep: undefined, textOf: undefined };
    }, xml);
    assert.deepEqual(pruned, whole);
  });

  it('every named table reads every fixture the same from pruned elements (keep, textOf) as from whole ones', () => {
    for (const file of readdirSync(JUNOS_FIXTURES).filter((f) => f.endsWith('.xml'))) {
      const xml = fixture(file);
      for (const table of NAMED_TABLES.values()) {
        const outcome = (make: () => Extractor<unknown>) => {
          try {
            return run(make, xml, 13);
          } catch (err) {
            return { threw: (err as Error).message };
          }
        };
        const pruned = outcome(() => viewReader(table));
        const whole = outcome(() => Object.assign(viewReader(table), { keep: undefined, textOf: undefined }));
        assert.deepEqual(pruned, whole, `${table.name} over ${file}`);
      }
    }
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

describe('tableExtractor: what the named tables declare', () => {
  const sa = (inner: string) => `<sa>${inner}</sa>`;

  it('group/item reads each item of a group, ../name reaches the group, alternatives are tried in order', () => {
    const spec: TableSpec = {
      item: 'block/sa | sa',
      fields: [pathField('index', 'index | ../index', { type: 'integer' }), pathField('vpn', '../vpn'), contextField('from', 'item')],
    };
    const xml = `<r><block><index>7</index><vpn>v1</vpn>${sa('')}${sa('<index>8</index>')}</block>${sa('<index>9</index>')}</r>`;
    const r = runBoth(() => tableExtractor(spec), xml);
    assert.deepStrictEqual(r.records, [
      { index: 7, vpn: 'v1', from: 'block' },
      { index: 8, vpn: 'v1', from: 'block' },
      { index: 9, vpn: null, from: 'sa' },
    ]);
    assert.equal(r.skipped, undefined, 'no key field, no skipped count');
  });

  it('a pattern narrows the text, a map names it, a lenient field reads text not of its type as null', () => {
    const spec: TableSpec = {
      item: 'sa',
      fields: [
        countField('life', 'life', { pattern: '\\d{1,15}' }),
        pathField('dir', 'dir', { map: { '<': 'inbound', outbound: 'outbound' } }),
        countField('size', 'size'),
      ],
    };
    const xml = `<r>${sa('<life>Expires in 3538 seconds</life><dir>&lt;</dir><size>unlimited</size>')}${sa('<life>Disabled</life><dir>OUTBOUND</dir><size>-4</size>')}${sa('<dir>sideways</dir><size>12</size>')}</r>`;
    assert.deepStrictEqual(runBoth(() => tableExtractor(spec), xml).records, [
      { life: 3538, dir: 'inbound', size: null },
      { life: null, dir: 'outbound', size: null },
      { life: null, dir: null, size: 12 },
    ]);
    // Not lenient: the same text fails the table, naming record and field.
    assert.throws(() => run(() => tableExtractor({ item: 'sa', fields: [pathField('size', 'size', { type: 'integer' })] }), xml), /sa record 1: field size \(size\): the device's value is "unlimited", not an integer/);
  });

  it('a record without its key (absent, or not of its type) is left out and counted', () => {
    const spec: TableSpec = { item: 'sa', fields: [pathField('peer', 'peer', { type: 'address', key: true }), countField('n', 'n')] };
    const r = runBoth(() => tableExtractor(spec), `<r>${sa('<peer>10.0.0.1</peer><n>1</n>')}${sa('<n>2</n>')}${sa('<peer>not-an-address</peer><n>3</n>')}</r>`);
    assert.deepStrictEqual([r.count, r.skipped, r.records], [3, 2, [{ peer: '10.0.0.1', n: 1 }]]);
    // A record left out fails nothing, whatever else it holds; a kept one still does.
    const strict: TableSpec = { item: 'sa', fields: [pathField('n', 'n', { type: 'integer' }), pathField('peer', 'peer', { type: 'address', key: true })] };
    assert.deepStrictEqual(runBoth(() => tableExtractor(strict), `<r>${sa('<n>x</n>')}${sa('<n>4</n><peer>10.0.0.2</peer>')}</r>`).records, [{ n: 4, peer: '10.0.0.2' }]);
    assert.throws(() => run(() => tableExtractor(strict), `<r>${sa('<n>x</n><peer>10.0.0.2</peer>')}</r>`), /sa record 1: field n \(n\)/);
  });

  it("block/* gathers a block's loose children into one item, with the SPU named inside it", () => {
    const spec: TableSpec = { item: 'flow-session-information/*', fields: [contextField('spu', 'spu'), countField('count', 'displayed-session-count', { key: true })] };
    const block = (pic: number, inner: string) => `<flow-session-information><flow-fpc-pic-id> on FPC0 PIC${pic}:</flow-fpc-pic-id>${inner}</flow-session-information>`;
    const r = runBoth(() => tableExtractor(spec), `<r>${block(1, '<displayed-session-count>4</displayed-session-count>')}${block(2, '')}${block(3, '<displayed-session-count>0</displayed-session-count>')}</r>`);
    assert.deepStrictEqual(r.records, [{ spu: 'FPC0 PIC1', count: 4 }, { spu: 'FPC0 PIC3', count: 0 }]);
  });

  it('list fields, tallied values with their node, counted blocks, and records handed to onRecord', () => {
    const spec: TableSpec = {
      item: 'flow-session',
      fields: [countField('id', 'session-identifier'), listField('wings', 'flow-information', [pathField('dir', 'direction'), countField('port', 'source-port')])],
      values: ['displayed-session-count'],
      opened: ['flow-session-information'],
    };
    const got: unknown[] = [];
    const xml = fixture('flow-session-cluster-multi-spu-both-nodes.xml');
    const r = run(() => tableExtractor(spec, { onRecord: (x) => got.push(x) }), xml);
    assert.deepStrictEqual(r.records, [], 'records went to onRecord');
    assert.deepStrictEqual(got.map((x) => (x as { wings: { dir: string }[] }).wings.map((w) => w.dir)), [['In', 'Out'], ['In', 'Out']]);
    assert.deepStrictEqual(r.values?.['displayed-session-count'], [1, 0, 0, 1, 0, 0].map((value, i) => ({ value, node: i < 3 ? 'node0' : 'node1' })));
    assert.deepStrictEqual(r.opened, { 'flow-session-information': 6 });
  });
});
