import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Failure } from '../../../src/contracts/results.ts';
import { next, start, type ChangeEvent, type ChangePlan, type ChangeState, type Ending, type Phase, type Transition } from '../../../src/steps/config-change-machine.ts';

const PLAN: ChangePlan = { statements: ['set security flow aging early-ageout 20'], dryRun: false, confirmMinutes: 5, comment: 'runbook' };
const DIFF = '[edit security flow]\n+  aging early-ageout 20;';

const rpcErr: Failure = { phase: 'act', kind: 'rpc-error', message: 'x: syntax error' };
const refusal: Failure = { phase: 'act', kind: 'config', message: 'commit: no success reported by node0' };
const closed: Failure = { phase: 'act', kind: 'closed', message: 'x: srx1: closed: gone' };
const noAudit: Failure = { phase: 'act', kind: 'audit', message: 'x: not sent: the audit log cannot be written: EACCES' };

/** The events an operation can come to. */
const E = {
  answered: { type: 'answered' },
  diff: { type: 'answered', diff: DIFF },
  noDiff: { type: 'answered', diff: '' },
  refused: { type: 'refused', failure: refusal },
  rpcError: { type: 'failed', failure: rpcErr, error: 'srx1: rpc-error: x: syntax error' },
  lost: { type: 'failed', failure: closed, error: 'srx1: closed: gone' },
  notSent: { type: 'not-sent', failure: noAudit },
  verified: { type: 'verified' },
  verifyFailed: { type: 'verified', problem: 'sessions remain' },
} as const satisfies Record<string, ChangeEvent>;

const committed: Ending = { result: 'committed' };
const unchanged: Ending = { result: 'unchanged' };
const failedEarlier: Ending = { result: 'failed', reason: 'load 1 statement: syntax error', failure: { ...rpcErr, message: 'load 1 statement: syntax error' } };
const drifted: Ending = { result: 'drifted', reason: 'not the one reviewed' };

function state(phase: Phase, extra: Partial<ChangeState> = {}): ChangeState {
  return { phase, plan: PLAN, diff: DIFF, ...extra };
}

/** A transition in short: the next phase, what is sent (its trail label, or "verify"), the result once ending, a warning. */
function brief(t: Transition): string {
  const send = t.send === undefined ? '' : ` send ${t.send.kind === 'verify' ? 'verify' : t.send.label}`;
  const ending = t.state.ending ? ` → ${t.state.ending.result}` : '';
  return `${t.state.phase}${send}${ending}${t.warn !== undefined ? ` (warn: ${t.warn})` : ''}`;
}

