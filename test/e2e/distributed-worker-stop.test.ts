/**
 * A worker stops when asked even if its Redis is gone: systemd's SIGTERM must not wait on
 * a connection that will never come back.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startCli } from '../helpers/cli.ts';
import { redisUnavailable, startRedis } from '../helpers/redis.ts';

const NO_REDIS = redisUnavailable();

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
