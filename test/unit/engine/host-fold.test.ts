import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActionResult, ConfigOutcome, PlannedAction } from '../../../src/contracts/results.ts';
import { foldConnect, foldFailure, foldStep, hostResult, startFold, type HostFold } from '../../../src/engine/host-fold.ts';
import type { StepResult } from '../../../src/steps/step-result.ts';

const host = { name: 'srx1', groups: ['edge'], vars: { min: 2 }, dryRun: false };
const time = { startedAt: '2026-01-01T00:00:00.000Z', ms: 5 };
const collect = { index: 0, name: 'Sessions', kind: 'collect' } as const;
const plan = { index: 1, name: 'Plan', kind: 'plan' } as const;
const act = { index: 2, name: 'Act', kind: 'act' } as const;

const clear: PlannedAction = { rpc: 'clear-ike-security-association', args: { 'peer-address': '10.0.0.1' }, cli: 'clear security ike security-associations 10.0.0.1', changesState: true };
const statement: PlannedAction = { rpc: 'load-configuration', args: {}, cli: 'set a', changesState: true, config: 'set a' };
const config = (result: ConfigOutcome['result'], diff = '+ a'): ConfigOutcome => ({ statements: ['set a'], diff, result, warnings: [], trail: [] });

function fold(state: HostFold, ...steps: [Parameters<typeof foldStep>[1], StepResult][]): HostFold {
  return steps.reduce((s, [step, r]) => foldStep(s, step, r, 1), state);
}

const connected = () => foldConnect(startFold(host), { log: [] });

