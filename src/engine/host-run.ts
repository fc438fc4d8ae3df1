import type { Playbook } from '../playbook/types.ts';
import { noAudit, type ChangeAudit } from '../contracts/audit.ts';
import type { ConfigBackup } from '../contracts/backup.ts';
import type { Scope } from '../steps/scope.ts';
import type { StepContext } from '../steps/step-result.ts';
import type { RunEvent } from './events.ts';
import { failedChecksSentence } from '../checks/describe.ts';
import { postChecksPort, preChecks, type WhereCache } from './host-checks.ts';
import { foldConnect, foldFailure, foldPreChecks, foldStep, hostResult, startFold, type ConnectFold, type HostFold } from './host-fold.ts';
import { connectWithRetry, type ConnectRetry } from './retry.ts';
import { runStep, type Reviewed } from './run-step.ts';
import { failureOf } from '../contracts/failure.ts';
import type { Failure, HostResult, LogEntry } from '../contracts/results.ts';
import type { RunIds } from '../contracts/run-ids.ts';
import type { RpcSession } from '../contracts/session.ts';

/** A host as the engine sees it: a name, its resolved vars, and a way to connect. */
export interface EngineHost {
  readonly name: string;
  readonly groups: readonly string[];
  readonly vars: Readonly<Record<string, string | number | boolean>>;
  /** Acting needs an explicit choice: true unless the run and the host's vars say otherwise. */
  readonly dryRun: boolean;
  /** Everything the host does with its device ends within this (HostDeadline); none when unset. */
  readonly deadlineMs?: number;
  /** apply --plan: the reviewed plan's entry for this host (null: not in it); absent in a fresh run. */
  readonly reviewed?: Reviewed;
  /** The run's id and ticket, for the commit comment. */
  readonly ids?: RunIds;
  connect(): Promise<RpcSession>;
}

export interface HostRunOptions {
  readonly emit: (event: RunEvent) => void;
  /** The audit trail of a host's state-changing RPCs: told before each is sent and when it ends. */
  readonly audit?: (host: string) => ChangeAudit;
  /** Where a host's running configuration is kept before its first state-changing RPC; none: no backup. */
  readonly backup?: (host: string) => ConfigBackup;
  /** Retry transient connect failures (connect refused/reset, timeouts) with backoff. */
  readonly retry?: ConnectRetry;
  /** The time read for startedAt and every ms, the host's, its steps' and its actions' (default: Date.now). */
  readonly clock?: { readonly now: () => number };
}

/**
 * connect → steps (collect → analyze → plan → act) for one host: each step's result is
 * folded into the host's (host-fold.ts). Every error becomes data in the HostResult;
 * this function does not throw, so one host never stops the others.
 */
export async function runHost(playbook: Playbook, host: EngineHost, opts: HostRunOptions): Promise<HostResult> {
  const now = opts.clock?.now ?? Date.now;
  const started = now();
  opts.emit({ type: 'host-start', host: host.name });
  let state = startFold(host);
  let session: RpcSession | undefined;
  try {
    const connected = await connectHost(host, opts);
    state = foldConnect(state, connected);
    session = connected.session;
    if (session) state = await runSteps(playbook, host, session, state, { ...opts, clock: { now } });
  } catch (err) {
    // Only a bug gets here (an event sink that throws, say): still data.
    state = foldFailure(state, failureOf('collect', err));
  }
  const result = hostResult(state, host, { startedAt: new Date(started).toISOString(), ms: now() - started });
  opts.emit({ type: 'host-done', result });
  await session?.close().catch(() => undefined);
  return result;
}