/** Every transition: [from, event, what it comes to]. */
const TABLE: readonly (readonly [ChangeState, ChangeEvent, string])[] = [
  [state('locking', { diff: '' }), E.answered, 'loading send load set (1)'],
  [state('locking', { diff: '' }), E.rpcError, 'done → failed'],
  [state('locking', { diff: '', plan: { ...PLAN, statements: [], override: { text: 'system { host-name a; }', source: 'a.conf' } } }), E.answered, 'loading send load override'],
  [state('locking', { diff: '' }), E.lost, 'done → failed'],

  [state('loading', { diff: '' }), E.answered, 'comparing send show | compare'],
  [state('loading', { diff: '' }), E.rpcError, 'discarding send rollback 0 → failed'],
  [state('loading', { diff: '' }), E.lost, 'done → failed'],
  [state('loading', { diff: '' }), E.notSent, 'unlocking send unlock → failed'],

  [state('comparing', { diff: '' }), E.diff, 'committing send commit confirmed 5'],
  [state('comparing', { diff: '' }), E.noDiff, 'discarding send rollback 0 → unchanged'],
  [state('comparing', { diff: '', plan: { ...PLAN, dryRun: true } }), E.diff, 'checking send commit check'],
  [state('comparing', { diff: '', plan: { ...PLAN, reviewedDiff: 'other' } }), E.diff, 'discarding send rollback 0 → drifted'],
  [state('comparing', { diff: '', plan: { ...PLAN, reviewedDiff: `\n${DIFF}\n` } }), E.diff, 'committing send commit confirmed 5'],
  [state('comparing', { diff: '' }), E.rpcError, 'discarding send rollback 0 → failed'],
  [state('comparing', { diff: '' }), E.lost, 'done → failed'],

  [state('checking'), E.answered, 'discarding send rollback 0 → checked'],
  [state('checking'), E.refused, 'discarding send rollback 0 → failed'],
  [state('checking'), E.rpcError, 'discarding send rollback 0 → failed'],
  [state('checking'), E.lost, 'done → failed'],
  [state('checking'), E.notSent, 'unlocking send unlock → failed'],

  [state('committing'), E.answered, 'verifying send verify'],
  [state('committing'), E.refused, 'discarding send rollback 0 → failed'],
  [state('committing'), E.rpcError, 'discarding send rollback 0 → failed'],
  [state('committing'), E.lost, 'done → failed'],
  [state('committing'), E.notSent, 'unlocking send unlock → failed'],

  [state('verifying', { confirmMinutes: 5 }), E.verified, 'confirming send commit'],
  [state('verifying', { confirmMinutes: 5 }), E.verifyFailed, 'rolling-back send rollback 1'],

  [state('confirming', { confirmMinutes: 5 }), E.answered, 'unlocking send unlock → committed'],
  [state('confirming', { confirmMinutes: 5 }), E.refused, 'unlocking send unlock → failed'],
  [state('confirming', { confirmMinutes: 5 }), E.rpcError, 'unlocking send unlock → failed'],
  [state('confirming', { confirmMinutes: 5 }), E.lost, 'done → failed'],
  [state('confirming', { confirmMinutes: 5 }), E.notSent, 'unlocking send unlock → failed'],

  [state('rolling-back', { confirmMinutes: 5, verifyProblem: 'p' }), E.answered, 'committing-rollback send commit (rollback)'],
  [state('rolling-back', { confirmMinutes: 5, verifyProblem: 'p' }), E.rpcError, 'unlocking send unlock → failed'],
  [state('rolling-back', { confirmMinutes: 5, verifyProblem: 'p' }), E.lost, 'done → failed'],
  [state('rolling-back', { confirmMinutes: 5, verifyProblem: 'p' }), E.notSent, 'unlocking send unlock → failed'],

  [state('committing-rollback', { confirmMinutes: 5, verifyProblem: 'p' }), E.answered, 'unlocking send unlock → rolled-back'],
  [state('committing-rollback', { confirmMinutes: 5, verifyProblem: 'p' }), E.refused, 'unlocking send unlock → failed'],
  [state('committing-rollback', { confirmMinutes: 5, verifyProblem: 'p' }), E.lost, 'done → failed'],

  [state('discarding', { ending: unchanged }), E.answered, 'unlocking send unlock → unchanged'],
  [state('discarding', { ending: unchanged }), E.rpcError, 'unlocking send unlock → failed'],
  [state('discarding', { ending: unchanged }), E.lost, 'done → failed'],
  [state('discarding', { ending: drifted }), E.rpcError, 'unlocking send unlock → drifted'],
  [state('discarding', { ending: drifted }), E.lost, 'done → drifted'],
  [state('discarding', { ending: failedEarlier }), E.notSent, 'unlocking send unlock → failed'],

  [state('unlocking', { ending: committed }), E.answered, 'done → committed'],
  [state('unlocking', { ending: committed }), E.rpcError, 'done → committed (warn: unlock failed after the commit: srx1: rpc-error: x: syntax error)'],
  [state('unlocking', { ending: committed }), E.lost, 'done → committed (warn: unlock failed after the commit: srx1: closed: gone)'],
  [state('unlocking', { ending: unchanged }), E.rpcError, 'done → failed'],
  [state('unlocking', { ending: failedEarlier }), E.rpcError, 'done → failed'],
  [state('unlocking', { ending: drifted }), E.lost, 'done → drifted'],
];

describe('configuration change machine: next(state, event)', () => {
  it('starts by taking the lock', () => {
    assert.equal(brief(start(PLAN)), 'locking send lock');
  });

  for (const [from, event, to] of TABLE) {
    const said = event.type === 'failed' ? `failed (${event.failure.kind})` : event.type === 'answered' && event.diff !== undefined ? `answered (${event.diff === '' ? 'no diff' : 'diff'})` : event.type;
    it(`${from.phase}${from.ending ? ` (${from.ending.result})` : ''} + ${said} → ${to}`, () => {
      assert.equal(brief(next(from, event)), to);
    });
  }

  it('covers every phase', () => {
    const phases = new Set(TABLE.map(([s]) => s.phase));
    const all: Phase[] = ['locking', 'loading', 'comparing', 'checking', 'committing', 'verifying', 'confirming', 'rolling-back', 'committing-rollback', 'discarding', 'unlocking'];
    assert.deepEqual(all.filter((p) => !phases.has(p)), []);
  });
});

