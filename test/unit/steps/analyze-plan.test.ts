import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePlaybook } from '../../../src/playbook/load.ts';
import type { AnalyzeStep, PlanStep } from '../../../src/playbook/types.ts';
import { runAnalyze } from '../../../src/steps/analyze.ts';
import { runPlan } from '../../../src/steps/plan.ts';
import { readFileSync } from 'node:fs';
import { compileExpression } from '../../../src/expr/index.ts';

/** The shipped playbook's steps, run on in-memory data: no device, no network. */
const playbook = parsePlaybook(readFileSync('playbooks/ah-cleanup.yml', 'utf8'), 'playbooks/ah-cleanup.yml');
const step = (name: string) => {
  const s = playbook.steps.find((x) => x.name === name);
  assert.ok(s, name);
  return s;
};

function ahTable(perPeer: [string, number][]): { count: number; records: { peer: string }[]; nodes: string[] } {
  // Interleave peers the way a flow table does, keeping first-appearance order.
  const records: { peer: string }[] = [];
  const left = perPeer.map(([p, n]) => [p, n] as [string, number]);
  while (left.some(([, n]) => n > 0)) for (const e of left) if (e[1]-- > 0) records.push({ peer: e[0] });
  return { count: records.length, records, nodes: [] };
}

const vars = { min_total_sessions: 10000, min_peer_sessions: 50, top_peers: 3, dry_run: true };

describe('ah-cleanup analyze and plan steps (pure)', () => {
  it('the require gate stops with the seed-like reason below min_total_sessions', async () => {
    const scope = { vars, ah: ahTable([['1.0.0.1', 10], ['1.0.0.2', 5]]) };
    const r = await runAnalyze(step('Enough AH sessions') as AnalyzeStep, scope);
    assert.deepEqual(r, { kind: 'stop', reason: '15 AH sessions < min_total_sessions 10000', evidence: {} });
    const pass = await runAnalyze(step('Enough AH sessions') as AnalyzeStep, { vars: { ...vars, min_total_sessions: 15 }, ah: scope.ah });
    assert.deepEqual(pass, { kind: 'pass', evidence: {} });
  });

  it('counts per peer in order of first appearance, keeps peers over the threshold, most first, ties by appearance, top N', async () => {
    const ah = ahTable([['9.0.0.1', 10], ['2.0.0.146', 62], ['1.0.0.42', 58], ['2.0.0.150', 62], ['3.0.0.1', 49], ['4.0.0.9', 50], ['5.0.0.5', 61]]);
    const peers = await runAnalyze(step('Count sessions per peer') as AnalyzeStep, { vars, ah });
    assert.equal(peers.kind, 'rows');
    assert.deepEqual(peers.kind === 'rows' && peers.rows.map((r) => r.peer), ['9.0.0.1', '2.0.0.146', '1.0.0.42', '2.0.0.150', '3.0.0.1', '4.0.0.9', '5.0.0.5']);
    const top = await runAnalyze(step('Select the top peers') as AnalyzeStep, { vars, ah, peers: peers.kind === 'rows' ? peers.rows : [] });
    assert.deepEqual(top.kind === 'rows' && top.rows, [
      { peer: '2.0.0.146', count: 62 },
      { peer: '2.0.0.150', count: 62 },
      { peer: '5.0.0.5', count: 61 },
    ]);
  });

  it('joins each top peer to its distinct tunnel indexes in order of first appearance, and plans IKE then IPsec clears', async () => {
    const top = [{ peer: '4.0.0.2', count: 54 }, { peer: '1.0.0.7', count: 51 }];
    const sas = {
      count: 6,
      nodes: [],
      records: [
        { index: 67111733, gateway: '4.0.0.2' },
        { index: 67111733, gateway: '4.0.0.2' },
        { index: 5, gateway: '8.8.8.8' },
        { index: 67111724, gateway: '4.0.0.2' },
        { index: 67111734, gateway: '4.0.0.2' },
        { index: 7, gateway: '1.0.0.7' },
      ],
    };
    const targets = await runAnalyze(step('Tunnel indexes of each top peer') as AnalyzeStep, { vars, top, sas });
    assert.ok(targets.kind === 'rows');
    assert.deepEqual(targets.rows, [
      { peer: '4.0.0.2', count: 54, indexes: [67111733, 67111724, 67111734] },
      { peer: '1.0.0.7', count: 51, indexes: [7] },
    ]);
    const plan = await runPlan(step('Plan the clears') as PlanStep, { vars, top, sas, targets: targets.rows, peers: [], ah: ahTable([]) });
    assert.deepEqual(plan.actions.map((a) => a.cli), [
      'clear security ike security-associations 4.0.0.2',
      'clear security ipsec security-associations index 67111733',
      'clear security ipsec security-associations index 67111724',
      'clear security ipsec security-associations index 67111734',
      'clear security ike security-associations 1.0.0.7',
      'clear security ipsec security-associations index 7',
    ]);
    assert.deepEqual(plan.actions[0], { rpc: 'clear-ike-security-association', args: { 'peer-address': '4.0.0.2' }, cli: 'clear security ike security-associations 4.0.0.2', changesState: true });
    assert.equal(plan.evidence.unique_peers, 0);
  });

  it('refuses to plan an RPC argument that a device value would turn into markup', async () => {
    const targets = [{ peer: '4.0.0.2</peer-address><x>', count: 54, indexes: [1] }];
    await assert.rejects(runPlan(step('Plan the clears') as PlanStep, { vars, targets, top: [], peers: [], ah: ahTable([]) }), /peer-address/);
  });
});

