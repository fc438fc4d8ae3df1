import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noAudit } from '../../../src/contracts/audit.ts';
import type { PlannedAction } from '../../../src/contracts/results.ts';
import type { RpcOptions, RpcReply, RpcSession } from '../../../src/contracts/session.ts';
import { parsePlaybook } from '../../../src/playbook/load.ts';
import type { ActStep, CollectStep } from '../../../src/playbook/types.ts';
import { actStep } from '../../../src/steps/act.ts';
import { runCollect } from '../../../src/steps/collect.ts';
import type { StepContext } from '../../../src/steps/step-result.ts';
import { runVerify } from '../../../src/steps/verify.ts';
import { parseString } from '../../../src/xml/element-stream.ts';

const playbook = parsePlaybook(
  `name: Flow aging
hosts: all
steps:
  - name: Flow
    register: flow
    collect:
      rpc: get-configuration
      item: flow
      fields:
        early_ageout: { path: aging/early-ageout, type: integer }
  - name: Plan
    plan:
      actions:
        - config:
            - set security flow aging early-ageout 30
  - name: Act
    act:
      verify: [flow]
      verify_that:
        - flow.records[0].early_ageout = 30 and before.flow.records[0].early_ageout = 20
`,
  'flow.yml',
);
const collect = playbook.steps[0] as CollectStep;
const act = playbook.steps[2] as ActStep;
const statement: PlannedAction = { rpc: 'load-configuration', args: {}, cli: 'set security flow aging early-ageout 30', changesState: true, config: 'set security flow aging early-ageout 30' };
const clear: PlannedAction = { rpc: 'clear-ike-security-association', args: { 'peer-address': '10.0.0.1' }, cli: 'clear security ike security-associations 10.0.0.1', changesState: true };
const DIFF = '[edit security flow aging]\n-    early-ageout 20;\n+    early-ageout 30;';

/** A device's flow aging: the candidate takes the loaded value, a commit makes it the running one. */
class FakeConfig implements RpcSession {
  readonly received: string[] = [];
  running = 20;
  candidate = 20;
  failCollect = false;

  async rpc(body: string, options: RpcOptions = {}): Promise<RpcReply> {
    const rpc = /<([\w-]+)[\s/>]/.exec(body.replace(/^<rpc>/, ''))?.[1] ?? 'rpc';
    this.received.push(body.includes('compare=') ? 'compare' : rpc);
    if (rpc === 'load-configuration') this.candidate = Number(/early-ageout (\d+)/.exec(body)?.[1] ?? this.candidate);
    if (rpc === 'commit-configuration' && !body.includes('<check/>')) this.running = this.candidate;
    if (rpc === 'get-configuration' && !body.includes('compare=') && this.failCollect) throw new Error('the session broke');
    const xml = `<rpc-reply>${this.answer(rpc, body)}</rpc-reply>`;
    if (options.handler) parseString(options.handler, xml);
    return { rpc, ok: true, errors: [], warnings: [], bytes: xml.length, ms: 0 };
  }

  async close(): Promise<void> {}

  private answer(rpc: string, body: string): string {
    if (body.includes('compare=')) return `<configuration-information><configuration-output>${this.candidate === this.running ? '' : DIFF}</configuration-output></configuration-information>`;
    if (rpc === 'get-configuration') return `<configuration><security><flow><aging><early-ageout>${this.running}</early-ageout></aging></flow></security></configuration>`;
    if (rpc === 'commit-configuration') return '<commit-results><routing-engine><name>re0</name><commit-success/></routing-engine></commit-results>';
    return '<ok/>';
  }
}

async function contextOn(device: FakeConfig, plan: readonly PlannedAction[], more: Partial<StepContext> = {}): Promise<StepContext & { phases: string[] }> {
  const flow = await runCollect(collect, {}, device, () => undefined);
  device.received.length = 0;
  const phases: string[] = [];
  return { scope: { flow }, session: device, playbook, dryRun: false, audit: noAudit, plan, progress: () => undefined, phaseStart: (_p, label) => phases.push(label), phases, ...more };
}

