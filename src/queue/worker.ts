/**
 * The worker side of a distributed rollout: BullMQ workers on one or more named queues,
 * each job a host job run by the same function as the local executor (`run`, given by
 * the CLI with this machine's ports). What only a queue needs is here:
 *
 * - Delivery. BullMQ delivers at least once: a job whose worker stalled or died is
 *   delivered again. The first delivery of a job sets a mark in Redis; a later delivery
 *   finds it. A read-only job (dry run, plan) simply runs again. A job that may have
 *   acted never does: it re-collects and plans without sending anything, and the host
 *   fails with "worker lost mid-act: state unknown, re-plan".
 * - One change per device. An acting job holds a per-device lock in Redis while it runs
 *   (renewed; it expires if the worker dies), so two runs never act on a device at once.
 * - Events. The host's events go to the coordinator as BullMQ job progress, in order;
 *   the result is the job's return value.
 */
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { HostResult } from '../contracts/results.ts';
import type { RunEvent } from '../engine/events.ts';
import type { PlaybookSource } from '../engine/playbook-source.ts';
import { closeOrDrop } from './close-or-drop.ts';
import { releaseIfMine, renewIfMine } from './connect.ts';
import { queueFailure, refusedRedelivery } from './host-outcome.ts';
import { keys, PREFIX } from './keys.ts';
import { RedisPlaybookSource } from './playbook-store.ts';
import { readQueuedJob, type QueuedJob } from './queued-job.ts';
import type { RedisTarget } from './redis-url.ts';

/** How a worker runs one job on this machine: the CLI's ports, events to `emit`. */
export type RunQueuedJob = (queued: QueuedJob, io: { readonly emit: (e: RunEvent) => void; readonly playbooks: PlaybookSource; readonly mirrorAudit: (line: object) => void }) => Promise<HostResult>;

export interface QueueWorkerOptions {
  readonly redis: RedisTarget;
  readonly queues: readonly string[];
  /** Jobs in flight at once, per queue. */
  readonly concurrency: number;
  /** A job whose worker has not renewed its lock for this long is stalled and delivered again. */
  readonly stallMs: number;
  /** This worker's name, in Redis (CLIENT LIST, `runbook queue status`) and in device locks. */
  readonly name: string;
  readonly run: RunQueuedJob;
  readonly log: (line: string) => void;
}

const DAY_S = 24 * 3600;
/** Collect progress is sent at most this often per job: it is a count, only the latest matters. */
const PROGRESS_EVERY_MS = 250;


export class QueueWorkers {
  private constructor(
    private readonly workers: readonly Worker[],
    private readonly redis: Redis,
    private readonly inFlight: Set<Promise<unknown>>,
  ) {}

  static async start(opts: QueueWorkerOptions): Promise<QueueWorkers> {
    const redis = new Redis({ ...opts.redis.options, maxRetriesPerRequest: null, connectionName: `${opts.name}:runbook` });
    redis.on('error', warnOnce(opts.log, `runbook worker: Redis at ${opts.redis.shown}`));
    await redis.sadd(keys.queues(), ...opts.queues);
    const playbooks = new RedisPlaybookSource(redis);
    const inFlight = new Set<Promise<unknown>>();
    const processor = (job: Job) => {
      const run = processJob(job, { ...opts, redis, playbooks });
      inFlight.add(run);
      void run.catch(() => undefined).finally(() => inFlight.delete(run));
      return run;
    };
    const workers = opts.queues.map((queue) => {
      const worker = new Worker(queue, processor, {
        connection: { ...opts.redis.options, maxRetriesPerRequest: null },
        prefix: PREFIX,
        name: opts.name,
        concurrency: opts.concurrency,
        lockDuration: opts.stallMs,
        stalledInterval: opts.stallMs,
        // One re-delivery after a stall: the processor decides what a re-delivered job may do.
        maxStalledCount: 1,
        autorun: true,
      });
      worker.on('error', warnOnce(opts.log, `runbook worker: queue ${queue}`));
      return worker;
    });
    await Promise.all(workers.map((w) => w.waitUntilReady()));
    return new QueueWorkers(workers, redis, inFlight);
  }

  /** Takes no new job, waits for the jobs in flight, then disconnects. `force`: do not wait (they will be delivered again). */
  async close(force = false): Promise<void> {
    const closing = Promise.all(this.workers.map((w) => w.close(force)));
    // The jobs are waited for here, not in BullMQ's close, which may never end (Redis down).
    if (!force) while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await closeOrDrop(closing, this.workers, force);
    this.redis.disconnect();
  }
}

interface Processing extends Omit<QueueWorkerOptions, 'redis'> {
  readonly redis: Redis;
  readonly playbooks: PlaybookSource;
}

