/**
 * A host run as a job: plain data in (HostJob, which survives JSON.stringify/parse, so it
 * can be queued and run on another machine), ports for everything the job touches, and
 * the HostResult out. The local executor runs every host this way; a worker elsewhere
 * would run the same function with its own ports. Nothing here reads `process`, the
 * terminal or the command line.
 */
import type { ChangeAudit } from '../contracts/audit.ts';
import type { ConfigBackup } from '../contracts/backup.ts';
import { failureOf } from '../contracts/failure.ts';
import type { PlannedHost } from '../contracts/planned-host.ts';
import type { Failure, HostResult } from '../contracts/results.ts';
import type { SecretsPort } from '../contracts/secrets.ts';
import type { RunIds } from '../contracts/run-ids.ts';
import type { RpcSession } from '../contracts/session.ts';
import type { ConnectionSettings } from '../transport/connection-settings.ts';
import type { RunEvent } from './events.ts';
import { HostDeadline } from './host-deadline.ts';
import { runHost, type EngineHost, type HostRunOptions } from './host-run.ts';
import type { PlaybookRef, PlaybookSource } from './playbook-source.ts';
import { connectRetry, type RetrySpec, type Sleep } from './retry.ts';

export type HostVars = Readonly<Record<string, string | number | boolean>>;

/** One host's run, as data: no function, no secret, no Buffer. */
export interface HostJob {
  /** The playbook, validated where the job was made; the runner loads it by this reference. */
  readonly playbook: PlaybookRef;
  readonly host: { readonly name: string; readonly groups: readonly string[]; readonly vars: HostVars };
  /** How to reach the device; secrets only as references. */
  readonly connection: ConnectionSettings;
  /** Send nothing that changes state (a dry run, --check, or plan). */
  readonly dryRun: boolean;
  /** Everything the host does with its device ends within this many ms (HostDeadline). */
  readonly deadlineMs?: number;
  /** Retry refused or timed-out connects; attempts counts the first. */
  readonly connectRetry?: RetrySpec;
  /** apply --plan: the host's entry in the reviewed plan, null when the plan has none. Absent: a fresh run. */
  readonly reviewed?: { readonly entry: PlannedHost | null };
  /** The run id and ticket, for the commit comments (`runbook <run-id> <ticket> <playbook>`). */
  readonly ids?: RunIds;
  /** With --redis: the queue whose workers run the job (the host's runbook_queue inventory var); absent: the default queue. */
  readonly queue?: string;
}

/** Everything a job does outside itself. */
export interface JobPorts {
  /** Opens a session to the device the settings name, resolving their secrets with `secrets`. */
  readonly openSession: (connection: ConnectionSettings, secrets: SecretsPort) => Promise<RpcSession>;
  readonly secrets: SecretsPort;
  readonly playbooks: PlaybookSource;
  /** Events as the host runs (an event sink that throws loses that event, not the host). */
  readonly emit: (event: RunEvent) => void;
  /** The audit trail of the host's state-changing RPCs. */
  readonly audit?: ChangeAudit;
  /** Keeps the host's running configuration before its first state-changing RPC; none: no backup. */
  readonly backup?: ConfigBackup;
  /** Once aborted, no new connect attempt starts. */
  readonly signal?: AbortSignal;
  /** The waits between connect attempts and their jitter, and the time read for startedAt and every ms (default: real timers, Math.random, Date.now). */
  readonly clock?: { readonly sleep?: Sleep; readonly random?: () => number; readonly now?: () => number };
}

/** Runs one host job. Never throws: whatever goes wrong, a port included, is in the HostResult. */
export async function runHostJob(job: HostJob, ports: JobPorts): Promise<HostResult> {
  const emit = guarded(ports.emit);
  const now = ports.clock?.now ?? Date.now;
  const started = now();
  const startedAt = new Date(started).toISOString();
  try {
    const playbook = await ports.playbooks.load(job.playbook);
    const deadline = job.deadlineMs !== undefined ? new HostDeadline(job.host.name, job.deadlineMs) : undefined;
    const host = engineHost(job, ports);
    try {
      return await runHost(playbook, deadline ? deadline.bound(host) : host, hostRunOptions(job, ports, emit, now));
    } finally {
      deadline?.dispose();
    }
  } catch (err) {
    // Before the host ran (the playbook, the retry spec) or a port that broke the run itself.
    return failedBeforeRun(job, failureOf('connect', err), emit, startedAt, now() - started);
  }
}

/** The host as runHost takes it: the job's data, and a connect that opens through the port. */
function engineHost(job: HostJob, ports: JobPorts): EngineHost {
  return {
    name: job.host.name,
    groups: job.host.groups,
    vars: job.host.vars,
    dryRun: job.dryRun,
    ...(job.deadlineMs !== undefined ? { deadlineMs: job.deadlineMs } : {}),
    ...(job.reviewed ? { reviewed: job.reviewed } : {}),
    ...(job.ids ? { ids: job.ids } : {}),
    connect: () => ports.openSession(job.connection, ports.secrets),
  };
}

function hostRunOptions(job: HostJob, ports: JobPorts, emit: (e: RunEvent) => void, now: () => number): HostRunOptions {
  const audit = ports.audit;
  const retry = job.connectRetry ? connectRetry(job.connectRetry, { ...ports.clock, ...(ports.signal ? { signal: ports.signal } : {}) }) : undefined;
  const backup = ports.backup;
  return { emit, clock: { now }, ...(audit ? { audit: () => audit } : {}), ...(backup ? { backup: () => backup } : {}), ...(retry ? { retry } : {}) };
}

function guarded(emit: (e: RunEvent) => void): (e: RunEvent) => void {
  return (e) => {
    try {
      emit(e);
    } catch {
      // A renderer's bug must not turn into a host's failure, nor end the run.
    }
  };
}

function failedBeforeRun(job: HostJob, error: Failure, emit: (e: RunEvent) => void, startedAt: string, ms: number): HostResult {
  const result: HostResult = {
    host: job.host.name,
    status: 'failed',
    error,
    vars: job.host.vars,
    dryRun: job.dryRun,
    evidence: {},
    plan: [],
    actions: [],
    steps: [],
    log: [],
    startedAt,
    ms,
  };
  emit({ type: 'host-start', host: job.host.name });
  emit({ type: 'host-done', result });
  return result;
}
