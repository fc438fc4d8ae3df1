/**
 * The coordinator side of a distributed rollout: each host job is put on its queue when
 * the executor would have run it (so `serial` batches, `forks` as the global limit and
 * the failure budget are the local executor's own), and its HostResult comes back as the
 * job's return value. The host's events arrive as job progress and go to the same sink
 * as a local run's, so the live view, syslog and recap are the same.
 *
 * A job's end is learnt from the queue's events and, as a backstop for missed events
 * (a reconnect, a trimmed event stream), from its state in Redis, read every `pollMs`.
 * Every job ends in one of: its worker's result; failed by BullMQ (stalled twice); gone
 * from Redis; not taken by any worker within `queueTimeoutMs`; or removed before a
 * worker took it because the run was interrupted (then the host is "not run").
 */
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { HostResult } from '../contracts/results.ts';
import type { RunEvent } from '../engine/events.ts';
import type { HostJob } from '../engine/job.ts';
import type { Playbook } from '../playbook/types.ts';
import { closeOrDrop } from './close-or-drop.ts';
import { connectRedis } from './connect.ts';
import { queueFailure } from './host-outcome.ts';
import { jobIdOf, keys, PREFIX } from './keys.ts';
import { storePlaybook } from './playbook-store.ts';
import { queuedJob, type QueuedJob } from './queued-job.ts';
import type { RedisTarget } from './redis-url.ts';

export interface QueueRunnerOptions {
  readonly redis: RedisTarget;
  readonly runId: string;
  /** A job no worker has taken after this long fails its host (no worker serves its queue, or all are busy). */
  readonly queueTimeoutMs: number;
  /** How often job states and the audit mirror are read. */
  readonly pollMs?: number;
  /** Each mirrored audit line, in the order the workers pushed them. */
  readonly audit: (line: Record<string, unknown>) => void;
  readonly warn: (line: string) => void;
}

interface Pending {
  readonly queued: QueuedJob;
  readonly queue: Queue;
  /** When the job went on the queue, or was last seen taken: a job a stall check puts back waits afresh. */
  waitingSince: number;
  readonly emit: (e: RunEvent) => void;
  readonly signal: AbortSignal | undefined;
  started: boolean;
  /** When the job, active, was first seen without its worker's lock. */
  lockLostAt?: number | undefined;
  settle(result: HostResult | undefined): void;
}

const DAY_S = 24 * 3600;
/** The run's alive key (keys.run) outlives its coordinator's last renewal by this much. */
const RUN_ALIVE_MS = 30_000;

export class QueueRunner {
  private readonly queues = new Map<string, { queue: Queue; events: QueueEvents; ready: Promise<unknown> }>();
  private readonly pending = new Map<string, Pending>();
  private readonly timer: NodeJS.Timeout;
  private readonly alive: NodeJS.Timeout;
  private sweeping = false;
  private readonly watched = new WeakSet<AbortSignal>();
  private lastError: { message: string; since: number } | undefined;

  private constructor(
    private readonly opts: QueueRunnerOptions,
    private readonly redis: Redis,
  ) {
    this.timer = setInterval(() => void this.sweep(), opts.pollMs ?? 1000);
    // SET, not PEXPIRE: a Redis restarted without its data gets the key back.
    this.alive = setInterval(() => void markAlive(redis, opts.runId).catch(() => undefined), RUN_ALIVE_MS / 6);
  }

  /**
   * Checks every job can travel, then connects (failing fast with connect.ts's RedisUnavailableError):
   * nothing is enqueued on bad input. `queueVar`: a host's runbook_queue inventory var.
   */
  static async connect(opts: QueueRunnerOptions, playbook: Playbook, jobs: readonly HostJob[], queueVar: (host: string) => unknown = () => undefined): Promise<{ runner: QueueRunner; queued: QueuedJob[] }> {
    const queued = jobs.map((job, i) => queuedJob(opts.runId, i, job, queueVar(job.host.name)));
    const redis = await connectRedis(opts.redis);
    await storePlaybook(redis, playbook);
    await markAlive(redis, opts.runId);
    return { runner: new QueueRunner(opts, redis), queued };
  }

  /** Puts the job on its queue and resolves with its host's result; undefined when the run was interrupted before a worker took it. */
  async run(queued: QueuedJob, emit: (e: RunEvent) => void, signal?: AbortSignal): Promise<HostResult | undefined> {
    if (signal?.aborted) return undefined;
    this.sweepOnAbort(signal);
    const { queue } = await this.queueNamed(queued.queue);
    const id = jobIdOf(queued.runId, queued.index);
    return new Promise<HostResult | undefined>((resolve) => {
      const p: Pending = {
        queued,
        queue,
        waitingSince: Date.now(),
        emit,
        signal,
        started: false,
        settle: (result) => {
          if (!this.pending.delete(id)) return;
          if (result) this.finish(p, result);
          // The result is read: the job's copy and its delivery mark are not needed (and count against Redis's memory).
          void queue.remove(id).catch(() => undefined);
          void this.redis.del(keys.delivery(queued.runId, queued.index)).catch(() => undefined);
          resolve(result);
        },
      };
      this.pending.set(id, p);
      queue
        .add(queued.job.host.name, queued, { jobId: id, attempts: 1, removeOnComplete: { age: DAY_S }, removeOnFail: { age: DAY_S } })
        .catch((err: Error) => p.settle(queueFailure(queued.job, `could not put the job on queue ${queued.queue}: ${err.message}; nothing was sent`)));
    });
  }