describe('configuration change machine: what each ending carries', () => {
  it('a failure ends failed with its own message as the reason', () => {
    const t = next(state('loading', { diff: '' }), E.rpcError);
    assert.deepEqual(t.state.ending, { result: 'failed', reason: 'x: syntax error', failure: rpcErr });
  });

  it('a clean ending spoiled by its discard takes the discard\'s failure; a failed one keeps its first', () => {
    assert.deepEqual(next(state('discarding', { ending: unchanged }), E.rpcError).state.ending, { result: 'failed', reason: rpcErr.message, failure: rpcErr });
    assert.deepEqual(next(state('discarding', { ending: failedEarlier }), E.rpcError).state.ending, failedEarlier);
  });

  it('commit confirmed answered: the confirm minutes are set from here on', () => {
    assert.equal(next(state('committing'), E.answered).state.confirmMinutes, 5);
    assert.equal(next(state('committing'), E.refused).state.confirmMinutes, undefined);
  });

  it('a failed verify carries its problem to the rolled-back ending, a verify failure', () => {
    const rolling = next(state('verifying', { confirmMinutes: 5 }), E.verifyFailed);
    const unlocking = next(next(rolling.state, E.answered).state, E.answered);
    const reason = 'verify failed after commit confirmed: sessions remain; rolled back';
    assert.deepEqual(unlocking.state.ending, { result: 'rolled-back', reason, failure: { phase: 'verify', kind: 'verify', message: reason } });
  });

  it('the operations: each RPC\'s audit form, and the reader of its reply', () => {
    const compare = next(state('loading', { diff: '' }), E.answered).send;
    assert.deepEqual(compare, { kind: 'rpc', label: 'show | compare', step: 'compare', body: '<get-configuration compare="rollback" rollback="0" format="text"/>', read: 'diff' });
    const load = start(PLAN).state;
    assert.deepEqual(next(load, E.answered).send, {
      kind: 'rpc',
      label: 'load set (1)',
      step: 'load 1 statement',
      body: '<load-configuration action="set" format="text"><configuration-set>set security flow aging early-ageout 20</configuration-set></load-configuration>',
      audit: { rpc: 'load-configuration', cli: 'load set terminal', statements: PLAN.statements },
    });
    const rollback = next(state('verifying', { confirmMinutes: 5 }), E.verifyFailed);
    const commit = next(rollback.state, E.answered).send;
    assert.deepEqual(commit, {
      kind: 'rpc',
      label: 'commit (rollback)',
      step: 'commit (rollback)',
      body: '<commit-configuration><log>runbook (rolled back: verify failed)</log></commit-configuration>',
      audit: { rpc: 'commit-configuration', cli: 'commit comment "runbook (rolled back: verify failed)"' },
      read: 'commit',
    });
    // A post check that failed the verify is named as the cause in the device's commit log.
    const byCheck = next(state('verifying', { confirmMinutes: 5 }), { type: 'verified', problem: "check 'x' failed", cause: 'check' });
    const checkCommit = next(byCheck.state, E.answered).send;
    assert.equal(checkCommit?.kind === 'rpc' ? checkCommit.audit?.cli : undefined, 'commit comment "runbook (rolled back: check failed)"');
  });

  it('restore: load override sends the whole text configuration, escaped, and audits it by its source', () => {
    const plan: ChangePlan = { ...PLAN, statements: [], override: { text: 'system {\n    host-name "a&b";\n}\n', source: '/b/srx1.conf' } };
    assert.deepEqual(next(start(plan).state, E.answered).send, {
      kind: 'rpc',
      label: 'load override',
      step: 'load override /b/srx1.conf',
      body: '<load-configuration action="override" format="text"><configuration-text>system {\n    host-name &quot;a&amp;b&quot;;\n}\n</configuration-text></load-configuration>',
      audit: { rpc: 'load-configuration', cli: 'load override /b/srx1.conf' },
    });
  });

  it('done stays done and sends nothing', () => {
    assert.equal(brief(next(state('done', { ending: committed }), E.answered)), 'done → committed');
  });
});
