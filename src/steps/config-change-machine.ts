/**
 * The configuration change as a state machine, pure: `next(state, event)` says what the
 * change has become after the last answer and what to send next. It does no I/O; the
 * driver in config-change.ts sends each operation over the session and turns the answer
 * into an event.
 *
 *   locking → loading → comparing ─┬─ no diff, or not the reviewed diff ───────▶ discarding
 *                                  ├─ dry run: checking ────────────────────────▶ discarding
 *                                  └─ committing → verifying ─┬─ confirming ───▶ unlocking
 *                                                             └─ rolling-back → committing-rollback ─▶ unlocking
 *   discarding (rollback 0) → unlocking → done
 *
 * A failure before commit confirmed discards the candidate and unlocks, so the device is
 * as it was; after it, nothing is left in the candidate, so it only unlocks. A session
 * that is lost ends the change at once: nothing more can be sent on it (after commit
 * confirmed the device rolls back by itself). An operation whose audit intent cannot be
 * written is not sent, and a discard could not be audited either: the change only
 * unlocks, which drops what the candidate holds (as Junos does for `<unlock>`).
 */
import type { AuditedRpc } from '../contracts/audit.ts';
import type { ConfigResult, Failure } from '../contracts/results.ts';
import { CONFIG_RPC, commitConfirmedRpc, commitRpc, loadOverrideRpc, loadSetRpc, normaliseDiff, rollbackRpc } from '../junos/config.ts';
import { isTransportPhase } from '../transport/errors.ts';

/** What the change is to do: the statements and the options that decide its path. */
export interface ChangePlan {
  readonly statements: readonly string[];
  /** Check only: load, compare, `commit check`, discard. */
  readonly dryRun: boolean;
  readonly confirmMinutes: number;
  readonly comment: string;
  /** apply --plan: the diff the reviewer read; any other diff is not committed. */
  readonly reviewedDiff?: string;
  /**
   * `load override` instead of `load set` (runbook restore): the candidate becomes this
   * text configuration; `source` names it in the trail and the audit (the backup file).
   */
  readonly override?: { readonly text: string; readonly source: string };
}

export type Phase =
  /** `lock` sent: the candidate is not ours yet. */
  | 'locking'
  /** `load set` sent: from here the candidate may hold our statements. */
  | 'loading'
  /** `show | compare` sent. */
  | 'comparing'
  /** Dry run: `commit check` sent. */
  | 'checking'
  /** `commit confirmed N` sent. */
  | 'committing'
  /** Committed, unconfirmed: verify is running; the device rolls back by itself in N minutes. */
  | 'verifying'
  /** Verify passed: the confirming `commit` sent. */
  | 'confirming'
  /** Verify failed: `rollback 1` (the configuration before our commit) sent. */
  | 'rolling-back'
  /** The `commit` of the rollback sent. */
  | 'committing-rollback'
  /** `rollback 0` sent: the candidate is being discarded on the way out. */
  | 'discarding'
  /** `unlock` sent, on the way out. */
  | 'unlocking'
  /** Nothing more to send. */
  | 'done';

/** What became of the change, decided on the way out (before the discard and unlock). */
export interface Ending {
  readonly result: ConfigResult;
  readonly reason?: string;
  readonly failure?: Failure;
}

export interface ChangeState {
  readonly phase: Phase;
  readonly plan: ChangePlan;
  /** The normalised `show | compare` text, once read. */
  readonly diff: string;
  /** Set once commit confirmed is answered: the device now rolls back by itself unless confirmed. */
  readonly confirmMinutes?: number;
  /** Why verify failed, carried through the rollback to its ending. */
  readonly verifyProblem?: string;
  /** What failed it: the step's verify, or the playbook's post checks (the rollback's commit comment says which). */
  readonly rollbackCause?: VerifyCause;
  /** Set on the way out (discarding, unlocking, done). */
  readonly ending?: Ending;
}

/** One RPC of the change. `step` names it in a failure; `label` in the trail and the audit. */
export interface RpcOperation {
  readonly kind: 'rpc';
  readonly label: string;
  readonly step: string;
  readonly body: string;
  /** Set for RPCs that change the candidate or the running configuration. */
  readonly audit?: AuditedRpc;
  /** How the reply is read: the compare text, or the commit's per-routing-engine results. */
  readonly read?: 'diff' | 'commit';
}

export type Operation = RpcOperation | { readonly kind: 'verify' };

/** What the last operation came to, as the driver saw it. */
export type ChangeEvent =
  /** The RPC was answered without error (`diff`: the compare's text, normalised). */
  | { readonly type: 'answered'; readonly diff?: string }
  /** A commit was answered, but a routing engine did not report success. */
  | { readonly type: 'refused'; readonly failure: Failure }
  /** The RPC failed: an rpc-error, or the session broke (a transport kind). `error` is the error's own message. */
  | { readonly type: 'failed'; readonly failure: Failure; readonly error: string }
  /** The audit intent could not be written, so the RPC was not sent. */
  | { readonly type: 'not-sent'; readonly failure: Failure }
  /** Verify ran: why the change must be rolled back (and what said so: verify when absent), or nothing. */
  | { readonly type: 'verified'; readonly problem?: string; readonly cause?: VerifyCause };