  /** Stops reading; removes this run's jobs no worker took; the audit mirror drained into `audit` first. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.alive);
    const up = this.redis.status === 'ready';
    await (up ? this.drainAudit() : Promise.reject(new Error(`connection ${this.redis.status}`))).catch((err: Error) => this.opts.warn(`runbook: could not read the workers' audit lines from Redis: ${err.message}; each worker's own audit log has them`));
    const all = [...this.queues.values()].flatMap(({ queue, events }) => [events, queue]);
    await closeOrDrop(Promise.all(all.map((c) => c.close())), all, !up);
    if (up) await this.redis.del(keys.run(this.opts.runId)).catch(() => undefined);
    this.redis.disconnect();
  }

  private finish(p: Pending, result: HostResult): void {
    if (!p.started) p.emit({ type: 'host-start', host: p.queued.job.host.name });
    p.started = true;
    p.emit({ type: 'host-done', result });
  }

  private async queueNamed(name: string): Promise<{ queue: Queue; events: QueueEvents }> {
    const known = this.queues.get(name);
    if (known) {
      // Every job waits for its queue's events to be ready, not only the first: jobs are added in the executor's order.
      await known.ready;
      return known;
    }
    const connection = { ...this.opts.redis.options, maxRetriesPerRequest: null };
    const queue = new Queue(name, { connection, prefix: PREFIX });
    const events = new QueueEvents(name, { connection, prefix: PREFIX });
    const warn = (err: Error) => this.noteError(err);
    queue.on('error', warn);
    events.on('error', warn);
    events.on('progress', ({ jobId, data }) => this.onProgress(jobId, data));
    events.on('completed', ({ jobId, returnvalue }) => this.onCompleted(jobId, returnvalue));
    events.on('failed', ({ jobId, failedReason }) => this.onFailed(jobId, failedReason));
    const entry = { queue, events, ready: events.waitUntilReady() };
    this.queues.set(name, entry);
    await entry.ready;
    return entry;
  }

  /** A worker's progress write: a batch of the host's events in order (or, from an older worker, one event). */
  private onProgress(jobId: string, data: unknown): void {
    const p = this.pending.get(jobId);
    if (!p) return;
    for (const event of (Array.isArray(data) ? data : [data]) as (RunEvent | null)[]) {
      if (!event || typeof event !== 'object' || typeof event.type !== 'string') continue;
      if ('host' in event && event.host !== p.queued.job.host.name) continue;
      if (event.type === 'host-start') {
        if (p.started) continue;
        p.started = true;
      }
      p.emit(event);
    }
  }

  private onCompleted(jobId: string, value: unknown): void {
    const p = this.pending.get(jobId);
    if (!p) return;
    const result = hostResultOf(value);
    p.settle(result ?? queueFailure(p.queued.job, `the worker's result could not be read (${String(value).slice(0, 80)})`, 'act'));
  }

  private onFailed(jobId: string, reason: string): void {
    const p = this.pending.get(jobId);
    if (!p) return;
    lost(p, `the queue failed the job: ${reason}`);
  }

  /** An interrupt removes the jobs no worker has taken now, not at the next sweep: a worker freed meanwhile would start one. */
  private sweepOnAbort(signal: AbortSignal | undefined): void {
    if (!signal || this.watched.has(signal)) return;
    this.watched.add(signal);
    signal.addEventListener('abort', () => void this.sweep(), { once: true });
  }

