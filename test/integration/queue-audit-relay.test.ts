/**
 * A worker relays its audit lines to the coordinator through Redis, on a connection of
 * its own, while the job's result travels on BullMQ's. The coordinator reads the lines it
 * has once it holds every result, so a job's result must not reach Redis before its lines:
 * a job that ends right after a burst of lines still has them all in Redis when it
 * completes.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { HostResult } from '../../src/contracts/results.ts';
import { keys, PREFIX } from '../../src/queue/keys.ts';
import { QUEUED_JOB_VERSION } from '../../src/queue/queued-job.ts';
import { parseRedisUrl } from '../../src/queue/redis-url.ts';
import { QueueWorkers } from '../../src/queue/worker.ts';
import { redisUnavailable, startRedis, type RunningRedis } from '../helpers/redis.ts';

const LINES = 50_000;
const QUEUE = 'relay';

describe('queue worker: audit lines relayed before the result', { skip: redisUnavailable() }, () => {
  let dir: string;
  let redis: RunningRedis;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-relay-'));
    redis = await startRedis(join(dir, 'redis'));
  });
  after(async () => {
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it(`a job that ends right after ${LINES} audit lines completes with all of them in Redis`, async () => {
    const target = parseRedisUrl(redis.url);
    const connection = { ...target.options, maxRetriesPerRequest: null };
    // The job mirrors its lines and returns at once, as a job whose last act is an audited RPC does.
    const workers = await QueueWorkers.start({
      redis: target,
      queues: [QUEUE],
      concurrency: 1,
      stallMs: 30_000,
      name: 'relay-test',
      log: () => undefined,
      run: async (queued, io) => {
        for (let seq = 1; seq <= LINES; seq++) io.mirrorAudit({ run: queued.runId, host: 'h', seq, phase: 'intent', rpc: 'clear', cli: 'x'.repeat(800) });
        return { host: 'h', status: 'ok' } as HostResult;
      },
    });
    const queue = new Queue(QUEUE, { connection, prefix: PREFIX });
    const events = new QueueEvents(QUEUE, { connection, prefix: PREFIX });
    const reader = new Redis(target.options);
    try {
      await events.waitUntilReady();
      // The run's coordinator is alive (a worker runs no job of a run whose heartbeat is gone).
      await reader.set(keys.run('run-1'), String(process.pid), 'PX', 60_000);
      // Read the moment the completion is known, as the coordinator would.
      const relayedAtCompletion = new Promise<number>((resolve) => events.on('completed', () => void reader.llen(keys.audit('run-1')).then(resolve)));
      await queue.add('h', { v: QUEUED_JOB_VERSION, runId: 'run-1', index: 0, queue: QUEUE, job: { dryRun: true, host: { name: 'h', groups: [], vars: {} } } }, { jobId: 'run-1-0' });
      assert.equal(await relayedAtCompletion, LINES);
    } finally {
      reader.disconnect();
      await events.close();
      await queue.close();
      await workers.close();
    }
  });
});
