/**
 * A coordinator that dies (its machine lost, kill -9) leaves jobs on the queue that no
 * worker has taken. Workers must not act on them: nobody is left to read the results,
 * count the failure budget or stop the rollout. The coordinator keeps a heartbeat key
 * alive in Redis; a worker that finds it expired does not start the job.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DeviceBackend } from '../../src/lab/backend.ts';
import { startCli, type StartedCli } from '../helpers/cli.ts';
import { startLab } from '../helpers/lab.ts';
import { writeLabInventory } from '../helpers/lab-inventory.ts';
import { redisUnavailable, startRedis, type RunningRedis } from '../helpers/redis.ts';
import { waitFor } from '../helpers/sshd.ts';

const NO_REDIS = redisUnavailable();
const PLAYBOOK = join(import.meta.dirname, '../../playbooks/ah-cleanup.yml');

describe('a coordinator killed with jobs on the queue', { skip: NO_REDIS }, () => {
  let dir: string;
  let redis: RunningRedis;
  let lab: Awaited<ReturnType<typeof startLab>>;
  const started: StartedCli[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-orphans-'));
    redis = await startRedis(join(dir, 'redis'));
    lab = await startLab([1, 2, 3].map((i) => ({ name: `orphan-${i}`, scenario: 'one-peer', seed: i })));
  });
  after(async () => {
    for (const s of started) s.child.kill('SIGKILL');
    await lab?.cleanup();
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('leaves jobs that no worker acts on once its heartbeat has expired', { timeout: 120_000 }, async () => {
    const inventory = await writeLabInventory(lab);
    // No worker yet: the acting run's three jobs wait on the queue.
    const coordinator = await startCli(
      ['apply', PLAYBOOK, '-i', inventory, '-e', 'dry_run=false', '--yes', '--redis', redis.url, '--forks', '3', '--audit-log', join(dir, 'c/audit.jsonl'), '--lock-dir', join(dir, 'locks'), '--report', join(dir, 'report.json')],
      /ACTING/,
      { cwd: dir, timeoutMs: 60_000 },
    );
    started.push(coordinator);
    await waitFor(() => Number(redis.cli('LLEN', 'runbook:default:wait').trim()) === 3, 30_000, 'three jobs waiting');
    const runKey = redis.cli('--scan', '--pattern', 'runbook:_:run:*').trim();
    assert.match(runKey, /^runbook:_:run:\d{8}T\d{6}Z-[0-9a-f]{8}$/, 'the coordinator keeps its run alive in Redis');
    const ttl = Number(redis.cli('PTTL', runKey).trim());
    assert.ok(ttl > 0 && ttl <= 30_000, `the heartbeat expires by itself (PTTL ${ttl})`);

    coordinator.child.kill('SIGKILL');
    await new Promise((r) => coordinator.child.once('close', r));
    // What 30 s without a renewal does: the key expires (the coordinator is dead, so nothing renews it).
    redis.cli('PEXPIRE', runKey, '1');
    await waitFor(() => redis.cli('EXISTS', runKey).trim() === '0', 10_000, 'the heartbeat to expire');

    const worker = await startCli(['worker', '--redis', redis.url, '--audit-log', join(dir, 'w/audit.jsonl')], /serving queue default/, { cwd: dir });
    started.push(worker);
    await worker.until(/orphan-1: job \S+ not run: its coordinator is gone/);
    await worker.until(/orphan-2: job \S+ not run: its coordinator is gone/);
    await worker.until(/orphan-3: job \S+ not run: its coordinator is gone/);

    for (const i of [1, 2, 3]) {
      const device = (lab.host(`orphan-${i}`).backend as DeviceBackend).device;
      assert.deepEqual(device.rpcLog.map((e) => e.rpc), [], `orphan-${i} was not contacted`);
    }
    await assert.rejects(readFile(join(dir, 'w/audit.jsonl')), /ENOENT/, 'the worker sent nothing, so wrote no audit line');
  });
});

describe('a worker whose Redis is gone', { skip: NO_REDIS }, () => {
  it('still stops on SIGTERM, saying so, instead of waiting for Redis for ever', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'runbook-worker-noredis-'));
    const redis = await startRedis(join(dir, 'redis'));
    const worker = await startCli(['worker', '--redis', redis.url, '--audit-log', join(dir, 'w/audit.jsonl')], /serving queue default/, { cwd: dir });
    try {
      await redis.stop();
      await worker.until(/ECONNREFUSED/);
      const closed = new Promise<number | null>((resolve) => worker.child.once('close', (code) => resolve(code)));
      // What systemd sends to stop a service.
      worker.child.kill('SIGTERM');
      assert.equal(await closed, 0, worker.output());
      assert.match(worker.output(), /SIGTERM: taking no new job[^]*runbook worker: stopped/);
    } finally {
      worker.child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
