/**
 * A private redis-server (Debian package `redis-server`) for the distributed rollout
 * tests: on a free loopback port, its own config on the command line (no system service,
 * `maxmemory-policy noeviction` as BullMQ requires), its files in a temp dir, stopped by
 * pid. `persist` turns on the append-only file, so a restart keeps the queue (what a
 * production Redis for runbook should do); without it a restart loses everything.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, isExecutable, startProcess, waitFor, type ManagedProcess } from './sshd.ts';

export const REDIS_SERVER = '/usr/bin/redis-server';
export const REDIS_CLI = '/usr/bin/redis-cli';

/** Why a private Redis cannot run here, or undefined when it can. */
export function redisUnavailable(): string | undefined {
  if (!isExecutable(REDIS_SERVER)) return `${REDIS_SERVER} is not installed (apt-get install redis-server)`;
  if (!isExecutable(REDIS_CLI)) return `${REDIS_CLI} is not installed (apt-get install redis-tools)`;
  return undefined;
}

export interface RunningRedis {
  readonly port: number;
  /** redis://127.0.0.1:PORT */
  readonly url: string;
  readonly pid: () => number;
  /** Runs redis-cli against this server; stdout as text. */
  cli(...args: string[]): string;
  /** Every key and its value (strings, hashes, lists, sets, sorted sets, streams) as text, for "no secret in Redis". */
  dump(): string;
  /** Stops (SIGTERM, then SIGKILL) and starts it again on the same port and files. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(dir: string, opts: { persist?: boolean } = {}): Promise<RunningRedis> {
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--save', '',
    '--appendonly', opts.persist ? 'yes' : 'no',
    ...(opts.persist ? ['--appendfsync', 'always'] : []),
    '--maxmemory-policy', 'noeviction',
    '--daemonize', 'no',
    '--logfile', join(dir, 'redis.log'),
  ];
  let proc: ManagedProcess = await launch(args, port);
  const cli = (...a: string[]) => {
    const r = spawnSync(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), '--no-auth-warning', ...a], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`redis-cli ${a.join(' ')}: ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: () => proc.pid,
    cli,
    dump: () => dumpAll(cli),
    async restart() {
      await proc.stop();
      proc = await launch(args, port);
    },
    stop: () => proc.stop(),
  };
}

async function launch(args: readonly string[], port: number): Promise<ManagedProcess> {
  const proc = startProcess(REDIS_SERVER, args, { name: 'redis-server' });
  await waitFor(() => ping(port), 15_000, `redis-server on port ${port}`, proc);
  return proc;
}

function ping(port: number): boolean {
  const r = spawnSync(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), 'ping'], { encoding: 'utf8', timeout: 5_000 });
  return r.stdout.trim() === 'PONG';
}

const READ_BY_TYPE: Record<string, string[]> = {
  string: ['GET'],
  hash: ['HGETALL'],
  list: ['LRANGE', '{}', '0', '-1'],
  set: ['SMEMBERS'],
  zset: ['ZRANGE', '{}', '0', '-1', 'WITHSCORES'],
  stream: ['XRANGE', '{}', '-', '+'],
};

function dumpAll(cli: (...a: string[]) => string): string {
  const keys = cli('--scan').split('\n').filter((k) => k !== '');
  const out: string[] = [];
  for (const key of keys) {
    const type = cli('TYPE', key).trim();
    const read = READ_BY_TYPE[type];
    if (!read) continue;
    const args = read.length === 1 ? [read[0]!, key] : read.map((a) => (a === '{}' ? key : a));
    out.push(`${key} (${type})\n${cli(...args)}`);
  }
  return out.join('\n');
}
