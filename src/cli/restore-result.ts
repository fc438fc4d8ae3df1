import { createHash } from 'node:crypto';
import type { Failure, HostResult, HostStatus, RunResult } from '../contracts/results.ts';
import { recapOf } from '../contracts/results.ts';
import type { RestoreOutcome } from '../steps/restore.ts';
import { isTransportPhase } from '../transport/errors.ts';

/** What a restore did to its one host, as the plain data apply's report carries. */
export interface RestoreRun {
  readonly host: string;
  /** --from as given, and the backup's text: the report's "playbook" is the backup restored. */
  readonly from: string;
  readonly text: string;
  readonly dryRun: boolean;
  readonly startedAt: Date;
  /** The restore's outcome, or the failure to connect. */
  readonly outcome: RestoreOutcome | { readonly failure: Failure };
}

/** ok: nothing to restore; changed: restored (or, with --check, would be); unreachable as the exit code says 4. */
export function restoreStatus(outcome: RestoreRun['outcome']): HostStatus {
  if (outcome.failure) return isTransportPhase(outcome.failure.kind) ? 'unreachable' : 'failed';
  return 'config' in outcome && outcome.config?.result === 'unchanged' ? 'ok' : 'changed';
}

/** A run of one host and no steps: its configuration change and the backup of what it replaced. */
export function restoreRunResult(r: RestoreRun, finishedAt: Date = new Date()): RunResult {
  const o = r.outcome;
  const host: HostResult = {
    host: r.host,
    status: restoreStatus(o),
    ...(o.failure ? { error: o.failure } : {}),
    vars: {},
    dryRun: r.dryRun,
    evidence: {},
    plan: [],
    actions: [],
    ...('config' in o && o.config ? { config: o.config } : {}),
    ...('backup' in o && o.backup ? { backup: o.backup } : {}),
    steps: [],
    log: [],
    startedAt: r.startedAt.toISOString(),
    ms: finishedAt.getTime() - r.startedAt.getTime(),
  };
  return {
    playbook: { file: r.from, name: `restore ${r.host}`, sha256: createHash('sha256').update(r.text, 'utf8').digest('hex') },
    dryRun: r.dryRun,
    startedAt: r.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    interrupted: false,
    hosts: [host],
    notRun: [],
    recap: recapOf([host]),
    batches: [[r.host]],
  };
}

/** The one syslog line a restore leaves (the device, run and ticket ride in its structured data). */
export function restoreSyslogLine(r: RestoreRun): string {
  const o = r.outcome;
  const result = 'config' in o && o.config ? `, configuration ${o.config.result}` : '';
  return `restore from ${r.from}${r.dryRun ? ' (check)' : ''}: ${restoreStatus(o)}${result}${o.failure ? `: ${o.failure.message.replace(/\s*\n\s*/g, ' ')}` : ''}`;
}