describe('the host fold: step results into the host result, purely', () => {
  it('starts with the vars and host facts in scope, and a connect says its retries and attempts', () => {
    const s = foldConnect(startFold(host), { log: [{ level: 1, text: 'connect attempt 1 of 2 failed', step: 'connect' }], attempts: 2 });
    assert.deepEqual({ ...s.scope }, { vars: { min: 2 }, host: { name: 'srx1', groups: ['edge'] } });
    const r = hostResult(s, host, time);
    assert.equal(r.status, 'ok');
    assert.equal(r.connectAttempts, 2);
    assert.deepEqual(r.log.map((e) => e.text), ['connect attempt 1 of 2 failed']);
    assert.deepEqual(r, { host: 'srx1', status: 'ok', connectAttempts: 2, vars: { min: 2 }, dryRun: false, evidence: {}, plan: [], actions: [], steps: [], log: s.log, ...time });
  });

  it('a connect that failed ends the host: unreachable when not reached, failed when the session broke', () => {
    const refused = foldConnect(startFold(host), { log: [], failure: { phase: 'connect', kind: 'auth', message: 'denied' } });
    assert.equal(refused.ended, true);
    assert.equal(hostResult(refused, host, time).status, 'unreachable');
    const broke = foldConnect(startFold(host), { log: [], failure: { phase: 'connect', kind: 'closed', message: 'gone' } });
    assert.equal(hostResult(broke, host, time).status, 'failed');
    assert.deepEqual(hostResult(broke, host, time).error, { phase: 'connect', kind: 'closed', message: 'gone' });
  });

  it('binds a step\'s register for the steps after it, and gathers evidence, steps and log in order', () => {
    const table = { count: 3, records: [] };
    const s = fold(
      connected(),
      [collect, { status: 'done', count: 3, bind: { ah: table }, evidence: { 'ah.count': 3 }, log: [{ level: 1, text: 'three', step: 'Sessions' }] }],
      [plan, { status: 'skipped', log: [] }],
    );
    assert.equal(s.scope.ah, table);
    assert.deepEqual(s.evidence, { 'ah.count': 3 });
    assert.deepEqual(s.steps, [
      { index: 0, name: 'Sessions', kind: 'collect', status: 'done', count: 3, ms: 1 },
      { index: 1, name: 'Plan', kind: 'plan', status: 'skipped', ms: 1 },
    ]);
    assert.deepEqual(s.log.map((e) => e.text), ['three']);
    assert.equal(s.ended, false);
  });

  it('a step that stops the host ends it skipped, with the reason', () => {
    const s = fold(connected(), [collect, { status: 'done', stop: { reason: '1 < 2' }, log: [] }]);
    assert.equal(s.ended, true);
    const r = hostResult(s, host, time);
    assert.equal(r.status, 'skipped');
    assert.equal(r.reason, '1 < 2');
    assert.equal(r.error, undefined);
  });

  it('a failed step ends the host failed with its failure; a failure in a done act lets the run go on', () => {
    const failure = { phase: 'collect', kind: 'rpc-error', message: 'no', step: 'Sessions' } as const;
    const failed = fold(connected(), [collect, { status: 'failed', failure, log: [] }]);
    assert.equal(failed.ended, true);
    assert.deepEqual(hostResult(failed, host, time).error, failure);
    assert.equal(hostResult(failed, host, time).status, 'failed');
    const sent: ActionResult = { action: clear, status: 'failed', error: { phase: 'act', kind: 'rpc-error', message: 'refused' } };
    const actFailed = fold(connected(), [act, { status: 'done', count: 0, act: { actions: [sent] }, failure: { ...sent.error!, step: 'Act' }, log: [] }]);
    assert.equal(actFailed.ended, false);
    assert.equal(hostResult(actFailed, host, time).status, 'failed');
    assert.deepEqual(hostResult(actFailed, host, time).actions, [sent]);
  });

  it('a failure outside any step ends the host failed', () => {
    const s = foldFailure(connected(), { phase: 'collect', kind: 'expression', message: 'bad syslog line' });
    assert.equal(s.ended, true);
    assert.equal(hostResult(s, host, time).status, 'failed');
  });

  it('the act sends the last plan; its actions, configuration change and verify become the host\'s', () => {
    const s = fold(
      connected(),
      [plan, { status: 'done', count: 1, plan: { actions: [clear], reviewedDiff: '+ a' }, log: [] }],
      [act, { status: 'done', count: 1, act: { actions: [{ action: clear, status: 'sent', reply: { messages: [], warnings: [] } }], verify: { ah: { before: 3, after: 1 } } }, log: [] }],
    );
    assert.deepEqual(s.plan, [clear]);
    assert.equal(s.reviewedDiff, '+ a');
    const r = hostResult(s, host, time);
    assert.equal(r.status, 'changed');
    assert.deepEqual(r.verify, { ah: { before: 3, after: 1 } });
    assert.equal('config' in r, false);
  });

  it('changed: a state-changing RPC sent or a committed change; in a dry run, one that would be', () => {
    const withAct = (a: NonNullable<StepResult['act']>, planned: PlannedAction[], dryRun: boolean) =>
      hostResult(fold(connected(), [plan, { status: 'done', plan: { actions: planned }, log: [] }], [act, { status: 'done', act: a, log: [] }]), { ...host, dryRun }, time).status;
    const notSent: ActionResult = { action: clear, status: 'not-sent' };
    assert.equal(withAct({ actions: [notSent] }, [clear], true), 'changed', 'a dry run with a clear planned');
    assert.equal(withAct({ actions: [notSent] }, [clear], false), 'ok', 'nothing sent');
    assert.equal(withAct({ actions: [{ action: statement, status: 'sent' }], config: config('committed') }, [statement], false), 'changed');
    assert.equal(withAct({ actions: [{ action: statement, status: 'not-sent' }], config: config('unchanged', '') }, [statement], true), 'ok', 'statements already in place');
    assert.equal(withAct({ actions: [{ action: statement, status: 'not-sent' }], config: config('checked') }, [statement], true), 'changed', 'a dry run whose diff is not empty');
    assert.equal(withAct({ actions: [{ action: statement, status: 'failed' }], config: config('failed') }, [statement], true), 'ok', 'a failed check changes nothing');
  });
});
