/**
 * Connections to Redis that runbook opens itself (BullMQ opens its own): one that fails
 * fast and says why when Redis cannot be reached, and the keys a holder owns (locks,
 * renewed while held and deleted only by their holder).
 */
import { Redis } from 'ioredis';
import type { RedisTarget } from './redis-url.ts';

/** Redis cannot be reached, or refused us (a wrong password): nothing was done there. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

/**
 * A connection that answers PING, or RedisUnavailableError ("cannot reach Redis: " and the
 * connection's own error, which says more than the rejection) after a few quick tries.
 * Once connected it keeps retrying: a restart mid-run is waited out by its user.
 */
export async function connectRedis(target: RedisTarget): Promise<Redis> {
  const redis = new Redis({ ...target.options, maxRetriesPerRequest: 1, connectTimeout: 5000, lazyConnect: true, retryStrategy: (n) => (n > 3 ? null : 200 * n) });
  let last: Error | undefined;
  redis.on('error', (err: Error) => (last = err));
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new RedisUnavailableError(`cannot reach Redis: ${(last ?? (err as Error)).message}`);
  }
  redis.options.retryStrategy = (n) => Math.min(1000, 100 * n);
  redis.options.maxRetriesPerRequest = 20;
  return redis;
}

const RENEW_IF_MINE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE_IF_MINE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/** Extends `key`'s life if it still holds `value` (one that expired may be another's now). */
export function renewIfMine(redis: Redis, key: string, value: string, ttlMs: number): Promise<unknown> {
  return redis.eval(RENEW_IF_MINE, 1, key, value, String(ttlMs)).catch(() => undefined);
}

/** Deletes `key` if it still holds `value`. */
export function releaseIfMine(redis: Redis, key: string, value: string): Promise<unknown> {
  return redis.eval(RELEASE_IF_MINE, 1, key, value).catch(() => undefined);
}
