import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const REDIS_SERVER = '/usr/bin/redis-server';
const REDIS_CLI = '/usr/bin/redis-cli';

/** Why the bench cannot start a Redis of its own here, or undefined when it can. */
export function redisMissing(): string | undefined {
  for (const [bin, pkg] of [
    [REDIS_SERVER, 'redis-server'],
    [REDIS_CLI, 'redis-tools'],
  ] as const) {
    try {
      accessSync(bin, constants.X_OK);
    } catch {
      return `${bin} is not installed (apt-get install ${pkg})`;
    }
  }
  return undefined;
}

export interface BenchRedis {
  readonly url: string;
  readonly pid: number;
  /** `INFO section` as name → value. */
  info(section: string): Record<string, string>;
  /** redis-cli against this server; stdout. */
  cli(...args: string[]): string;
  stop(): Promise<void>;
}

/**
 * A private redis-server for the queue section: a free loopback port, its own config on
 * the command line (no snapshots, no append-only file, `noeviction` as BullMQ requires),
 * its files in `dir`, stopped by pid. No system service is touched.
 */
export async function startBenchRedis(dir: string): Promise<BenchRedis> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--daemonize', 'no', '--logfile', join(dir, 'redis.log')];
  const child = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
  const cli = (...a: string[]) => {
    const r = spawnSync(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), ...a], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`redis-cli ${a.join(' ')}: ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} (see ${join(dir, 'redis.log')})`);
    if (spawnSync(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG') break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server on port ${port} did not answer within 15 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid!,
    cli,
    info: (section) => Object.fromEntries(cli('INFO', section).split(/\r?\n/).filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)])),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const closed = once(child, 'close');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await closed;
      clearTimeout(timer);
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
