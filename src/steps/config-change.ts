import { failureOf } from '../contracts/failure.ts';
import type { RpcSession, RpcReply } from '../contracts/session.ts';
import type { ConfigOutcome, Failure } from '../contracts/results.ts';
import { commitResults, configurationOutput, normaliseDiff } from '../junos/config.ts';
import { describeRpcError, RpcError } from '../transport/errors.ts';
import { endOf, type ChangeAudit, type RpcEnd } from '../contracts/audit.ts';
import { next, start, type CheckProblem, type ChangePlan, type ChangeEvent, type ChangeState, type Ending, type Operation, type RpcOperation } from './config-change-machine.ts';

export interface ConfigChangeOptions {
  /** Check only: load, compare, `commit check`, discard. */
  readonly dryRun: boolean;
  readonly confirmMinutes: number;
  readonly comment: string;
  /** Runs between commit confirmed and the confirming commit; says why the change must be rolled back, or nothing. */
  readonly verify: () => Promise<string | CheckProblem | undefined>;
  /** apply --plan: the diff the reviewer read; any other diff is not committed. */
  readonly reviewedDiff?: string;
  /** Told of each RPC that changes the candidate or the running configuration (load, commit check, commits, rollbacks). */
  readonly audit: ChangeAudit;
  /** `load override` this text configuration instead of `load set` the statements (runbook restore). */
  readonly override?: ChangePlan['override'];
}

export interface ConfigChange {
  readonly outcome: ConfigOutcome;
  /** Set when the change failed or was rolled back. */
  readonly failure?: Failure;
}

/** What the operations sent so far left behind: the trail of labels and the device's warnings. */
interface Log {
  readonly trail: string[];
  readonly warnings: string[];
}

/**
 * One configuration change, as an operator does it in `configure exclusive`:
 *
 *   lock → load set → show | compare → (nothing to do: discard)
 *        → dry run: commit check → discard
 *        → commit confirmed N → verify → commit          (verify failed: rollback 1, commit)
 *   → unlock
 *
 * Whatever happens before the commit, the candidate is discarded and the lock released,
 * so the device's configuration is as it was. If the session breaks after commit
 * confirmed, the device rolls the change back by itself when N minutes pass. The path is
 * decided by the state machine in config-change-machine.ts; this is its driver: it sends
 * each operation, audits it, and tells the machine how it went.
 */
export async function runConfigChange(statements: readonly string[], session: RpcSession, opts: ConfigChangeOptions): Promise<ConfigChange> {
  const log: Log = { trail: [], warnings: [] };
  const plan = { statements, dryRun: opts.dryRun, confirmMinutes: opts.confirmMinutes, comment: opts.comment, ...(opts.reviewedDiff !== undefined ? { reviewedDiff: opts.reviewedDiff } : {}), ...(opts.override ? { override: opts.override } : {}) };
  for (let t = start(plan); ; ) {
    if (t.warn !== undefined) log.warnings.push(t.warn);
    if (t.send === undefined) return changeOf(statements, t.state, log);
    const event = await perform(t.send, t.state, session, opts, log);
    t = next(t.state, event);
  }
}

function perform(op: Operation, s: ChangeState, session: RpcSession, opts: ConfigChangeOptions, log: Log): Promise<ChangeEvent> {
  if (op.kind === 'verify') return verify(opts.verify);
  return send(op, s.confirmMinutes, session, opts.audit, log);
}

/** A verify that cannot run (the session broke, a collect failed) is a failed verify. */
async function verify(run: ConfigChangeOptions['verify']): Promise<ChangeEvent> {
  let problem: string | CheckProblem | undefined;
  try {
    problem = await run();
  } catch (err) {
    problem = `verify could not run: ${messageOf(err)}`;
  }
  if (typeof problem === 'object') return { type: 'verified', problem: problem.problem, cause: problem.cause };
  return { type: 'verified', ...(problem !== undefined ? { problem } : {}) };
}

/**
 * Sends one RPC. A state-changing one (audited) is recorded before it goes (if that
 * cannot be done, it is not sent) and when it ends, as ok, refused or failed.
 */
async function send(op: RpcOperation, confirmed: number | undefined, session: RpcSession, audit: ChangeAudit, log: Log): Promise<ChangeEvent> {
  let ended: ReturnType<ChangeAudit['sending']> | undefined;
  try {
    ended = op.audit ? audit.sending(op.audit) : undefined;
  } catch (err) {
    return { type: 'not-sent', failure: { phase: 'act', kind: 'audit', message: `${op.step}: not sent: the audit log cannot be written: ${messageOf(err)}${afterCommit(confirmed)}` } };
  }
  log.trail.push(op.label);
  const reader = readerOf(op);
  let reply: RpcReply;
  try {
    reply = await session.rpc(op.body, reader.options);
  } catch (err) {
    outcome(ended, endOf(configFailure(op.label, err, confirmed)));
    return { type: 'failed', failure: configFailure(op.step, err, confirmed), error: messageOf(err) };
  }
  const said = reply.warnings.map(describeRpcError);
  log.warnings.push(...said);
  const refusal = reader.refusal();
  outcome(ended, refusal ? { outcome: 'failed', error: refusal } : { outcome: 'ok', reply: { messages: [], warnings: said } });
  return refusal ? { type: 'refused', failure: refusal } : { type: 'answered', ...reader.answer() };
}

/** How an operation's reply is read: the compare's diff, or whether every routing engine committed. */
function readerOf(op: RpcOperation) {
  const diff = op.read === 'diff' ? configurationOutput() : undefined;
  const commit = op.read === 'commit' ? commitResults() : undefined;
  const handler = diff ?? commit;
  return {
    options: handler ? { handler } : undefined,
    answer: () => (diff ? { diff: normaliseDiff(diff.result()) } : {}),
    refusal: (): Failure | undefined => {
      const other = commit?.result().other ?? [];
      return other.length > 0 ? { phase: 'act', kind: 'config', message: `${op.label}: no success reported by ${other.join(', ')}` } : undefined;
    },
  };
}

function changeOf(statements: readonly string[], s: ChangeState & { readonly ending: Ending }, log: Log): ConfigChange {
  const { ending } = s;
  const outcome: ConfigOutcome = {
    statements,
    diff: s.diff,
    result: ending.result,
    ...(s.confirmMinutes !== undefined ? { confirmMinutes: s.confirmMinutes } : {}),
    ...(ending.reason !== undefined ? { reason: ending.reason } : {}),
    warnings: log.warnings,
    trail: log.trail,
  };
  return { outcome, ...(ending.failure ? { failure: ending.failure } : {}) };
}

/**
 * Writes an RPC's outcome line. One that cannot be written leaves the outcome unknown
 * to a reader, as the audit log allows; the change goes on, and its next audited RPC,
 * whose intent cannot be written either, is not sent.
 */
function outcome(ended: ((end: RpcEnd) => void) | undefined, end: RpcEnd): void {
  try {
    ended?.(end);
  } catch {
    // See above: a lost outcome line is an unknown outcome, not a reason to stop half-way.
  }
}

function configFailure(what: string, err: unknown, confirmed: number | undefined): Failure {
  const failure = failureOf('act', err);
  // The device's own words read better after "commit: " than the error's host-prefixed message.
  const said = err instanceof RpcError ? err.errors.map(describeRpcError).join('; ') : failure.message;
  return { ...failure, message: `${what}: ${said}${afterCommit(confirmed)}` };
}

function afterCommit(confirmed: number | undefined): string {
  return confirmed !== undefined ? ` (after commit confirmed: the device rolls the change back by itself within ${confirmed} min unless it is confirmed)` : '';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
