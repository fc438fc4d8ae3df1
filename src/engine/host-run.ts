import type { TableResult } from '../junos/table.ts';
import type { Playbook, Step } from '../playbook/types.ts';
import { runAct } from '../steps/act.ts';
import { noAudit, type ChangeAudit } from '../contracts/audit.ts';
import { runAnalyze } from '../steps/analyze.ts';
import { runCollect } from '../steps/collect.ts';
import { renderLog } from '../steps/log.ts';
import { runPlan } from '../steps/plan.ts';
import { extend, truthy, type Scope } from '../steps/scope.ts';
import type { RunEvent } from './events.ts';
import { connectWithRetry, type ConnectRetry } from './retry.ts';
import { FailureError, failureOf } from '../contracts/failure.ts';
import type { ActionResult, ConfigOutcome, Failure, FailureKind, HostResult, HostStatus, LogEntry, PlannedAction, StepOutcome } from '../contracts/results.ts';
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
  connect(): Promise<RpcSession>;
}

export interface HostRunOptions {
  readonly emit: (event: RunEvent) => void;
  /** The audit trail of a host's state-changing RPCs: told before each is sent and when it ends. */
  readonly audit?: (host: string) => ChangeAudit;
  /** Retry transient connect failures (connect refused/reset, timeouts) with backoff. */
  readonly retry?: ConnectRetry;
  /** Decides, between plan and act, whether a fresh plan may act (apply --plan). */
  readonly gate?: PlanGate;
}

/** A reviewed plan's say over a fresh one: act on these actions, or skip the host and say why. */
export type PlanGate = (host: string, actions: readonly PlannedAction[], allowSubset: boolean) => GateVerdict;
export type GateVerdict =
  /** Act on these actions; a configuration change must show the reviewed diff (configDiff) or it is not committed. */
  | { readonly act: true; readonly actions: readonly PlannedAction[]; readonly configDiff?: string }
  | { readonly act: false; readonly reason: string; readonly lines: readonly string[] };

/** Thrown inside the pipeline to end it with a failure that is already described. */
class StepFailed extends FailureError {
  readonly kind: FailureKind;
  constructor(readonly failure: Failure) {
    super(failure.message);
    this.kind = failure.kind;
  }

  override failureIn(): Failure {
    return this.failure;
  }
}

/**
 * collect → analyze → plan → act for one host. Every exception becomes data in the
 * HostResult; this function does not throw, so one host never stops the others.
 */
