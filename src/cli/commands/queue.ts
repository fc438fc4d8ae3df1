/**
 * `runbook queue status`: the Redis queues of distributed rollouts as an operator checks
 * them: per queue, its jobs by state and the workers serving it now. Read-only.
 * `runbook queue ui`: the same queues in Bull Board, in a browser, read-only too.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { parseRedisUrl, RedisUrlError, type RedisTarget } from '../../queue/redis-url.ts';
import { UsageError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import { visible } from '../../plan/visible.ts';

// Only types here: BullMQ and Bull Board (express) are loaded when a command runs.
import type { ListenAddress } from '../../queue/board.ts';
import type { QueueStatus } from '../../queue/status.ts';

interface StatusOptions {
  redis: string;
  json?: boolean;
}

interface UiOptions {
  redis: string;
  listen?: ListenAddress;
}

export function registerQueueCommand(program: Command): void {
  const queue = program.command('queue').description('The Redis queues of distributed rollouts (--redis): jobs and workers per queue');
  queue
    .command('status')
    .description('Per queue: jobs waiting, active, completed, failed and delayed, and the workers connected to it')
    .requiredOption('--redis <url>', 'the Redis the coordinators and workers use: redis://HOST:PORT[/DB] (a password: REDIS_PASSWORD, or in the URL)')
    .option('--json', 'print JSON: { redis, queues: [{ name, jobs: { waiting, active, completed, failed, delayed }, workers: [names] }] }')
    .action(async (opts: StatusOptions) => {
      process.exitCode = await status(opts);
    });
  queue
    .command('ui')
    .description('Serve Bull Board (the BullMQ dashboard) for every runbook queue in Redis, read-only, until SIGTERM or Ctrl-C')
    .requiredOption('--redis <url>', 'the Redis the coordinators and workers use: redis://HOST:PORT[/DB] (a password: REDIS_PASSWORD, or in the URL)')
    .option('--listen <host:port>', 'the address to serve on (default: 127.0.0.1:0, port 0 being any free port); the page has no login, so keep it on loopback', listenAddress)
    .action(async (opts: UiOptions) => {
      process.exitCode = await ui(opts);
    });
}

/** HOST:PORT, [IPv6]:PORT or PORT (on 127.0.0.1). */
export function listenAddress(value: string): ListenAddress {
  const m = /^(?:(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(value);
  const port = Number(m?.[2]);
  if (!m || port > 65535) throw new InvalidArgumentError(`'${value}' is not HOST:PORT (e.g. 127.0.0.1:8080; port 0 picks a free one)`);
  return { host: m[1]?.replace(/^\[|\]$/g, '') ?? '127.0.0.1', port };
}

/** Serves until a signal; returns only on bad input (thrown). */
async function ui(opts: UiOptions): Promise<number> {
  const target = redisTarget(opts.redis);
  const { startQueueBoard, ListenError } = await import('../../queue/board.ts');
  const { RedisUnavailableError } = await import('../../queue/connect.ts');
  let board: Awaited<ReturnType<typeof startQueueBoard>>;
  try {
    board = await startQueueBoard(target, opts.listen ?? { host: '127.0.0.1', port: 0 }, `runbook queues (${target.shown})`, (line) => process.stderr.write(`runbook queue ui: ${line}\n`));
  } catch (err) {
    if (err instanceof RedisUnavailableError) throw new UsageError(`--redis ${target.shown}: ${err.message}`);
    if (err instanceof ListenError) throw new UsageError(`--listen: ${err.message}`);
    throw err;
  }
  const queues = board.queues();
  process.stdout.write(`runbook queue ui: Bull Board (read-only) for ${queues.length === 1 ? '1 queue' : `${queues.length} queues`} in Redis at ${target.shown}: ${board.url}\n`);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      // A second signal: whatever the closing waits for (a Redis that is gone) is not waited for.
      if (stopping) process.exit(ExitCode.Interrupted);
      stopping = true;
      void board.close().then(() => {
        process.stderr.write(`runbook queue ui: ${signal}: stopped\n`);
        resolve(ExitCode.Ok);
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

async function status(opts: StatusOptions): Promise<number> {
  const target = redisTarget(opts.redis);
  const { readQueueStatus } = await import('../../queue/status.ts');
  const { RedisUnavailableError } = await import('../../queue/connect.ts');
  let queues: QueueStatus[];
  try {
    queues = await readQueueStatus(target);
  } catch (err) {
    if (err instanceof RedisUnavailableError) throw new UsageError(`--redis ${target.shown}: ${err.message}`);
    throw err;
  }
  process.stdout.write(opts.json ? JSON.stringify({ redis: target.shown, queues }, null, 2) + '\n' : statusTable(target.shown, queues));
  return ExitCode.Ok;
}

function redisTarget(url: string): RedisTarget {
  try {
    return parseRedisUrl(url);
  } catch (err) {
    if (err instanceof RedisUrlError) throw new UsageError(`--redis: ${err.message}`);
    throw err;
  }
}

const COLUMNS = ['QUEUE', 'WAITING', 'ACTIVE', 'COMPLETED', 'FAILED', 'DELAYED', 'WORKERS'] as const;

/** One line per queue, counts right-aligned; queue and worker names are Redis data, shown only as visible text. */
export function statusTable(redis: string, queues: readonly QueueStatus[]): string {
  if (queues.length === 0) return `no queues in Redis at ${redis} (a worker registers the queues it serves; a coordinator's jobs make theirs)\n`;
  const rows = queues.map((q) => [visible(q.name), ...[q.jobs.waiting, q.jobs.active, q.jobs.completed, q.jobs.failed, q.jobs.delayed].map(String), q.workers.length > 0 ? q.workers.map(visible).join(', ') : '(none)']);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : i === cells.length - 1 ? cell : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [`queues in Redis at ${redis}:`, line(COLUMNS), ...rows.map(line)].join('\n') + '\n';
}
