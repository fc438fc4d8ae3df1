/**
 * `--redis URL` on apply and plan: the rollout's jobs go to Redis queues and `runbook
 * worker`s run them (queue/coordinator.ts). Everything before the run (inputs, outputs,
 * the question) is checked here first, as for a local run; a job that cannot travel (a
 * secret only this process holds) or a Redis that cannot be reached stops the run with
 * exit 2 before anything is enqueued.
 */
import type { Command } from 'commander';
import type { HostResult } from '../contracts/results.ts';
import type { RunEvent } from '../engine/events.ts';
import type { HostJob } from '../engine/job.ts';
import type { Playbook } from '../playbook/types.ts';
import { parseRedisUrl, RedisUrlError, type RedisTarget } from '../queue/redis-url.ts';
import { UsageError } from './errors.ts';
import { positiveNumber } from './option-parsers.ts';

export interface RemoteRollout {
  readonly target: RedisTarget;
  readonly queueTimeoutMs: number;
}

export interface RedisCliOptions {
  redis?: string;
  queueTimeout: number;
}

export function addRedisOptions(command: Command): Command {
  return command
    .option('--redis <url>', 'run the hosts on `runbook worker`s through Redis queues (BullMQ): redis://HOST:PORT[/DB]; hosts pick a queue with the runbook_queue var')
    .option('--queue-timeout <seconds>', 'with --redis: a host whose job no worker takes within this fails', positiveNumber, 300);
}

export function remoteRollout(opts: RedisCliOptions): RemoteRollout | undefined {
  if (opts.redis === undefined) return undefined;
  try {
    return { target: parseRedisUrl(opts.redis), queueTimeoutMs: opts.queueTimeout * 1000 };
  } catch (err) {
    if (err instanceof RedisUrlError) throw new UsageError(`--redis: ${err.message}`);
    throw err;
  }
}

/** A rollout's jobs on the queue: each job's result (undefined: removed before it ran), then close. */
export interface QueuedRollout {
  runOne(index: number, emit: (e: RunEvent) => void, signal: AbortSignal): Promise<HostResult | undefined>;
  /** Relays the last audit lines and removes the run's jobs no worker took. */
  close(): Promise<void>;
}

/** Connects to Redis and checks the jobs; UsageError (exit 2, nothing enqueued) if either fails. */
export async function connectQueue(
  remote: RemoteRollout,
  run: { readonly playbook: Playbook; readonly jobs: readonly HostJob[]; readonly runId: string },
  audit: (line: Record<string, unknown>) => void,
  warn: (line: string) => void,
): Promise<QueuedRollout> {
  // BullMQ and ioredis are loaded only by runs that use them.
  const { QueueRunner, RedisUnavailableError } = await import('../queue/coordinator.ts');
  const { UnqueueableJobError } = await import('../queue/queued-job.ts');
  try {
    const { runner, queued } = await QueueRunner.connect({ redis: remote.target, runId: run.runId, queueTimeoutMs: remote.queueTimeoutMs, audit, warn }, run.playbook, run.jobs);
    return { runOne: (index, emit, signal) => runner.run(queued[index]!, emit, signal), close: () => runner.close() };
  } catch (err) {
    if (err instanceof RedisUnavailableError) throw new UsageError(err.message);
    if (err instanceof UnqueueableJobError) throw new UsageError(`--redis: ${err.message}; nothing was enqueued`);
    throw err;
  }
}
