import { failureOf } from '../contracts/failure.ts';
import type { RpcSession } from '../contracts/session.ts';
import type { ActionResult, ConfigOutcome, Failure, PlannedAction } from '../contracts/results.ts';
import { clearReply } from '../junos/clear-reply.ts';
import { buildRpc } from '../junos/rpc.ts';
import type { ActStep } from '../playbook/types.ts';
import { describeRpcError, isTransportPhase } from '../transport/errors.ts';
import { endOf, type ChangeAudit } from '../contracts/audit.ts';
import { commitLog } from './commit-log.ts';
import { runConfigChange } from './config-change.ts';
import type { CheckProblem } from './config-change-machine.ts';
import { backUp } from './backup.ts';
import type { BackupRef } from '../contracts/backup.ts';
import { configLines } from './config-lines.ts';
import { argsForCall } from './plan.ts';
import { extend } from './scope.ts';
import type { StepContext, StepResult } from './step-result.ts';
import { runVerify, type VerifyOutcome } from './verify.ts';

/**
 * The act step: sends the plan (runAct), with the step's verify as the configuration
 * change's verify port. A failed action or verify fails the host and the run goes on; a
 * reviewed configuration change whose diff drifted skips the host, unless other actions
 * were already sent (then the reviewed plan is half done: a failure). Before anything is
 * sent, the running configuration is backed up through the backup port; a backup that
 * cannot be kept fails the host with nothing sent.
 */
export async function actStep(step: ActStep, ctx: StepContext): Promise<StepResult> {
  if (ctx.plan.length === 0) return { status: 'done', log: [], acted: false };
  // Before the first state-changing RPC, the running configuration is kept; if it cannot be, nothing is sent.
  let backup: BackupRef | undefined;
  if (!ctx.dryRun && ctx.backup && ctx.plan.some((a) => a.changesState)) {
    try {
      backup = await backUp(ctx.session, ctx.backup);
    } catch (err) {
      const actions = ctx.plan.map((action) => ({ action, status: 'skipped' as const }));
      return { status: 'done', count: 0, log: [], act: { actions }, acted: false, failure: { ...failureOf('act', err), step: step.name } };
    }
  }
  const backupLog = backup ? [{ level: 1, text: `backup: ${backup.text} and ${backup.set}${backup.git !== undefined ? `, git commit ${backup.git.slice(0, 12)}` : ''}`, step: step.name }] : [];
  // The verify port runAct (or the configuration change) calls once; what it found is kept here.
  let verified: VerifyOutcome | undefined;
  // A problem of the post checks says so, for the rollback's commit comment.
  const verify = async (): Promise<string | CheckProblem | undefined> => {
    verified = await runVerify(step, ctx);
    return verified?.problem !== undefined && verified.checkFailed ? { problem: verified.problem, cause: 'check' } : verified?.problem;
  };
  // Only a configuration change has a commit to comment on.
  const comment = ctx.plan.some((a) => a.config !== undefined) ? commitLog(ctx.ids, ctx.playbook.file, String(await step.commitComment.render(extend(ctx.scope, { playbook: ctx.playbook.name })))) : '';
  const out = await runAct(step, ctx.plan, ctx.session, { dryRun: ctx.dryRun, audit: ctx.audit, verify, comment, ...(ctx.reviewedDiff !== undefined ? { reviewedDiff: ctx.reviewedDiff } : {}), ...(ctx.now ? { now: ctx.now } : {}) });
  const count = out.actions.filter((a) => a.status === 'sent').length;
  const failure = checkFailure(out.actions.find((a) => a.status === 'failed')?.error ?? out.verified.failure, verified, out.config);
  const result: StepResult = {
    status: 'done',
    count,
    log: [...backupLog, ...(verified?.log ?? []), ...(out.config ? configLines(out.config, ctx.dryRun).map((text) => ({ level: 1, text, step: step.name })) : [])],
    act: { actions: out.actions, ...(out.config ? { config: out.config } : {}), ...(verified ? { verify: verified.counts } : {}), ...(backup ? { backup } : {}), ...(verified?.checks ? { checks: verified.checks } : {}) },
    ...(verified ? { bind: verified.bind } : {}),
    acted: !ctx.dryRun && count > 0,
    ...(failure ? { failure: { ...failure, step: step.name } } : {}),
  };
  if (out.config?.result !== 'drifted' || failure) return result;
  // The RPCs went out but the reviewed configuration change did not: the reviewed plan is half done.
  if (count > 0) return { ...result, failure: { phase: 'act', kind: 'drifted', message: `${out.config.reason ?? 'drifted'}; the other actions were sent`, step: step.name } };
  return { ...result, stop: { ...(out.config.reason !== undefined ? { reason: out.config.reason } : {}) } };
}

