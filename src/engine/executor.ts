import type { Playbook } from '../playbook/types.ts';
import { planBatches, type SerialSpec } from './batches.ts';
import type { EventSink } from './events.ts';
import { checkPolicy, overBudget, stopReason, type FailurePolicy, type FinishedHost } from './failure-policy.ts';
import { HostDeadline } from './host-deadline.ts';
import { runHost, type EngineHost, type HostRunOptions } from './host-run.ts';
import { connectRetry, type ConnectRetry, type Sleep } from './retry.ts';
import { runHostJob, type HostJob, type JobPorts } from './job.ts';
import { memoryResults, recapOf, type HostResult, type HostResultStore, type HostResults, type RunResult } from '../contracts/results.ts';

export interface RunOptions extends FailurePolicy {
  /** Hosts in flight at once, within a batch. */
  readonly forks: number;
  /** When aborted, no new host (or connect retry) starts; hosts in flight finish. */
  readonly signal?: AbortSignal;
  /** The audit trail of each host's state-changing RPCs (see HostRunOptions.audit). */
  readonly audit?: HostRunOptions['audit'];
  /** Where each host's running configuration is kept before it is changed (see HostRunOptions.backup). */
  readonly backup?: HostRunOptions['backup'];
  /** Rolling batches, as Ansible's serial (see planBatches). Without it, every host is one batch. */
  readonly serial?: SerialSpec;
  /** Retry connects that failed with TransportError 'connect' or 'timeout'; attempts counts the first. */
  readonly retries?: { readonly attempts: number; readonly backoffMs: number };
  /** Jitter source for retries, a number in [0, 1) (default Math.random); seed it to replay a run. */
  readonly random?: () => number;
  /** How retries wait (default a real timer); tests pass one that records and returns at once. */
  readonly sleep?: Sleep;
}

/** Runs a playbook over hosts given as EngineHosts (connect closures): see runBatches. */
export async function runPlaybook(playbook: Playbook, hosts: readonly EngineHost[], opts: RunOptions, emit: EventSink): Promise<RunResult> {
  checkPolicy(opts);
  const retry = connectRetryOf(opts);
  const hostOpts: HostRunOptions = { emit, ...(opts.audit ? { audit: opts.audit } : {}), ...(opts.backup ? { backup: opts.backup } : {}), ...(retry ? { retry } : {}) };
  return runBatches(playbook, hosts, opts, emit, memoryResults(), (host) => {
    const deadline = host.deadlineMs !== undefined ? new HostDeadline(host.name, host.deadlineMs) : undefined;
    return runHost(playbook, deadline ? deadline.bound(host) : host, hostOpts).finally(() => deadline?.dispose());
  });
}

/** The ports a rollout of host jobs shares; each job gets them with its own audit trail, backup and the run's signal. */
export type FleetPorts = Omit<JobPorts, 'emit' | 'audit' | 'backup' | 'signal'>;

/**
 * The same rollout as runPlaybook, each host a job (job.ts) run with the ports given:
 * the CLI's path. `playbook` is the one the jobs name, for the run result. Each host's
 * result goes to `store` as it finishes (the CLI's spools it to disk).
 */
export async function runJobs<T extends HostResults>(playbook: Playbook, jobs: readonly HostJob[], ports: FleetPorts, opts: RunOptions, emit: EventSink, store: HostResultStore<T>): Promise<RunResult<T>> {
  return runJobsWith(playbook, jobs, opts, emit, store, (job) => {
    const audit = opts.audit?.(job.host.name);
    const backup = opts.backup?.(job.host.name);
    return runHostJob(job, { ...ports, emit, ...(audit ? { audit } : {}), ...(backup ? { backup } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
  });
}

/**
 * Runs each job where `runOne` says (this process, or a queue's worker elsewhere) with the
 * same batches, forks and failure budget. `runOne` resolves undefined for a job that never
 * started (removed from a queue when the run was interrupted): that host is "not run".
 */
export async function runJobsWith<T extends HostResults>(
  playbook: Playbook,
  jobs: readonly HostJob[],
  opts: RunOptions,
  emit: EventSink,
  store: HostResultStore<T>,
  runOne: (job: HostJob, index: number) => Promise<HostResult | undefined>,
): Promise<RunResult<T>> {
  checkPolicy(opts);
  const hosts = jobs.map((job, index) => ({ name: job.host.name, dryRun: job.dryRun, job, index }));
  return runBatches(playbook, hosts, opts, emit, store, ({ job, index }) => runOne(job, index));
}

/**
 * Batch after batch, `forks` at a time within a batch. After each host the failure policy
 * is checked: once the batch is over budget no host of it starts, and after it no batch
 * starts. Each result goes to `store` as the host finishes; only its name and status stay
 * here (the budget and the recap need no more). Host results come back in the order the
 * hosts were given, whatever order they finished in; hosts never started are in `notRun`.
 */
async function runBatches<H extends { readonly name: string; readonly dryRun: boolean }, T extends HostResults>(
  playbook: Playbook,
  hosts: readonly H[],
  opts: RunOptions,
  emit: EventSink,
  store: HostResultStore<T>,
  runOne: (host: H) => Promise<HostResult | undefined>,
): Promise<RunResult<T>> {
  const batches = planBatches(hosts.map((_, i) => i), opts.serial);
  const startedAt = new Date().toISOString();
  const dryRun = hosts.every((h) => h.dryRun);
  emit({ type: 'run-start', hosts: hosts.map((h) => h.name), dryRun, forks: opts.forks });
  const statuses: (FinishedHost | undefined)[] = new Array(hosts.length);
  let stopped: RunResult['stopped'];

  for (const [b, batch] of batches.entries()) {
    if (opts.signal?.aborted) break;
    const index = b + 1;
    emit({ type: 'batch-start', index, hosts: batch.map((i) => hosts[i]!.name) });
    const finished: FinishedHost[] = [];
    let next = 0;
    const worker = async () => {
      while (next < batch.length && !opts.signal?.aborted && !overBudget(opts, finished, batch.length)) {
        const i = batch[next++]!;
        const r = await runOne(hosts[i]!);
        if (!r) continue;
        store.put(i, r);
        const outcome = { host: r.host, status: r.status };
        statuses[i] = outcome;
        finished.push(outcome);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.forks, batch.length)) }, worker));
    const reason = stopReason(opts, finished, batch.length, index, index < batches.length);
    if (reason) {
      stopped = { reason, afterBatch: index };
      emit({ type: 'run-stopped', reason, afterBatch: index });
      break;
    }
  }

  const result: RunResult<T> = {
    playbook: { file: playbook.file, name: playbook.name, sha256: playbook.sha256 },
    dryRun,
    startedAt,
    finishedAt: new Date().toISOString(),
    interrupted: opts.signal?.aborted ?? false,
    hosts: store.hosts(),
    notRun: hosts.filter((_, i) => statuses[i] === undefined).map((h) => h.name),
    recap: recapOf(statuses.filter((s): s is FinishedHost => s !== undefined)),
    batches: batches.map((batch) => batch.map((i) => hosts[i]!.name)),
    ...(stopped ? { stopped } : {}),
  };
  emit({ type: 'run-done', result });
  return result;
}

function connectRetryOf(opts: RunOptions): ConnectRetry | undefined {
  return opts.retries ? connectRetry(opts.retries, { ...(opts.random ? { random: opts.random } : {}), ...(opts.sleep ? { sleep: opts.sleep } : {}), ...(opts.signal ? { signal: opts.signal } : {}) }) : undefined;
}
