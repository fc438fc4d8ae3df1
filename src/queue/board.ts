/**
 * What `runbook queue ui` serves: Bull Board (the BullMQ dashboard) over every runbook
 * queue in Redis, read-only. A retry, clean, promote or added job from a page would put
 * a host's job back on a queue behind its coordinator's back (an acting one would act
 * again), so every queue is registered in Bull Board's readOnlyMode: the page shows no
 * such button and its API answers 405 to them.
 */
import { createServer, type Server } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectRedis } from './connect.ts';
import { PREFIX } from './keys.ts';
import type { RedisTarget } from './redis-url.ts';
import { queueNames } from './status.ts';

/** Queues that appear in Redis while the board runs (a new region's first job) are added this often. */
const RESCAN_MS = 5000;

export interface ListenAddress {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
}

/** The address cannot be listened on (in use, not this machine's): nothing is served. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
}

export interface QueueBoard {
  /** http://HOST:PORT/ as it listens (the port chosen when 0 was asked). */
  readonly url: string;
  /** The queues shown now, sorted. */
  queues(): readonly string[];
  /** Stops serving and closes the Redis connection. */
  close(): Promise<void>;
}

/**
 * Listens (ListenError: Redis not contacted), then connects to Redis (RedisUnavailableError)
 * and registers its queues; on either error nothing is left open.
 */
export async function startQueueBoard(target: RedisTarget, listen: ListenAddress, title: string, say: (line: string) => void): Promise<QueueBoard> {
  const serverAdapter = new ExpressAdapter();
  const board = createBullBoard({ queues: [], serverAdapter, options: { uiConfig: { boardTitle: title, hideDocsLink: true } } });
  const http = await listenOn(createServer(serverAdapter.getRouter()), listen);
  const stopServing = () => {
    // A browser's keep-alive connections would hold close() open.
    const closed = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeAllConnections();
    return closed;
  };
  let redis: Redis;
  try {
    redis = await connectRedis(target);
  } catch (err) {
    await stopServing();
    throw err;
  }
  // Redis gone while serving: said once (BullMQ would print each reconnection's error with its stack), and again when it is back.
  let down = false;
  const redisDown = (err: Error) => {
    if (down) return;
    down = true;
    say(`Redis at ${target.shown}: ${err.message}; retrying (the page shows the queues again once it is back)`);
  };
  redis.on('error', redisDown);
  // BullMQ leaves a shared connection open at close: one connection for every queue, closed last.
  const shown = new Map<string, Queue>();
  const addNew = async () => {
    for (const name of await queueNames(redis)) {
      if (shown.has(name)) continue;
      const queue = new Queue(name, { connection: redis, prefix: PREFIX });
      queue.on('error', redisDown);
      shown.set(name, queue);
      board.addQueue(new BullMQAdapter(queue, { readOnlyMode: true, allowRetries: false }));
    }
  };
  let rescan: NodeJS.Timeout | undefined;
  const close = async () => {
    clearInterval(rescan);
    await stopServing();
    await Promise.all([...shown.values()].map((q) => q.close().catch(() => undefined)));
    redis.disconnect();
  };
  try {
    await addNew();
  } catch (err) {
    await close();
    throw err;
  }
  // One scan at a time; a failed one (Redis restarting) is retried at the next.
  let scanning = false;
  rescan = setInterval(() => {
    if (scanning) return;
    scanning = true;
    void addNew()
      .then(() => {
        if (down) say(`Redis at ${target.shown}: reachable again`);
        down = false;
      })
      .catch(() => undefined)
      .finally(() => (scanning = false));
  }, RESCAN_MS);
  rescan.unref();
  return { url: urlOf(http), queues: () => [...shown.keys()].sort(), close };
}

function listenOn(server: Server, at: ListenAddress): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'the address is in use' : err.code === 'EADDRNOTAVAIL' ? 'not an address of this machine' : err.code === 'EACCES' ? 'not allowed (a port below 1024 needs privileges)' : err.message;
      reject(new ListenError(`cannot listen on ${at.host}:${at.port}: ${why}`));
    });
    server.listen(at.port, at.host, () => resolve(server));
  });
}

function urlOf(server: Server): string {
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error(`the board listens on ${String(addr)}, not a TCP port`);
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return `http://${host}:${addr.port}/`;
}
