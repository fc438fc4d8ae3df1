/**
 * The run lock in Redis: with --redis, two coordinators on different machines can drive
 * the same inventory, so the lock that keeps two acting runs apart lives where both see
 * it. Same key as the file lock (a hash of the inventory files' real paths, made by the
 * caller); it expires if its holder dies without releasing it, and is renewed while held.
 */
import { connectRedis, releaseIfMine, renewIfMine } from './connect.ts';
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

export interface HeldRedisLock {
  readonly key: string;
  release(): Promise<void>;
}

export async function acquireRedisRunLock(target: RedisTarget, inventoryKey: string, holder: RedisLockHolder): Promise<HeldRedisLock> {
  const redis = await connectRedis(target);
  const key = keys.runLock(inventoryKey);
  const value = JSON.stringify(holder);
  if ((await redis.set(key, value, 'PX', TTL_MS, 'NX')) !== 'OK') {
    const text = await redis.get(key);
    redis.disconnect();
    throw new RedisRunLockedError(key, parseHolder(text));
  }
  const renew = setInterval(() => void renewIfMine(redis, key, value, TTL_MS), TTL_MS / 3);
  renew.unref();
  let released = false;
  return {
    key,
    async release() {
      if (released) return;
      released = true;
      clearInterval(renew);
      await releaseIfMine(redis, key, value);
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
