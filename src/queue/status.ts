/**
 * What `runbook queue status` shows: each queue known in Redis (those a worker has served,
 * keys.queues, and any holding BullMQ's keys), its jobs by state, and the workers
 * connected to it now (BullMQ's CLIENT LIST reading). It only reads: nothing is added,
 * moved or removed.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectRedis } from './connect.ts';
import { keys, PREFIX } from './keys.ts';
import type { RedisTarget } from './redis-url.ts';

/** The job states shown, in BullMQ's names. */
export const JOB_STATES = ['waiting', 'active', 'completed', 'failed', 'delayed'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface QueueStatus {
  readonly name: string;
  readonly jobs: Readonly<Record<JobState, number>>;
  /** The names of the workers connected to the queue (`runbook worker --name`), sorted. */
  readonly workers: readonly string[];
}

export async function readQueueStatus(target: RedisTarget): Promise<QueueStatus[]> {
  const redis = await connectRedis(target);
  try {
    const names = await queueNames(redis);
    return await Promise.all(names.map((name) => statusOf(name, redis)));
  } finally {
    redis.disconnect();
  }
}

/** The served queues and every queue BullMQ keeps (its `meta` key is written with the first job), sorted. */
export async function queueNames(redis: Redis): Promise<string[]> {
  const names = new Set(await redis.smembers(keys.queues()));
  const pattern = `${PREFIX}:*:meta`;
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    // Queue names hold no ':' (keys.ts), so the name is the middle part; `_` is runbook's own.
    for (const key of found) {
      const parts = key.split(':');
      if (parts.length === 3 && parts[1] !== '_') names.add(parts[1]!);
    }
  } while (cursor !== '0');
  return [...names].sort();
}

async function statusOf(name: string, redis: Redis): Promise<QueueStatus> {
  // The shared connection: BullMQ leaves it open at close.
  const queue = new Queue(name, { connection: redis, prefix: PREFIX });
  try {
    const [counts, clients] = await Promise.all([queue.getJobCounts(...JOB_STATES), queue.getWorkers()]);
    const jobs = Object.fromEntries(JOB_STATES.map((s) => [s, counts[s] ?? 0])) as Record<JobState, number>;
    return { name, jobs, workers: [...new Set(clients.map((c) => workerName(c.rawname)))].sort() };
  } finally {
    await queue.close();
  }
}

/** A worker client's name is `<prefix>:<base64 queue>:w:<worker name>`; one without a name shows as such. */
function workerName(rawname: string | undefined): string {
  const at = rawname?.indexOf(':w:') ?? -1;
  return at < 0 ? '(unnamed)' : rawname!.slice(at + 3);
}
