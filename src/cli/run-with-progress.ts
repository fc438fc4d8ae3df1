/**
 * The run as apply and plan both do it: host jobs through the executor, a live view, the
 * audit log, and Ctrl-C handled (the first lets hosts in flight finish, the second stops
 * at once and writes what is known). What each command writes after the run is its own.
 */
import type { RunIds } from '../contracts/run-ids.ts';
import type { ChalkInstance } from 'chalk';
import type { StreamedRun } from '../contracts/results.ts';
import type { RunEvent } from '../engine/events.ts';
import { runJobs, runJobsWith, type FleetPorts, type RunOptions } from '../engine/executor.ts';
import type { HostJob } from '../engine/job.ts';
import type { Playbook } from '../playbook/types.ts';
import { AuditLog } from '../report/audit-log.ts';
import { BackupFolder } from '../report/config-backup.ts';
import { ResultSpool } from '../report/result-spool.ts';
import type { SyslogSink } from '../report/syslog.ts';
import type { InProcessLab } from './lab-wiring.ts';
import type { Verbosity } from './render/results.ts';
import { makeStyle } from './render/style.ts';
import { progressRenderer, RunControl, tell } from './run-control.ts';
import { connectQueue, type QueuedRollout, type RemoteRollout } from './queue-run.ts';

/** How much the terminal shows, and in which colours. */
export interface RunView {
  readonly verbosity: Verbosity;
  readonly style: ChalkInstance;
}

/** -q is the recap only; each -v one level more, up to debug. */
export function runView(opts: { readonly quiet?: boolean; readonly verbose: number }): RunView {
  return { verbosity: opts.quiet ? 0 : (Math.min(3, 1 + opts.verbose) as Verbosity), style: makeStyle(process.stdout) };
}

export interface ProgressRun {
  readonly playbook: Playbook;
  /** The run id and ticket: in every audit line. */
  readonly ids: RunIds;
  readonly jobs: readonly HostJob[];
  readonly ports: FleetPorts;
  readonly rollout: Omit<RunOptions, 'signal' | 'audit' | 'backup'>;
  readonly view: RunView;
  /** Appended to as state-changing RPCs are sent (a dry-run configuration change loads, checks and discards: audited too). */
  readonly auditLog: string;
  /** Where each host's running configuration is kept before its first change (apply); none: no backups (plan). */
  readonly backupDir?: string;
  /** Stopped when the run ends. */
  readonly lab?: InProcessLab | undefined;
  /** Gets the hosts' syslog lines; closed when the run ends. */
  readonly syslog?: SyslogSink | undefined;
  /** A second interrupt stops at once: write what is known of the run so far (the report, the plan). */
  readonly stoppedAtOnce: (partial: StreamedRun) => void;
  /** --redis: the jobs run on workers through Redis queues; the audit log gets the lines they relay. */
  readonly remote?: RemoteRollout | undefined;
}

/**
 * Runs the jobs with a live view, then `after` with the result: the command's outputs
 * and exit code. The interrupt handling stays on until `after` is done, so a second
 * interrupt while the outputs are written still writes what is known.
 */
export async function runWithProgress(run: ProgressRun, after: (result: StreamedRun, control: RunControl) => Promise<number>): Promise<number> {
  const audit = new AuditLog(run.auditLog, { id: run.ids.runId, ...(run.ids.ticket !== undefined ? { ticket: run.ids.ticket } : {}), playbook: run.playbook.file });
  // Connected (and every job checked) before the live view starts: a refusal is one clear line, exit 2.
  const queue = run.remote ? await openQueue(run, run.remote, audit) : undefined;
  const renderer = progressRenderer(run.jobs.map((j) => j.host.name), run.rollout.forks, run.view.verbosity, run.view.style);
  const backups = run.backupDir !== undefined ? new BackupFolder({ dir: run.backupDir, runId: run.ids.runId, ...(run.ids.ticket !== undefined ? { ticket: run.ids.ticket } : {}) }) : undefined;
  const hosts = run.jobs.map((j) => ({ name: j.host.name, dryRun: j.dryRun, vars: j.host.vars }));
  // Each RPC still awaiting its answer when the run stops at once is audited as outcome unknown.
  const stopAtOnce = (partial: StreamedRun) => {
    audit.endPending('the run was stopped at once before the answer arrived');
    audit.close();
    run.stoppedAtOnce(partial);
  };
  // Each host's whole result waits on disk for the outputs; memory keeps a name and a status a host.
  const spool = new ResultSpool(run.jobs.length, { warn: (message) => tell(`runbook: warning: ${message}\n`) });
  const control = new RunControl(run.playbook, hosts, spool, stopAtOnce, (host) => audit.sentTo(host));
  const emit = (e: RunEvent) => {
    renderer.sink(e);
    control.observe(e);
    if (e.type === 'syslog') run.syslog?.send(e.host, e.message);
  };
  try {
    let result: StreamedRun;
    try {
      result = queue
        ? await runJobsWith(run.playbook, run.jobs, { ...run.rollout, signal: control.signal }, emit, spool, (_job, index) => queue.runOne(index, emit, control.signal))
        : await runJobs(run.playbook, run.jobs, run.ports, { ...run.rollout, signal: control.signal, audit: (host) => audit.forHost(host), ...(backups ? { backup: (host: string) => backups.forHost(host) } : {}) }, emit, spool);
    } finally {
      await queue?.close();
      audit.close();
      await renderer.end();
      await run.lab?.stop();
      await run.syslog?.close();
    }
    return await after(result, control);
  } finally {
    control.dispose();
    spool.close();
  }
}

/** The rollout's queue; if it cannot be used, what the run had started (the lab, syslog) is stopped before the refusal. */
async function openQueue(run: ProgressRun, remote: RemoteRollout, audit: AuditLog): Promise<QueuedRollout> {
  try {
    return await connectQueue(remote, { playbook: run.playbook, jobs: run.jobs, runId: run.ids.runId }, (line) => audit.relayed(line), (line) => tell(`${line}\n`));
  } catch (err) {
    await run.lab?.stop();
    await run.syslog?.close();
    throw err;
  }
}