describe('runVerify: re-collect the verify tables, check verify_that with the earlier ones under before', () => {
  it('binds the fresh table and `before`, counts before and after, and says so', async () => {
    const device = new FakeConfig();
    const ctx = await contextOn(device, []);
    device.running = 30;
    const v = await runVerify(act, ctx);
    assert.equal(v?.problem, undefined);
    assert.deepEqual(v?.counts, { flow: { before: 1, after: 1 } });
    assert.equal((v?.bind.before as Record<string, unknown>).flow, ctx.scope.flow);
    assert.deepEqual(v?.log.map((e) => e.text), ['verify flow: 1 before, 1 after']);
    assert.deepEqual(ctx.phases, ['verify flow']);
  });

  it('a check that is false, or a re-collect that cannot run, is a problem, never a throw', async () => {
    const device = new FakeConfig();
    const ctx = await contextOn(device, []);
    assert.equal((await runVerify(act, ctx))?.problem, 'flow.records[0].early_ageout = 30 and before.flow.records[0].early_ageout = 20 is false');
    device.failCollect = true;
    const broke = await runVerify(act, ctx);
    assert.equal(broke?.problem, 'verify could not run: the session broke');
    assert.deepEqual(broke?.counts, {});
  });

  it('verifies nothing when the step names nothing: no phase, no outcome', async () => {
    const device = new FakeConfig();
    const ctx = await contextOn(device, []);
    assert.equal(await runVerify({ ...act, verify: [], verifyThat: [] }, ctx), undefined);
    assert.deepEqual(ctx.phases, []);
  });
});

describe('actStep: the act step as a plain result', () => {
  it('with nothing planned sends nothing, and its syslog line is not due', async () => {
    const device = new FakeConfig();
    assert.deepEqual(await actStep(act, await contextOn(device, [])), { status: 'done', log: [], acted: false });
    assert.deepEqual(device.received, []);
  });

  it('commits a change between commit confirmed and the confirming commit only once verify holds', async () => {
    const device = new FakeConfig();
    const r = await actStep(act, await contextOn(device, [statement]));
    assert.equal(r.failure, undefined);
    assert.equal(r.act?.config?.result, 'committed');
    assert.deepEqual(r.act?.verify, { flow: { before: 1, after: 1 } });
    assert.equal(r.count, 1);
    assert.equal(r.acted, true);
    assert.deepEqual(device.received, ['lock', 'load-configuration', 'compare', 'commit-configuration', 'get-configuration', 'commit-configuration', 'unlock']);
    assert.deepEqual(r.log.map((e) => e.text).slice(0, 2), ['verify flow: 1 before, 1 after', 'configuration diff (show | compare):']);
    assert.ok(r.bind && 'before' in r.bind);
  });

  it('a reviewed change whose diff drifted, with nothing else sent, stops the host: skipped, not failed', async () => {
    const device = new FakeConfig();
    const r = await actStep(act, await contextOn(device, [statement], { reviewedDiff: '[edit]\n+ something else' }));
    assert.equal(r.failure, undefined);
    assert.deepEqual(r.stop, { reason: 'the configuration diff is not the one reviewed: the device changed since the plan was made' });
    assert.equal(r.act?.config?.result, 'drifted');
    assert.equal(device.running, 20);
  });

  it('a drifted change after other RPCs were sent is a failure: the reviewed plan is half done', async () => {
    const device = new FakeConfig();
    const noVerify = { ...act, verify: [], verifyThat: [] };
    const r = await actStep(noVerify, await contextOn(device, [clear, statement], { reviewedDiff: '[edit]\n+ something else' }));
    assert.equal(r.stop, undefined);
    assert.deepEqual(r.failure, {
      phase: 'act',
      kind: 'drifted',
      message: 'the configuration diff is not the one reviewed: the device changed since the plan was made; the other actions were sent',
      step: 'Act',
    });
    assert.deepEqual(r.act?.actions.map((a) => a.status), ['sent', 'skipped']);
  });
});