/** A verify that failed on the playbook's post checks is a failed check, said as one (after commit confirmed: rolled back). */
function checkFailure(failure: Failure | undefined, verified: VerifyOutcome | undefined, config: ConfigOutcome | undefined): Failure | undefined {
  if (failure?.kind !== 'verify' || !verified?.checkFailed) return failure;
  const message = config?.result === 'rolled-back' ? `post check failed after commit confirmed: ${verified.problem}; rolled back` : `post check failed: ${verified.problem}`;
  return { ...failure, kind: 'check', message };
}

export interface ActOptions {
  readonly dryRun: boolean;
  /** Told before each state-changing RPC is sent and when it ends. */
  readonly audit: ChangeAudit;
  /** The act step's verify: re-collects and checks; says why it failed, or nothing. */
  readonly verify: () => Promise<string | CheckProblem | undefined>;
  /** The commit's log comment. */
  readonly comment: string;
  /** apply --plan: the configuration diff the reviewer read. */
  readonly reviewedDiff?: string;
  /** The time read for each RPC's ms (default: Date.now). */
  readonly now?: () => number;
}

export interface ActOutcome {
  readonly actions: ActionResult[];
  readonly config?: ConfigOutcome;
  /** Whether verify ran, and why it failed if it did. */
  readonly verified: { readonly ran: boolean; readonly problem?: string; readonly failure?: Failure };
}

/**
 * Sends the plan, unless this is a dry run: the RPCs in order, then the configuration
 * statements as one change (see runConfigChange; a dry run still checks it on the
 * device, which changes nothing). A failed RPC is reported; the rest of the host's plan
 * continues or stops as the playbook says. A broken session stops the rest, whatever the
 * playbook says: nothing more can be sent on it. Verify runs once after everything is
 * sent; with a configuration change it runs between commit confirmed and the confirming
 * commit, so a failed verify rolls the change back.
 */