  /** The backstop: every pending job's state, the interrupt, the queue timeout, Redis unreachable too long. */
  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      // Commands sent while the connection is down wait for it (up to maxRetriesPerRequest reconnects): not sent, the timeout counts.
      if (this.redis.status !== 'ready') throw new Error(`connection ${this.redis.status}`);
      await this.drainAudit();
      // All at once: ioredis pipelines them, so a sweep of `forks` jobs is a few round trips, not 2 × forks.
      await Promise.all([...this.pending].map(([id, p]) => this.check(id, p)));
      this.lastError = undefined;
    } catch (err) {
      this.noteError(err as Error);
      this.failAllIfDownTooLong();
    } finally {
      this.sweeping = false;
    }
  }

  private async check(id: string, p: Pending): Promise<void> {
    const state = await p.queue.getJobState(id);
    if (state === 'completed' || state === 'failed') {
      const job = await Job.fromId(p.queue, id);
      if (!job) return;
      if (state === 'completed') this.onCompleted(id, job.returnvalue);
      else this.onFailed(id, job.failedReason);
      return;
    }
    if (state === 'unknown') {
      return lost(p, 'the job is gone from Redis (Redis restarted without persistence, or was flushed)');
    }
    if (state === 'active') return this.checkActive(id, p);
    // Waiting for a worker: removed if the run was interrupted, or if none took it in time.
    const timedOut = Date.now() - p.waitingSince > this.opts.queueTimeoutMs;
    if (!p.signal?.aborted && !timedOut) return;
    if ((await p.queue.remove(id)) !== 1) return; // A worker took it meanwhile: it runs to its end.
    // Its delivery mark is set: a worker ran it and was lost, and a stall check put it back. It may have acted.
    if ((await this.redis.exists(keys.delivery(p.queued.runId, p.queued.index))) === 1) {
      const why = p.signal?.aborted ? 'the run was interrupted before another took it over' : `no worker of queue ${p.queued.queue} took the job over within ${this.timeoutS} s (--queue-timeout)`;
      return lost(p, `its worker was lost and ${why}`);
    }
    if (p.signal?.aborted) return p.settle(undefined);
    p.settle(
      queueFailure(
        p.queued.job,
        `no worker took the job from queue ${p.queued.queue} within ${this.timeoutS} s (--queue-timeout): is a \`runbook worker --queue ${p.queued.queue}\` running, and free? Nothing was sent`,
      ),
    );
  }

  /**
   * An active job whose lock is gone has lost its worker. Another worker of its queue
   * takes it over at its next stall check (and refuses to act again); with none, the host
   * fails here once the lock has been gone for the queue timeout, and the job is removed.
   */
  private async checkActive(id: string, p: Pending): Promise<void> {
    p.waitingSince = Date.now();
    if ((await this.redis.exists(keys.jobLock(p.queued.queue, id))) === 1) {
      p.lockLostAt = undefined;
      return;
    }
    p.lockLostAt ??= Date.now();
    if (Date.now() - p.lockLostAt <= this.opts.queueTimeoutMs) return;
    if ((await p.queue.remove(id)) !== 1) return;
    lost(p, `its worker stopped renewing the job's lock and no worker of queue ${p.queued.queue} took it over within ${this.timeoutS} s`);
  }

  private get timeoutS(): number {
    return Math.round(this.opts.queueTimeoutMs / 1000);
  }

  /** The workers' audit lines so far, in order, into the coordinator's audit log. */
  private async drainAudit(): Promise<void> {
    const key = keys.audit(this.opts.runId);
    for (;;) {
      const lines = await this.redis.lpop(key, 500);
      if (!lines || lines.length === 0) return;
      for (const line of lines) {
        try {
          this.opts.audit(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // Not ours: skipped, as every worker's own audit log has the line.
        }
      }
    }
  }

  private noteError(err: Error): void {
    if (!this.lastError) {
      this.lastError = { message: err.message, since: Date.now() };
      this.opts.warn(`runbook: Redis at ${this.opts.redis.shown}: ${err.message}; retrying`);
    }
  }

  /** Redis gone for longer than a job may wait: each pending host fails with what is known, rather than the run hanging. */
  private failAllIfDownTooLong(): void {
    if (!this.lastError || Date.now() - this.lastError.since < this.opts.queueTimeoutMs) return;
    for (const p of [...this.pending.values()]) {
      lost(p, `Redis at ${this.opts.redis.shown} unreachable for ${Math.round((Date.now() - this.lastError.since) / 1000)} s (${this.lastError.message})`);
    }
  }
}

/**
 * Says the run's coordinator lives. A coordinator killed, or stopped at once, leaves jobs
 * waiting in Redis that nobody will read the results of; once this key has expired, a
 * worker that takes one does not run it.
 */
function markAlive(redis: Redis, runId: string): Promise<unknown> {
  return redis.set(keys.run(runId), String(process.pid), 'PX', RUN_ALIVE_MS);
}

/** Fails a host whose job was lost, saying what that means for its device: nothing for a dry run, unknown state for one that may have acted. */
function lost(p: Pending, what: string): void {
  const job = p.queued.job;
  const message = job.dryRun ? `${what}; a dry run sends nothing, so the device is unchanged` : `worker lost mid-act: state unknown, re-plan (${what}; the workers' audit logs say what was sent)`;
  p.settle(queueFailure(job, message, job.dryRun ? 'connect' : 'act'));
}

function hostResultOf(value: unknown): HostResult | undefined {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  const r = v as Partial<HostResult> | null;
  return r && typeof r === 'object' && typeof r.host === 'string' && typeof r.status === 'string' ? (r as HostResult) : undefined;
}