/** What failed a verify: a `verify_that` or a re-collect, or the playbook's post checks. */
export type VerifyCause = 'verify' | 'check';

/** A verify port's answer when the post checks failed it: a plain string is a verify's problem. */
export interface CheckProblem {
  readonly problem: string;
  readonly cause: VerifyCause;
}

export type Transition =
  | { readonly state: ChangeState & { readonly phase: Exclude<Phase, 'done'> }; readonly send: Operation; readonly warn?: undefined }
  | { readonly state: ChangeState & { readonly phase: 'done'; readonly ending: Ending }; readonly send?: undefined; readonly warn?: string };

/** The first transition: take the lock. */
export function start(plan: ChangePlan): Transition {
  return { state: { phase: 'locking', plan, diff: '' }, send: rpc('lock', CONFIG_RPC.lock) };
}

/** The state after `event`, and what to send next (nothing once done). */
export function next(state: ChangeState, event: ChangeEvent): Transition {
  return ON[state.phase](state, event);
}

type Handler = (s: ChangeState, e: ChangeEvent) => Transition;

const ON: Readonly<Record<Phase, Handler>> = {
  // A refused lock holds nothing: there is nothing to discard or unlock.
  locking: (s, e) => (e.type === 'answered' ? go(s, 'loading', s.plan.override ? overrideOp(s.plan.override) : loadOp(s.plan.statements)) : finish(s, failed(troubleOf(e)))),
  // A load that fails half-way may still have changed the candidate: discard it.
  loading: (s, e) => (e.type === 'answered' ? go(s, 'comparing', rpc('show | compare', CONFIG_RPC.compare, 'compare', undefined, 'diff')) : bail(s, e, 'discard')),
  comparing: (s, e) => (e.type === 'answered' ? compared({ ...s, diff: e.diff ?? '' }) : bail(s, e, 'discard')),
  checking: (s, e) => (e.type === 'answered' ? discard(s, { result: 'checked' }) : bail(s, e, 'discard')),
  committing: (s, e) => (e.type === 'answered' ? go({ ...s, confirmMinutes: s.plan.confirmMinutes }, 'verifying', { kind: 'verify' }) : bail(s, e, 'discard')),
  verifying: (s, e) => verified(s, e),
  // After commit confirmed the candidate equals the running configuration: only unlock.
  confirming: (s, e) => (e.type === 'answered' ? unlock(s, { result: 'committed' }) : bail(s, e, 'unlock')),
  'rolling-back': (s, e) => (e.type === 'answered' ? go(s, 'committing-rollback', rollbackCommitOp(s.plan.comment, s.rollbackCause ?? 'verify')) : bail(s, e, 'unlock')),
  'committing-rollback': (s, e) => (e.type === 'answered' ? unlock(s, rolledBack(s.verifyProblem ?? 'verify failed')) : bail(s, e, 'unlock')),
  discarding: (s, e) => discarded(s, e),
  unlocking: (s, e) => unlocked(s, e),
  done: (s) => finish(s, endingOf(s)),
};

function go(s: ChangeState, phase: Exclude<Phase, 'done'>, send: Operation): Transition {
  return { state: { ...s, phase }, send };
}

function finish(s: ChangeState, ending: Ending, warn?: string): Transition {
  return { state: { ...s, phase: 'done', ending }, ...(warn !== undefined ? { warn } : {}) };
}

/** The diff decides the path: nothing to do, not the reviewed diff, a check, or the commit. */
function compared(s: ChangeState): Transition {
  const { plan } = s;
  if (s.diff === '') return discard(s, { result: 'unchanged' });
  if (plan.reviewedDiff !== undefined && s.diff !== normaliseDiff(plan.reviewedDiff)) {
    return discard(s, { result: 'drifted', reason: 'the configuration diff is not the one reviewed: the device changed since the plan was made' });
  }
  if (plan.dryRun) return go(s, 'checking', commitOp('commit check', 'commit check', CONFIG_RPC.commitCheck, 'commit check'));
  const confirmed = `commit confirmed ${plan.confirmMinutes}`;
  return go(s, 'committing', commitOp(confirmed, confirmed, commitConfirmedRpc(plan.confirmMinutes, plan.comment), `${confirmed}${commentCli(plan.comment)}`));
}

/** Verify passed: confirm. Failed: roll back now rather than wait for the confirm timeout. */
function verified(s: ChangeState, e: ChangeEvent): Transition {
  const problem = e.type === 'verified' ? e.problem : troubleOf(e).message;
  if (problem === undefined) return go(s, 'confirming', commitOp('commit', 'commit (confirm)', commitRpc(s.plan.comment), `commit${commentCli(s.plan.comment)}`));
  // rollback 1 is the configuration before our commit.
  return go({ ...s, verifyProblem: problem, rollbackCause: e.type === 'verified' ? (e.cause ?? 'verify') : 'verify' }, 'rolling-back', rollbackOp(1));
}

