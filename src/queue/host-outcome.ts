/**
 * HostResults the queue itself decides: a host whose job never ran, or ran without a
 * trustworthy ending (no worker took it, Redis lost it, its worker was lost mid-act).
 * Failure kind `queue`; the message says what is known of the device's state.
 */
import type { Failure, HostResult } from '../contracts/results.ts';
import type { HostJob } from '../engine/job.ts';

export function queueFailure(job: HostJob, message: string, phase: Failure['phase'] = 'connect', startedAt = new Date().toISOString(), ms = 0): HostResult {
  return {
    host: job.host.name,
    status: 'failed',
    error: { phase, kind: 'queue', message },
    vars: job.host.vars,
    dryRun: job.dryRun,
    evidence: {},
    plan: [],
    actions: [],
    steps: [],
    log: [{ level: 0, text: message }],
    startedAt,
    ms,
  };
}

/**
 * A re-delivered job that may have acted: it re-collected and planned without sending
 * anything (`recollected`, a dry run), and the host fails with what that found, so an
 * operator sees the device's state now and re-plans.
 */
export function refusedRedelivery(recollected: HostResult, message: string): HostResult {
  return {
    ...recollected,
    status: 'failed',
    dryRun: false,
    error: { phase: 'act', kind: 'queue', message },
    log: [...recollected.log, { level: 0, text: message }],
  };
}