export async function runHost(playbook: Playbook, host: EngineHost, opts: HostRunOptions): Promise<HostResult> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const log: LogEntry[] = [];
  const steps: StepOutcome[] = [];
  const evidence: Record<string, unknown> = {};
  let plan: PlannedAction[] = [];
  let actions: ActionResult[] = [];
  let verify: Record<string, { before: number; after: number }> | undefined;
  let config: ConfigOutcome | undefined;
  let reviewedDiff: string | undefined;
  let status: HostStatus | undefined;
  let reason: string | undefined;
  let error: Failure | undefined;
  let connectAttempts: number | undefined;
  const scope: Record<string, unknown> = Object.assign(Object.create(null) as object, {
    vars: { ...host.vars },
    host: { name: host.name, groups: [...host.groups] },
  });
  const say = (entries: LogEntry[]) => {
    for (const entry of entries) {
      log.push(entry);
      opts.emit({ type: 'log', host: host.name, entry });
    }
  };
  const syslog = async (template: Step['syslog'] | Playbook['syslog']['start']) => {
    if (template) opts.emit({ type: 'syslog', host: host.name, message: String(await template.render(scope)) });
  };

  opts.emit({ type: 'host-start', host: host.name });
  let session: RpcSession | undefined;
  try {
    opts.emit({ type: 'step-start', host: host.name, phase: 'connect', step: 'connect' });
    const connected = await connectWithRetry(() => host.connect(), opts.retry, (n, ms, err) =>
      say([{ level: 1, text: `connect attempt ${n} of ${opts.retry?.attempts} failed (${failureOf('connect', err).message}); retrying in ${ms} ms`, step: 'connect' }]),
    );
    if (opts.retry) connectAttempts = connected.attempts;
    if (!connected.ok) {
      const f = failureOf('connect', connected.error);
      status = f.kind === 'closed' || f.kind === 'protocol' || f.kind === 'parse' || f.kind === 'limit' ? 'failed' : 'unreachable';
      error = f;
      return finish();
    }
    session = connected.session;
    await syslog(playbook.syslog.start);

    for (const step of playbook.steps) {
      const t0 = Date.now();
      const outcome = (s: StepOutcome['status'], count?: number): void => {
        steps.push({ index: step.index, name: step.name, kind: step.kind, status: s, ...(count !== undefined ? { count } : {}), ms: Date.now() - t0 });
      };
      try {
        if (step.when && !truthy(await step.when.evaluate(scope))) {
          outcome('skipped');
          continue;
        }
        opts.emit({ type: 'step-start', host: host.name, phase: step.kind, step: step.name });
        let count: number | undefined;
        switch (step.kind) {
          case 'collect': {
            const table = await runCollect(step, scope, session, (n) => opts.emit({ type: 'progress', host: host.name, step: step.name, count: n }));
            count = table.count;
            if (step.register) {
              scope[step.register] = table;
              evidence[`${step.register}.count`] = table.count;
            }
            break;
          }
          case 'analyze': {
            const r = await runAnalyze(step, scope);
            Object.assign(evidence, r.evidence);
            if (r.kind === 'stop') {
              outcome('done');
              status = 'skipped';
              reason = r.reason;
              say([{ level: 1, text: `skipped: ${r.reason}`, step: step.name }]);
              return finish();
            }
            if (r.kind === 'rows') {
              count = r.rows.length;
              if (step.register) scope[step.register] = r.rows;
            }
            break;
          }
          case 'plan': {
            const p = await runPlan(step, scope);
            plan = p.actions;
            count = plan.length;
            Object.assign(evidence, p.evidence);
            if (step.register) scope[step.register] = plan;
            if (opts.gate) {
              const act = playbook.steps.find((s) => s.kind === 'act');
              const verdict = opts.gate(host.name, plan, act?.kind === 'act' && act.allowPlanSubset);
              if (!verdict.act) {
                outcome('done', count);
                status = 'skipped';
                reason = verdict.reason;
                say([{ level: 1, text: `skipped: ${verdict.reason}`, step: step.name }, ...verdict.lines.map((text) => ({ level: 1, text: `  ${text}`, step: step.name }))]);
                return finish();
              }
              plan = [...verdict.actions];
              reviewedDiff = verdict.configDiff;
            }
            break;
          }
          case 'act': {
            if (plan.length === 0) break;
            const before = verifyCounts(step.verify, scope);
            const live = session;
            const verifyNow = async (): Promise<string | undefined> => {
              if (step.verify.length === 0 && step.verifyThat.length === 0) return undefined;
              opts.emit({ type: 'step-start', host: host.name, phase: 'verify', step: `verify ${step.verify.join(', ')}`.trim() });
              verify = {};
              const earlier: Record<string, unknown> = {};
              for (const name of step.verify) {
                const collectStep = playbook.steps.find((s) => s.kind === 'collect' && s.register === name);
                if (collectStep?.kind !== 'collect') continue;
                const after = await runCollect(collectStep, scope, live, () => undefined);
                verify[name] = { before: before[name] ?? 0, after: after.count };
                earlier[name] = scope[name];
                scope[name] = after;
                say([{ level: 1, text: `verify ${name}: ${before[name] ?? 0} before, ${after.count} after`, step: step.name }]);
              }
              scope.before = earlier;
              for (const check of step.verifyThat) {
                if (!truthy(await check.test.evaluate(scope))) return `${check.text} is false`;
              }
              return undefined;
            };
            const out = await runAct(step, plan, session, {
              dryRun: host.dryRun,
              audit: opts.audit?.(host.name) ?? noAudit,
              verify: verifyNow,
              // Only a configuration change has a commit to comment on.
              comment: plan.some((a) => a.config !== undefined) ? String(await step.commitComment.render(extend(scope, { playbook: playbook.name }))) : '',
              ...(reviewedDiff !== undefined ? { reviewedDiff } : {}),
            });
            actions = out.actions;
            config = out.config;
            count = actions.filter((a) => a.status === 'sent').length;
            if (config) say(configLines(config, host.dryRun).map((text) => ({ level: 1, text, step: step.name })));
            const failed = actions.find((a) => a.status === 'failed');
            if (failed?.error) error = { ...failed.error, step: step.name };
            else if (out.verified.failure) error = { ...out.verified.failure, step: step.name };
            if (config?.result === 'drifted') {
              if (!error && count > 0) {
                // The RPCs went out but the reviewed configuration change did not: the reviewed plan is half done.
                error = { phase: 'act', kind: 'drifted', message: `${config.reason ?? 'drifted'}; the other actions were sent`, step: step.name };
              } else if (!error) {
                outcome('done', count);
                status = 'skipped';
                reason = config.reason;
                return finish();
              }
            }
            break;
          }
        }
        outcome('done', count);
        say(await renderLog(step.log, scope, step.name));
        if (step.syslog && (step.kind !== 'act' || (!host.dryRun && actions.some((a) => a.status === 'sent')))) await syslog(step.syslog);
      } catch (err) {
        outcome('failed');
        throw err instanceof StepFailed ? err : new StepFailed({ ...failureOf(step.kind, err), step: step.name });
      }
    }
    await syslog(playbook.syslog.end);
    return finish();
  } catch (err) {
    error = err instanceof StepFailed ? err.failure : failureOf('collect', err);
    status = 'failed';
    return finish();
  } finally {
    await session?.close().catch(() => undefined);
  }

  function finish(): HostResult {
    // A configuration change counts by its diff: statements already in place change nothing.
    const sentChange = actions.some((a) => a.status === 'sent' && a.action.changesState && a.action.config === undefined) || config?.result === 'committed';
    const wouldChange = host.dryRun && (plan.some((a) => a.changesState && a.config === undefined) || (config !== undefined && config.diff !== '' && config.result !== 'failed'));
    const final: HostStatus = status ?? (error ? 'failed' : sentChange || wouldChange ? 'changed' : 'ok');
    const result: HostResult = {
      host: host.name,
      status: final,
      ...(reason !== undefined ? { reason } : {}),
      ...(error !== undefined ? { error } : {}),
      ...(connectAttempts !== undefined ? { connectAttempts } : {}),
      vars: host.vars,
      dryRun: host.dryRun,
      evidence,
      plan,
      actions,
      ...(config ? { config } : {}),
      ...(verify ? { verify } : {}),
      steps,
      log,
      startedAt,
      ms: Date.now() - started,
    };
    opts.emit({ type: 'host-done', result });
    return result;
  }
}

function verifyCounts(names: readonly string[], scope: Scope): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of names) {
    const t = scope[name] as TableResult | undefined;
    if (t && typeof t.count === 'number') out[name] = t.count;
  }
  return out;
}

/** What a configuration change says in the host's log: the diff, then what became of it. */
function configLines(c: ConfigOutcome, dryRun: boolean): string[] {
  if (c.result === 'unchanged') return ['configuration: no change (the statements are already in the running configuration)'];
  const lines = c.diff === '' ? [] : ['configuration diff (show | compare):', ...c.diff.split('\n').map((l) => `  ${l}`)];
  switch (c.result) {
    case 'checked':
      lines.push(dryRun ? 'configuration: commit check passed; discarded (dry run)' : 'configuration: commit check passed');
      break;
    case 'committed':
      lines.push(`configuration: committed (commit confirmed ${c.confirmMinutes ?? '?'}, verified, confirmed)`);
      break;
    default:
      lines.push(`configuration: ${c.result}${c.reason ? `: ${c.reason}` : ''}`);
  }
  for (const w of c.warnings) lines.push(`configuration warning: ${w}`);
  return lines;
}