async function processJob(job: Job, p: Processing): Promise<HostResult> {
  const queued = readQueuedJob(job.data);
  // Nobody would read its result, and nobody could stop it: a job of a run whose coordinator is gone is not run.
  if ((await p.redis.exists(keys.run(queued.runId))) === 0) {
    p.log(`runbook worker: ${queued.job.host.name}: job ${job.id} not run: the coordinator of run ${queued.runId} is gone`);
    return queueFailure(queued.job, `not run: the coordinator of run ${queued.runId} is gone (killed, or stopped at once) and took no result; nothing was sent`);
  }
  const events = new ProgressChannel(job);
  const io = { emit: (e: RunEvent) => events.send(e), playbooks: p.playbooks, mirrorAudit: auditMirror(p.redis, queued.runId) };
  try {
    const first = (await p.redis.set(keys.delivery(queued.runId, queued.index), p.name, 'EX', DAY_S, 'NX')) === 'OK';
    if (!first && !queued.job.dryRun) {
      p.log(`runbook worker: ${queued.job.host.name}: job ${job.id} delivered again after its worker was lost; re-collecting without acting`);
      const recollected = await p.run({ ...queued, job: { ...queued.job, dryRun: true } }, io);
      return refusedRedelivery(
        recollected,
        `worker lost mid-act: state unknown, re-plan (job ${job.id} was delivered again after the worker running it stopped; it may have sent state-changing RPCs, so this delivery only re-collected and sent nothing; the first worker's audit log says what was sent)`,
      );
    }
    if (queued.job.dryRun) return await p.run(queued, io);
    return await withDeviceLock(p, queued, `${job.id}@${p.name}`, () => p.run(queued, io));
  } finally {
    await events.flush();
    // The audit lines go on this connection, the result on BullMQ's: a reply to this PING means Redis has
    // every line sent before it, so the coordinator, which reads the lines once it has the results, misses none.
    await p.redis.ping().catch(() => undefined);
  }
}

/** Runs `act` holding the device's lock; a device another job holds fails the host without contacting it. */
async function withDeviceLock(p: Processing, queued: QueuedJob, holder: string, act: () => Promise<HostResult>): Promise<HostResult> {
  const key = keys.device(queued.job.host.name);
  const ttl = Math.max(60_000, 2 * p.stallMs);
  if ((await p.redis.set(key, holder, 'PX', ttl, 'NX')) !== 'OK') {
    const other = await p.redis.get(key);
    return queueFailure(queued.job, `another runbook job (${other ?? 'just released'}) is acting on this device; not contacted (one change at a time per device)`);
  }
  const renew = setInterval(() => void renewIfMine(p.redis, key, holder, ttl), ttl / 3);
  try {
    return await act();
  } finally {
    clearInterval(renew);
    await releaseIfMine(p.redis, key, holder);
  }
}

/** Audit lines pushed to the run's list in Redis, for the coordinator's audit log; this worker's own file has them first. */
function auditMirror(redis: Redis, runId: string): (line: object) => void {
  return (line) => {
    void redis.rpush(keys.audit(runId), JSON.stringify(line)).then(
      () => redis.expire(keys.audit(runId), 7 * DAY_S),
      () => undefined,
    );
  };
}

/**
 * The host's events as job progress, in order. The result travels as the job's return
 * value, so `host-done` is not sent; collect counts are thinned to the latest every
 * PROGRESS_EVERY_MS. Events go in batches (one progress write carries an array): the
 * events of a burst (an analyze step's step-start and log lines come within a
 * millisecond) and those emitted while the previous write was on its way share one
 * write, rather than a Redis round trip, a script run and an event-stream entry each.
 */
class ProgressChannel {
  private waiting: RunEvent[] = [];
  private sending: Promise<void> | undefined;
  private lastProgress = 0;

  constructor(private readonly job: Job) {}

  send(event: RunEvent): void {
    if (event.type === 'host-done' || event.type === 'run-done' || event.type === 'run-start') return;
    if (event.type === 'progress') {
      const now = Date.now();
      if (now - this.lastProgress < PROGRESS_EVERY_MS) return;
      this.lastProgress = now;
    }
    this.waiting.push(event);
    this.sending ??= this.drain();
  }

  flush(): Promise<void> {
    return this.sending ?? Promise.resolve();
  }

  private async drain(): Promise<void> {
    // The rest of the burst this event came in joins it.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      // A lost batch loses lines of the live view, never the result.
      await this.job.updateProgress(batch as unknown as object).catch(() => undefined);
    }
    this.sending = undefined;
  }
}

/** Logs a connection error once until the connection works again: Redis down is one line, not one per retry. */
function warnOnce(log: (line: string) => void, what: string): (err: Error) => void {
  let last = '';
  return (err) => {
    const text = err.message;
    if (text === last) return;
    last = text;
    log(`${what}: ${text}`);
  };
}
