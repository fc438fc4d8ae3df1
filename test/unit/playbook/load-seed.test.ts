import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { loadPlaybook } from '../../../src/playbook/load.ts';
import type { Playbook, Step } from '../../../src/playbook/types.ts';

const FILE = 'playbooks/ah-cleanup.yml';

/** The step at `index`, narrowed to its kind. */
function step<K extends Step['kind']>(p: Playbook, index: number, kind: K): Extract<Step, { kind: K }> {
  const s = p.steps[index];
  assert.equal(s.kind, kind);
  return s as Extract<Step, { kind: K }>;
}

describe('loadPlaybook: playbooks/ah-cleanup.yml', () => {
  let p: Playbook;
  before(async () => {
    p = await loadPlaybook(FILE);
  });

  it('keeps the file, its text and its sha256', () => {
    const bytes = readFileSync(FILE);
    assert.equal(p.file, FILE);
    assert.equal(p.text, bytes.toString('utf8'));
    assert.equal(p.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(p.name, 'Clear dead IPsec AH sessions per VPN peer');
    assert.equal(p.hosts, 'all');
    assert.equal(p.description, undefined);
  });

  it('normalises the vars with their bounds and -e bounds', () => {
    assert.deepStrictEqual(
      p.vars.map((v) => ({ ...v, description: undefined })),
      [
        { name: 'min_total_sessions', type: 'integer', default: 10000, description: undefined, bounds: { minimum: 1 }, overrideBounds: { exclusiveMinimum: 5000 } },
        { name: 'min_peer_sessions', type: 'integer', default: 1000, description: undefined, bounds: { minimum: 1 }, overrideBounds: { exclusiveMinimum: 50 } },
        { name: 'top_peers', type: 'integer', default: 3, description: undefined, bounds: { minimum: 1, maximum: 100 }, overrideBounds: {} },
        { name: 'dry_run', type: 'boolean', default: true, description: undefined, bounds: {}, overrideBounds: {} },
      ],
    );
    assert.equal(p.vars[1].description, 'AH sessions a peer must have to be cleared.');
  });

  it('has the steps in order, each with its name, register and span', () => {
    assert.deepStrictEqual(
      p.steps.map((s) => [s.index, s.kind, s.register, s.at.line, s.at.column]),
      [
        [0, 'collect', 'ah', 44, 5],
        [1, 'analyze', undefined, 56, 5],
        [2, 'analyze', 'peers', 61, 5],
        [3, 'analyze', 'top', 68, 5],
        [4, 'collect', 'sas', 82, 5],
        [5, 'analyze', 'targets', 92, 5],
        [6, 'plan', undefined, 102, 5],
        [7, 'act', undefined, 119, 5],
      ],
    );
    assert.ok(p.steps.every((s) => s.at.file === FILE));
  });

  it('collect: rpc, literal args, item and typed fields', async () => {
    const ah = step(p, 0, 'collect');
    assert.equal(ah.rpc, 'get-flow-session-information');
    assert.equal(ah.item, 'flow-session');
    assert.deepStrictEqual(Object.keys(ah.args), ['protocol']);
    assert.equal(await ah.args.protocol.render({}), 'ah');
    assert.deepStrictEqual(ah.fields, [{ name: 'peer', kind: 'path', path: [{ name: 'flow-information', where: { child: 'direction', equals: 'In' } }, { name: 'source-address' }], type: 'address', required: true }]);
    const sas = step(p, 4, 'collect');
    assert.deepStrictEqual(sas.fields, [
      { name: 'index', kind: 'path', path: [{ name: 'sa-tunnel-index' }], type: 'integer', minimum: 1, maximum: 4294967295, required: true },
      { name: 'gateway', kind: 'path', path: [{ name: 'sa-remote-gateway' }], type: 'address', required: true },
    ]);
    assert.deepStrictEqual(sas.args, {});
    assert.equal(sas.when?.source, '$count(top) > 0');
    assert.deepStrictEqual(sas.when?.names, ['top']);
    assert.deepStrictEqual(sas.when?.at, { file: FILE, line: 84, column: 11 });
  });

  it('analyze require: expression and template, located where written', async () => {
    const s = step(p, 1, 'analyze');
    assert.equal(s.mode, 'require');
    if (s.mode !== 'require') return;
    assert.equal(s.require.source, 'ah.count >= vars.min_total_sessions');
    assert.deepStrictEqual(s.require.names, ['ah', 'vars']);
    assert.deepStrictEqual(s.require.at, { file: FILE, line: 58, column: 16 });
    // A quoted scalar: the text starts after the quote.
    assert.deepStrictEqual(s.otherwise.at, { file: FILE, line: 59, column: 19 });
    const scope = { vars: { min_total_sessions: 10000 }, ah: { count: 42 } };
    assert.equal(await s.require.evaluate(scope), false);
    assert.equal(await s.otherwise.render(scope), '42 AH sessions < min_total_sessions 10000');
  });

  it('analyze pipelines: ops with their defaults filled in', async () => {
    const peers = step(p, 2, 'analyze');
    assert.ok(peers.mode === 'pipeline');
    assert.equal(peers.from.source, 'ah.records');
    assert.deepStrictEqual(peers.pipeline, [{ op: 'count_by', field: 'peer' }]);

    const top = step(p, 3, 'analyze');
    assert.ok(top.mode === 'pipeline');
    const [filter, sort, limit] = top.pipeline;
    assert.ok(filter.op === 'filter' && sort.op === 'sort' && limit.op === 'limit');
    assert.deepStrictEqual(filter.test.names, ['count', 'vars']);
    assert.deepStrictEqual(filter.test.at, { file: FILE, line: 73, column: 19 });
    assert.deepStrictEqual(sort, { op: 'sort', by: 'count', order: 'desc' });
    assert.equal(await limit.count.evaluate({ vars: { top_peers: 3 } }), 3);

    const targets = step(p, 5, 'analyze');
    assert.ok(targets.mode === 'pipeline');
    const [join] = targets.pipeline;
    assert.ok(join.op === 'join');
    assert.equal(join.with.source, 'sas.records');
    assert.deepStrictEqual([join.on, join.collect, join.as, join.distinct], [{ left: 'peer', right: 'gateway' }, 'index', 'indexes', true]);
  });

  it('logs: templates at level 1, and a line said per element', async () => {
    const ah = step(p, 0, 'collect');
    assert.equal(ah.log.length, 2);
    const [first] = ah.log;
    assert.ok(first.kind === 'say');
    assert.equal(first.level, 1);
    const scope = { vars: { min_total_sessions: 10000, min_peer_sessions: 1000, top_peers: 3, dry_run: true } };
    assert.equal(await first.text.render(scope), 'Looking for 10000+ ah sessions and 1000+ peer sessions, top 3 are shown');

    const top = step(p, 3, 'analyze');
    const each = top.log[2];
    assert.ok(each.kind === 'each');
    assert.equal(each.as, 'item');
    assert.equal(each.each.source, 'top');
    assert.deepStrictEqual(each.text.names, ['item']);
    assert.equal(await each.text.render({ item: { peer: '10.0.0.1', count: 1200 } }), '  10.0.0.1 (1200 sessions)');
  });

  it('plan: loops, actions with argument templates, evidence', async () => {
    const plan = step(p, 6, 'plan');
    assert.equal(plan.forEach?.source, 'targets');
    assert.equal(plan.as, 'item');
    assert.deepStrictEqual(
      plan.actions.map((a) => (a.kind === 'rpc' ? [a.rpc, Object.keys(a.args), a.forEach?.source, a.as] : ['config'])),
      [
        ['clear-ike-security-association', ['peer-address'], undefined, 'item'],
        ['clear-ipsec-security-association', ['index'], 'item.indexes', 'index'],
      ],
    );
    const [ike, ipsec] = plan.actions;
    assert.ok(ike.kind === 'rpc' && ipsec.kind === 'rpc');
    assert.equal(await ike.args['peer-address'].render({ item: { peer: '10.1.1.1' } }), '10.1.1.1');
    assert.equal(await ipsec.args.index.render({ index: 67111733 }), 67111733);
    assert.deepStrictEqual(Object.keys(plan.evidence), ['ah_sessions', 'unique_peers', 'top_peers', 'indexes']);
    assert.deepStrictEqual(plan.evidence.unique_peers.names, ['peers']);
    assert.equal(plan.syslog?.source, "{{ vars.dry_run ? 'dry_run: found' : 'selected' }} {{ $count(targets) }} peers to clear - {{ $join(targets.peer, ' ') }}");
    assert.equal(
      await plan.syslog?.render({ vars: { dry_run: true }, targets: [{ peer: 'a' }, { peer: 'b' }] }),
      'dry_run: found 2 peers to clear - a b',
    );
  });

  it('act: on_error, and verify re-running the AH collect', () => {
    const act = step(p, 7, 'act');
    assert.equal(act.onError, 'continue');
    assert.deepStrictEqual(act.verify, ['ah']);
    assert.ok(act.syslog);
  });

  it('playbook syslog templates', async () => {
    assert.equal(await p.syslog.start?.render({}), 'starting flow session table scan.');
    assert.equal(await p.syslog.end?.render({}), 'all done, exiting.');
  });
});
