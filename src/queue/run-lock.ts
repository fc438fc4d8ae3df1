/**
 * The run lock in Redis: with --redis, two coordinators on different machines can drive
 * the same inventory, so the lock that keeps two acting runs apart lives where both see
 * it. Same key as the file lock (a hash of the inventory files' real paths, made by the
 * caller); it expires if its holder dies without releasing it, and is renewed while held.
 */
import { Redis } from 'ioredis';
import { keys } from './keys.ts';
import type { RedisTarget } from './redis-url.ts';

export interface RedisLockHolder {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  readonly command: string;
  readonly runId: string;
}

export class RedisRunLockedError extends Error {
  override readonly name = 'RedisRunLockedError';
  constructor(
    readonly key: string,
    readonly holder: RedisLockHolder | undefined,
  ) {
    super(
      holder
        ? `another runbook run (${holder.runId}, pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}: ${holder.command}) holds the lock for this inventory in Redis (${key}); not starting`
        : `another runbook run holds the lock for this inventory in Redis (${key}); not starting`,
    );
  }
}

const TTL_MS = 30_000;
const RELEASE_IF_MINE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const RENEW_IF_MINE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

export interface HeldRedisLock {
  readonly key: string;
  release(): Promise<void>;
}

export async function acquireRedisRunLock(target: RedisTarget, inventoryKey: string, holder: RedisLockHolder): Promise<HeldRedisLock> {
  const redis = new Redis({ ...target.options, maxRetriesPerRequest: 2, connectTimeout: 5000, lazyConnect: true });
  // The connection's own error (ECONNREFUSED, NOAUTH...) says more than the rejection ("Connection is closed.").
  let last: Error | undefined;
  redis.on('error', (err: Error) => (last = err));
  const key = keys.runLock(inventoryKey);
  const value = JSON.stringify(holder);
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new Error(`cannot reach Redis: ${(last ?? (err as Error)).message}`);
  }
  if ((await redis.set(key, value, 'PX', TTL_MS, 'NX')) !== 'OK') {
    const text = await redis.get(key);
    redis.disconnect();
    throw new RedisRunLockedError(key, parseHolder(text));
  }
  const renew = setInterval(() => void redis.eval(RENEW_IF_MINE, 1, key, value, String(TTL_MS)).catch(() => undefined), TTL_MS / 3);
  renew.unref();
  let released = false;
  return {
    key,
    async release() {
      if (released) return;
      released = true;
      clearInterval(renew);
      await redis.eval(RELEASE_IF_MINE, 1, key, value).catch(() => undefined);
      redis.disconnect();
    },
  };
}

function parseHolder(text: string | null): RedisLockHolder | undefined {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as RedisLockHolder;
  } catch {
    return undefined;
  }
}
