import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HostResult } from '../../src/contracts/results.ts';
import type { RunEvent } from '../../src/engine/events.ts';
import type { HostJob } from '../../src/engine/job.ts';
import { playbookRef } from '../../src/engine/playbook-source.ts';
import { QueueRunner } from '../../src/queue/coordinator.ts';
import { parseRedisUrl } from '../../src/queue/redis-url.ts';
import { QueueWorkers } from '../../src/queue/worker.ts';
import { redisUnavailable, startRedis, type RunningRedis } from '../helpers/redis.ts';
import { playbook } from '../unit/engine/fakes.ts';

const job: HostJob = {
  playbook: playbookRef(playbook),
  host: { name: 'srx1', groups: ['all'], vars: {} },
  connection: { name: 'srx1', address: '192.0.2.1', port: 830, username: 'ops', knownHostsFile: '/k', password: { env: 'SRX_PASSWORD' } },
  dryRun: true,
};

const LINES = 40;

describe('queue progress: a host\'s events through Redis', { skip: redisUnavailable() }, () => {
  let dir: string;
  let redis: RunningRedis;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-queue-progress-'));
    redis = await startRedis(join(dir, 'redis'));
  });
  after(async () => {
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('arrive at the coordinator all and in order, a burst of them in a few progress writes rather than one write each', async () => {
    const target = parseRedisUrl(redis.url);
    const workers = await QueueWorkers.start({
      redis: target,
      queues: ['default'],
      concurrency: 1,
      stallMs: 30_000,
      name: 'progress-test',
      log: () => undefined,
      // A host that logs LINES lines at once (as an analyze step does), then a second burst after a pause.
      run: async (queued, io) => {
        const host = queued.job.host.name;
        io.emit({ type: 'host-start', host });
        for (let i = 0; i < LINES / 2; i++) io.emit({ type: 'log', host, entry: { level: 1, text: `line ${i}` } });
        await new Promise((r) => setTimeout(r, 50));
        for (let i = LINES / 2; i < LINES; i++) io.emit({ type: 'log', host, entry: { level: 1, text: `line ${i}` } });
        const result: HostResult = { host, status: 'ok', vars: {}, dryRun: true, evidence: {}, plan: [], actions: [], steps: [], log: [], startedAt: new Date().toISOString(), ms: 1 };
        return result;
      },
    });
    const { runner, queued } = await QueueRunner.connect({ redis: target, runId: 'progress-run', queueTimeoutMs: 60_000, audit: () => undefined, warn: () => undefined }, playbook, [job]);
    try {
      const events: RunEvent[] = [];
      const result = await runner.run(queued[0]!, (e) => events.push(e));
      assert.equal(result?.status, 'ok');
      assert.deepEqual(
        events.map((e) => (e.type === 'log' ? e.entry.text : e.type)),
        ['host-start', ...Array.from({ length: LINES }, (_, i) => `line ${i}`), 'host-done'],
      );
      const progressWrites = redis.cli('XRANGE', 'runbook:default:events', '-', '+').split('\n').filter((l) => l.trim() === 'progress').length;
      assert.ok(progressWrites >= 1 && progressWrites <= 4, `${LINES + 1} events in ${progressWrites} progress writes`);
    } finally {
      await runner.close();
      await workers.close();
    }
  });
});
