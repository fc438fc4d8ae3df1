import type { CheckResult, HostChecks } from '../contracts/checks.ts';
import type { ActionResult, ConfigOutcome, Failure, HostResult, HostStatus, LogEntry, PlannedAction, StepOutcome } from '../contracts/results.ts';
import { extend, hostScope, type Scope } from '../steps/scope.ts';
import { reachedDevice } from '../contracts/failure.ts';
import type { StepResult } from '../steps/step-result.ts';

/** A host's run so far: what its steps did, folded in order. Pure data. */
export interface HostFold {
  /** What the next step's expressions see: vars, host facts, registers. */
  readonly scope: Scope;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly steps: readonly StepOutcome[];
  readonly log: readonly LogEntry[];
  readonly plan: readonly PlannedAction[];
  readonly reviewedDiff?: string;
  readonly actions: readonly ActionResult[];
  readonly config?: ConfigOutcome;
  readonly backup?: HostResult['backup'];
  readonly verify?: HostResult['verify'];
  readonly checks?: HostChecks;
  /** Set when the run decided the host's status itself, not from what was done. */
  readonly status?: Exclude<HostStatus, 'ok' | 'changed'>;
  readonly reason?: string;
  readonly error?: Failure;
  readonly connectAttempts?: number;
  /** No step runs after this one. */
  readonly ended: boolean;
}

/** The host before it connects. */
export function startFold(host: { readonly name: string; readonly groups: readonly string[]; readonly vars: Readonly<Record<string, unknown>> }): HostFold {
  return { scope: hostScope(host), evidence: {}, steps: [], log: [], plan: [], actions: [], ended: false };
}

/** What connecting did: its log lines (retries), the attempts made when retrying, the failure if it did not connect. */
export interface ConnectFold {
  readonly log: readonly LogEntry[];
  readonly attempts?: number;
  readonly failure?: Failure;
}

export function foldConnect(state: HostFold, c: ConnectFold): HostFold {
  const next = { ...state, log: [...state.log, ...c.log], ...(c.attempts !== undefined ? { connectAttempts: c.attempts } : {}) };
  if (!c.failure) return next;
  // Reached, but the session broke or spoke badly: failed. Not reached at all: unreachable.
  const reached = reachedDevice(c.failure.kind);
  return { ...next, status: reached ? 'failed' : 'unreachable', error: c.failure, ended: true };
}

/** The host failed outside any step (a syslog line that cannot render, a bug): it ends here. */
export function foldFailure(state: HostFold, failure: Failure): HostFold {
  return { ...state, status: 'failed', error: failure, ended: true };
}

/**
 * The pre checks, run as the host reached its act step. A failed one fails the host
 * there: the device is not in the state the change was written for, so nothing is sent.
 */
export function foldPreChecks(state: HostFold, results: readonly CheckResult[], problem: string | undefined, step: string): HostFold {
  if (results.length === 0) return state;
  const next = { ...state, checks: { ...state.checks, pre: results } };
  if (problem === undefined) return next;
  return { ...next, status: 'failed', error: { phase: 'act', kind: 'check', message: `pre check failed: ${problem}; nothing was sent`, step }, ended: true };
}

/** One step's result into the host's run. */
export function foldStep(state: HostFold, step: Pick<StepOutcome, 'index' | 'name' | 'kind'>, r: StepResult, ms: number): HostFold {
  const outcome: StepOutcome = { index: step.index, name: step.name, kind: step.kind, status: r.status, ...(r.count !== undefined ? { count: r.count } : {}), ms };
  return {
    ...state,
    scope: r.bind ? extend(state.scope, r.bind) : state.scope,
    evidence: r.evidence ? { ...state.evidence, ...r.evidence } : state.evidence,
    steps: [...state.steps, outcome],
    log: [...state.log, ...r.log],
    ...(r.plan ? planOf(r.plan) : {}),
    ...(r.act ? actOf(state, r.act) : {}),
    ...(r.failure ? { error: r.failure } : {}),
    ...(r.status === 'failed' ? { status: 'failed' as const, ended: true } : {}),
    ...(r.status !== 'failed' && r.stop ? { status: 'skipped' as const, ...(r.stop.reason !== undefined ? { reason: r.stop.reason } : {}), ended: true } : {}),
  };
}

function planOf(p: NonNullable<StepResult['plan']>): Pick<HostFold, 'plan' | 'reviewedDiff'> {
  return { plan: p.actions, reviewedDiff: p.reviewedDiff };
}

function actOf(state: HostFold, a: NonNullable<StepResult['act']>): Pick<HostFold, 'actions' | 'config' | 'verify' | 'backup' | 'checks'> {
  return { actions: a.actions, config: a.config, verify: a.verify ?? state.verify, backup: a.backup ?? state.backup, checks: a.checks ? { ...state.checks, post: a.checks } : state.checks };
}

/**
 * The HostResult of a run folded so far. Unless the run set it, the status follows from
 * what was done: a failure, a change sent (or in a dry run, one that would be), or nothing.
 */
export function hostResult(state: HostFold, host: { readonly name: string; readonly vars: HostResult['vars']; readonly dryRun: boolean }, time: { readonly startedAt: string; readonly ms: number }): HostResult {
  return {
    host: host.name,
    status: state.status ?? (state.error ? 'failed' : changes(state, host.dryRun) ? 'changed' : 'ok'),
    ...(state.reason !== undefined ? { reason: state.reason } : {}),
    ...(state.error !== undefined ? { error: state.error } : {}),
    ...(state.connectAttempts !== undefined ? { connectAttempts: state.connectAttempts } : {}),
    vars: host.vars,
    dryRun: host.dryRun,
    evidence: state.evidence,
    plan: state.plan,
    actions: state.actions,
    ...(state.config ? { config: state.config } : {}),
    ...(state.backup ? { backup: state.backup } : {}),
    ...(state.verify ? { verify: state.verify } : {}),
    ...(state.checks ? { checks: state.checks } : {}),
    steps: state.steps,
    log: state.log,
    startedAt: time.startedAt,
    ms: time.ms,
  };
}

/** A configuration change counts by its diff: statements already in place change nothing. */
function changes(state: HostFold, dryRun: boolean): boolean {
  const { actions, config, plan } = state;
  if (actions.some((a) => a.status === 'sent' && a.action.changesState && a.action.config === undefined) || config?.result === 'committed') return true;
  return dryRun && (plan.some((a) => a.changesState && a.config === undefined) || (config !== undefined && config.diff !== '' && config.result !== 'failed'));
}