describe('analyze reads a register\'s list directly', () => {
  it('gives the same rows as the sandboxed expression, and leaves the records as they were', async () => {
    const ah = ahTable([['1.0.0.1', 700], ['1.0.0.2', 300], ['1.0.0.3', 2]]);
    const frozen = JSON.stringify(ah);
    const direct = await runAnalyze(step('Count sessions per peer') as AnalyzeStep, { vars, ah });
    const viaExpression = await runAnalyze({ ...(step('Count sessions per peer') as AnalyzeStep), from: compileExpression('ah.records[true]', { file: 'x.yml', line: 1, column: 1 }) } as AnalyzeStep, { vars, ah });
    assert.deepEqual(direct, viaExpression);
    assert.deepEqual(direct.kind === 'rows' && direct.rows, [
      { peer: '1.0.0.1', count: 700 },
      { peer: '1.0.0.2', count: 300 },
      { peer: '1.0.0.3', count: 2 },
    ]);
    assert.equal(JSON.stringify(ah), frozen);
  });

  it("reads a join's `with: sas.records` as it is too: the same rows, without evaluating the expression", async () => {
    const join = step('Tunnel indexes of each top peer') as AnalyzeStep;
    assert.ok(join.mode !== 'require');
    const top = [{ peer: '1.0.0.1', count: 700 }, { peer: '1.0.0.2', count: 300 }];
    const sas = { count: 4, nodes: [], records: [{ index: 7, gateway: '1.0.0.1' }, { index: 9, gateway: '1.0.0.2' }, { index: 7, gateway: '1.0.0.1' }, { index: 8, gateway: '1.0.0.1' }] };
    const frozen = JSON.stringify(sas);
    const op = join.pipeline[0]!;
    assert.ok(op.op === 'join');
    const evaluated: string[] = [];
    const counting = { ...op, with: { ...op.with, evaluate: async (scope: Readonly<Record<string, unknown>>) => (evaluated.push(op.with.source), op.with.evaluate(scope)) } };
    const direct = await runAnalyze({ ...join, pipeline: [counting] } as AnalyzeStep, { vars, top, sas });
    assert.deepEqual(evaluated, []);
    const viaExpression = await runAnalyze({ ...join, pipeline: [{ ...op, with: compileExpression('sas.records[true]', { file: 'x.yml', line: 1, column: 1 }) }] } as AnalyzeStep, { vars, top, sas });
    assert.deepEqual(direct, viaExpression);
    assert.deepEqual(direct.kind === 'rows' && direct.rows, [
      { peer: '1.0.0.1', count: 700, indexes: [7, 8] },
      { peer: '1.0.0.2', count: 300, indexes: [9] },
    ]);
    assert.equal(JSON.stringify(sas), frozen);
  });
});

describe('analyze evidence: recorded when the step has run, whatever it decides', () => {
  const guard = parsePlaybook(readFileSync('playbooks/session-table-guard.yml', 'utf8'), 'playbooks/session-table-guard.yml');
  const guardStep = (name: string) => guard.steps.find((s) => s.name === name) as AnalyzeStep;
  const summary = {
    count: 3,
    nodes: [],
    records: [
      { node: null, spu: 'FPC0 PIC1', active: 100, max: 1000 },
      { node: null, spu: 'FPC0 PIC2', active: 0, max: 0 },
      { node: null, spu: 'FPC0 PIC3', active: 450, max: 1000 },
    ],
  };
  const guardVars = { high_watermark: 80 };

  it("session-table-guard's watermark test records the use per SPU when it stops the host below the watermark", async () => {
    const usage = await runAnalyze(guardStep('Use per SPU'), { vars: guardVars, summary });
    assert.ok(usage.kind === 'rows');
    const spus = [
      { node: null, spu: 'FPC0 PIC3', active: 450, max: 1000, percent: 45 },
      { node: null, spu: 'FPC0 PIC1', active: 100, max: 1000, percent: 10 },
    ];
    assert.deepEqual(usage.rows, spus);
    const below = await runAnalyze(guardStep('Above the high watermark'), { vars: guardVars, summary, usage: usage.rows });
    assert.deepEqual(below, { kind: 'stop', reason: 'session tables at most 45% full, below the high watermark 80%', evidence: { busiest_percent: 45, high_watermark: 80, spus } });
    const above = await runAnalyze(guardStep('Above the high watermark'), { vars: { high_watermark: 40 }, summary, usage: usage.rows });
    assert.deepEqual(above, { kind: 'pass', evidence: { busiest_percent: 45, high_watermark: 40, spus } });
  });

  it('an expression that gives nothing records nothing; a pipeline reads its own rows by its register', async () => {
    const none = await runAnalyze(guardStep('Above the high watermark'), { vars: guardVars, summary, usage: [] });
    assert.deepEqual(none.evidence, { high_watermark: 80, spus: [] });
    const own = parsePlaybook(
      `name: x
steps:
  - name: Count
    register: peers
    analyze:
      from: vars.list
      pipeline: [ { count_by: value } ]
      evidence:
        peers: $count(peers)
        top: peers[0].value
vars: { list: { type: string, default: "" } }
`,
      'x.yml',
    ).steps[0] as AnalyzeStep;
    const r = await runAnalyze(own, { vars: { list: ['a', 'b', 'a'] } });
    assert.deepEqual(r.evidence, { peers: 2, top: 'a' });
  });
});