export async function runAct(step: ActStep, plan: readonly PlannedAction[], session: RpcSession, opts: ActOptions): Promise<ActOutcome> {
  const rpcs = plan.filter((a) => a.config === undefined);
  const statements = plan.filter((a) => a.config !== undefined);
  const results = new Map<PlannedAction, ActionResult>();
  let stopped = false;
  let broken = false;
  let verified: ActOutcome['verified'] = { ran: false };
  for (const action of rpcs) {
    if (opts.dryRun) {
      results.set(action, { action, status: 'not-sent' });
      continue;
    }
    if (stopped) {
      results.set(action, { action, status: 'skipped' });
      continue;
    }
    const result = await sendRpc(action, session, opts.audit, opts.now ?? Date.now);
    if (result.status === 'failed') {
      // An audit log that cannot be written stops acting: nothing is sent unrecorded.
      broken ||= result.error !== undefined && (isTransportPhase(result.error.kind) || result.error.kind === 'audit');
      if (step.onError === 'stop' || broken) stopped = true;
    }
    results.set(action, result);
  }

  let config: ConfigOutcome | undefined;
  if (statements.length > 0) {
    if (stopped) {
      for (const action of statements) results.set(action, { action, status: 'skipped' });
    } else {
      const verify = async (): Promise<string | CheckProblem | undefined> => {
        const found = await opts.verify();
        const problem = typeof found === 'object' ? found.problem : found;
        verified = { ran: true, ...(problem !== undefined ? { problem } : {}) };
        return found;
      };
      const change = await runConfigChange(
        statements.map((a) => a.config ?? ''),
        session,
        { dryRun: opts.dryRun, confirmMinutes: step.confirmMinutes, comment: opts.comment, verify, audit: opts.audit, ...(opts.reviewedDiff !== undefined ? { reviewedDiff: opts.reviewedDiff } : {}) },
      );
      config = change.outcome;
      for (const action of statements) results.set(action, statementResult(action, change.outcome, change.failure));
      if (verified.ran && change.failure) verified = { ...verified, failure: change.failure };
      broken ||= change.failure !== undefined && (isTransportPhase(change.failure.kind) || change.failure.kind === 'audit');
    }
  }
  // RPCs were sent and no configuration change verified them: verify once now.
  const sentRpcs = rpcs.some((a) => results.get(a)?.status === 'sent' || results.get(a)?.status === 'failed');
  if (!verified.ran && !opts.dryRun && !broken && sentRpcs) {
    const found = await opts.verify().catch((err: unknown) => `verify could not run: ${err instanceof Error ? err.message : String(err)}`);
    const problem = typeof found === 'object' ? found.problem : found;
    verified = { ran: true, ...(problem !== undefined ? { problem, failure: { phase: 'verify', kind: 'verify', message: `verify failed: ${problem}` } } : {}) };
  }
  return { actions: plan.map((a) => results.get(a) ?? { action: a, status: 'skipped' }), ...(config ? { config } : {}), verified };
}

async function sendRpc(action: PlannedAction, session: RpcSession, audit: ChangeAudit, now: () => number): Promise<ActionResult> {
  const started = now();
  const reader = clearReply();
  let body: string;
  try {
    body = buildRpc(action.rpc, argsForCall(action), { wide: action.wide !== undefined });
  } catch (err) {
    return { action, status: 'failed', error: failureOf('act', err) };
  }
  let ended: ReturnType<ChangeAudit['sending']>;
  try {
    ended = audit.sending({ rpc: action.rpc, cli: action.cli, args: action.args, ...(action.wide !== undefined ? { wide: action.wide } : {}) });
  } catch (err) {
    // Not sent: nothing goes to a device before its intent is on disk.
    return { action, status: 'failed', error: { phase: 'act', kind: 'audit', message: `not sent: the audit log cannot be written: ${err instanceof Error ? err.message : String(err)}` } };
  }
  try {
    const reply = await session.rpc(body, { handler: reader });
    const r = reader.result();
    const answer = { ...(r.cleared !== undefined ? { cleared: r.cleared } : {}), messages: r.messages, warnings: reply.warnings.map(describeRpcError) };
    ended({ outcome: 'ok', reply: answer });
    return { action, status: 'sent', reply: answer, ms: now() - started };
  } catch (err) {
    const failure = failureOf('act', err);
    ended(endOf(failure));
    return { action, status: 'failed', error: failure, ms: now() - started };
  }
}

/** What became of one statement, from what became of the change. */
function statementResult(action: PlannedAction, outcome: ConfigOutcome, failure: Failure | undefined): ActionResult {
  switch (outcome.result) {
    case 'committed':
      return { action, status: 'sent', reply: { messages: [], warnings: [...outcome.warnings] } };
    case 'unchanged':
    case 'checked':
      return { action, status: 'not-sent', reply: { messages: [outcome.result === 'unchanged' ? 'already in the running configuration' : 'commit check passed'], warnings: [...outcome.warnings] } };
    case 'drifted':
      return { action, status: 'skipped', reply: { messages: [outcome.reason ?? 'drifted'], warnings: [] } };
    case 'rolled-back':
    case 'failed':
      return { action, status: 'failed', ...(failure ? { error: failure } : {}) };
  }
}