/** An operation failed: end failed, discarding and unlocking what the session still allows. */
function bail(s: ChangeState, e: ChangeEvent, cleanup: 'discard' | 'unlock'): Transition {
  const ending = failed(troubleOf(e));
  if (lost(e)) return finish(s, ending);
  // After an audit intent that cannot be written, a discard could not be audited either: the unlock drops the candidate.
  return cleanup === 'discard' && e.type !== 'not-sent' ? discard(s, ending) : unlock(s, ending);
}

function discard(s: ChangeState, ending: Ending): Transition {
  return go({ ...s, ending }, 'discarding', rollbackOp(0));
}

function unlock(s: ChangeState, ending: Ending): Transition {
  return go({ ...s, ending }, 'unlocking', rpc('unlock', CONFIG_RPC.unlock));
}

/** A discard that fails spoils a clean ending; a change that failed already keeps its first reason. */
function discarded(s: ChangeState, e: ChangeEvent): Transition {
  const ending = endingOf(s);
  if (e.type === 'answered') return unlock(s, ending);
  const after = isClean(ending) ? failed(troubleOf(e)) : ending;
  return lost(e) ? finish(s, after) : unlock(s, after);
}

/**
 * Committed (or rolled back) already: an unlock that fails is only a warning, as the
 * session's end releases the lock. Before a commit, it fails a clean ending.
 */
function unlocked(s: ChangeState, e: ChangeEvent): Transition {
  const ending = endingOf(s);
  if (e.type === 'answered') return finish(s, ending);
  if (ending.result === 'committed' || ending.result === 'rolled-back') return finish(s, ending, `unlock failed after the commit: ${e.type === 'failed' ? e.error : troubleOf(e).message}`);
  return finish(s, isClean(ending) ? failed(troubleOf(e)) : ending);
}

function failed(failure: Failure): Ending {
  return { result: 'failed', reason: failure.message, failure };
}

function rolledBack(problem: string): Ending {
  const reason = `verify failed after commit confirmed: ${problem}; rolled back`;
  return { result: 'rolled-back', reason, failure: { phase: 'verify', kind: 'verify', message: reason } };
}

/** Nothing has gone wrong so far: the change is unchanged or checked. */
function isClean(ending: Ending): boolean {
  return ending.result === 'unchanged' || ending.result === 'checked';
}

/** A transport failure: the session cannot carry another RPC. */
function lost(e: ChangeEvent): boolean {
  return e.type === 'failed' && isTransportPhase(e.failure.kind);
}

/** The failure an event carries; an answer where a failure was expected is a bug of the driver. */
function troubleOf(e: ChangeEvent): Failure {
  if (e.type === 'refused' || e.type === 'failed' || e.type === 'not-sent') return e.failure;
  return { phase: 'act', kind: 'internal', message: `configuration change: unexpected ${e.type} event` };
}

/** The ending a state on its way out carries; an exit without one is a bug of the machine. */
function endingOf(s: ChangeState): Ending {
  return s.ending ?? failed({ phase: 'act', kind: 'internal', message: `configuration change: no ending in ${s.phase}` });
}

// --- the operations -------------------------------------------------------------------

function rpc(label: string, body: string, step = label, audit?: AuditedRpc, read?: RpcOperation['read']): RpcOperation {
  return { kind: 'rpc', label, step, body, ...(audit ? { audit } : {}), ...(read ? { read } : {}) };
}

function loadOp(statements: readonly string[]): RpcOperation {
  const n = statements.length;
  return rpc(`load set (${n})`, loadSetRpc(statements), `load ${n} ${n === 1 ? 'statement' : 'statements'}`, { rpc: 'load-configuration', cli: 'load set terminal', statements });
}

function overrideOp(override: NonNullable<ChangePlan['override']>): RpcOperation {
  return rpc('load override', loadOverrideRpc(override.text), `load override ${override.source}`, { rpc: 'load-configuration', cli: `load override ${override.source}` });
}

/** `rollback N` into the candidate: 0 discards our statements, 1 is the configuration before our commit. */
function rollbackOp(n: 0 | 1): RpcOperation {
  return rpc(`rollback ${n}`, rollbackRpc(n), `rollback ${n}`, { rpc: 'load-configuration', cli: `rollback ${n}` });
}

function commitOp(label: string, step: string, body: string, cli: string): RpcOperation {
  return rpc(label, body, step, { rpc: 'commit-configuration', cli }, 'commit');
}

function rollbackCommitOp(comment: string, cause: VerifyCause): RpcOperation {
  const log = `${comment} (rolled back: ${cause} failed)`;
  return commitOp('commit (rollback)', 'commit (rollback)', commitRpc(log), `commit${commentCli(log)}`);
}

function commentCli(comment: string): string {
  return comment === '' ? '' : ` comment ${JSON.stringify(comment)}`;
}