/** The playbook's steps in order, each folded in as it ends, until one ends the host; syslog's start and end lines around them. */
async function runSteps(playbook: Playbook, host: EngineHost, session: RpcSession, start: HostFold, opts: HostRunOptions & { readonly clock: { readonly now: () => number } }): Promise<HostFold> {
  const emit = opts.emit;
  const now = opts.clock.now;
  const base = {
    session,
    playbook,
    dryRun: host.dryRun,
    now,
    ...(host.ids ? { ids: host.ids } : {}),
    audit: opts.audit?.(host.name) ?? noAudit,
    ...(opts.backup ? { backup: opts.backup(host.name) } : {}),
    phaseStart: (phase: 'verify', label: string) => emit({ type: 'step-start', host: host.name, phase, step: label }),
  };
  let state = start;
  const syslogFailure = await sendSyslog(playbook.syslog.start, state.scope, host.name, emit);
  if (syslogFailure) return foldFailure(state, syslogFailure);
  for (const step of playbook.steps) {
    const t0 = now();
    const kept: WhereCache = new Map();
    if (step.kind === 'act' && playbook.checks.length > 0) {
      state = await withPreChecks(playbook, state, step.name, kept);
      if (state.ended) return state;
    }
    const post = step.kind === 'act' ? postChecksPort(playbook.checks, state.scope, kept) : undefined;
    const ctx: StepContext = { ...base, ...dataSoFar(state), ...(post ? { postChecks: post } : {}), progress: (count) => emit({ type: 'progress', host: host.name, step: step.name, count }) };
    const result = await runStep(step, ctx, () => emit({ type: 'step-start', host: host.name, phase: step.kind, step: step.name }), host.reviewed);
    for (const entry of result.log) emit({ type: 'log', host: host.name, entry });
    if (result.syslog !== undefined) emit({ type: 'syslog', host: host.name, message: result.syslog });
    state = foldStep(state, step, result, now() - t0);
    if (state.ended) return state;
  }
  const endFailure = await sendSyslog(playbook.syslog.end, state.scope, host.name, emit);
  return endFailure ? foldFailure(state, endFailure) : state;
}

/** The pre checks over the tables the host holds before acting; one that cannot be evaluated (its where) fails the host. */
async function withPreChecks(playbook: Playbook, state: HostFold, step: string, kept: WhereCache): Promise<HostFold> {
  try {
    const results = await preChecks(playbook.checks, state.scope, kept);
    return foldPreChecks(state, results, failedChecksSentence(results), step);
  } catch (err) {
    return foldFailure(state, { ...failureOf('act', err), step });
  }
}

/** What the next step sees of the steps before it. */
function dataSoFar(state: HostFold): Pick<StepContext, 'scope' | 'plan' | 'reviewedDiff'> {
  return { scope: state.scope, plan: state.plan, ...(state.reviewedDiff !== undefined ? { reviewedDiff: state.reviewedDiff } : {}) };
}

/** Connects, retrying as the run says; each retry is said at once, since its wait can be long. */
async function connectHost(host: EngineHost, opts: HostRunOptions): Promise<ConnectFold & { readonly session?: RpcSession }> {
  opts.emit({ type: 'step-start', host: host.name, phase: 'connect', step: 'connect' });
  const log: LogEntry[] = [];
  const connected = await connectWithRetry(() => host.connect(), opts.retry, (n, ms, err) => {
    const entry = { level: 1, text: `connect attempt ${n} of ${opts.retry?.attempts} failed (${failureOf('connect', err).message}); retrying in ${ms} ms`, step: 'connect' };
    log.push(entry);
    opts.emit({ type: 'log', host: host.name, entry });
  });
  const attempts = opts.retry ? { attempts: connected.attempts } : {};
  return connected.ok ? { log, ...attempts, session: connected.session } : { log, ...attempts, failure: failureOf('connect', connected.error) };
}

/** Sends the playbook's start or end syslog line; a line that cannot render fails the host. */
async function sendSyslog(template: Playbook['syslog']['start'], scope: Scope, host: string, emit: HostRunOptions['emit']): Promise<Failure | undefined> {
  if (!template) return undefined;
  try {
    emit({ type: 'syslog', host, message: String(await template.render(scope)) });
    return undefined;
  } catch (err) {
    return failureOf('collect', err);
  }
}
