/**
 * Playbooks in Redis: the coordinator stores the text once per rollout under its sha256,
 * and each worker loads it from there (once per sha256: engine/playbook-source.ts's cache),
 * checking the sha256 again. A thousand jobs carry a 64-character reference, not a
 * thousand copies of the text.
 */
import type { Redis } from 'ioredis';
import { PlaybookCache, type PlaybookRef, type PlaybookSource, PlaybookRefError } from '../engine/playbook-source.ts';
import type { Playbook } from '../playbook/types.ts';
import { keys } from './keys.ts';

/** Long enough for a rollout that waits on its batches for days; refreshed by every run of the playbook. */
const PLAYBOOK_TTL_S = 7 * 24 * 3600;

export async function storePlaybook(redis: Redis, playbook: Playbook): Promise<void> {
  await redis.set(keys.playbook(playbook.sha256), playbook.text, 'EX', PLAYBOOK_TTL_S);
}

/** The worker's playbook port: the text from Redis, parsed and checked once per sha256. */
export class RedisPlaybookSource implements PlaybookSource {
  private readonly cache = new PlaybookCache();
  constructor(private readonly redis: Redis) {}

  async load(ref: PlaybookRef): Promise<Playbook> {
    if (ref.text !== undefined) return this.cache.load(ref);
    const text = await this.redis.get(keys.playbook(ref.sha256));
    if (text === null) throw new PlaybookRefError(`the playbook ${ref.file} (sha256 ${ref.sha256.slice(0, 12)}) is not in Redis: its rollout's coordinator stored it there, so Redis lost it or it expired`);
    return this.cache.load({ ...ref, text });
  }
}
