/**
 * `runbook queue status`: the Redis queues of distributed rollouts as an operator checks
 * them: per queue, its jobs by state and the workers serving it now. Read-only.
 */
import type { Command } from 'commander';
import { parseRedisUrl, RedisUrlError, type RedisTarget } from '../../queue/redis-url.ts';
import { UsageError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import { visible } from '../../plan/visible.ts';

// Only the QueueStatus type here: BullMQ is loaded when the command runs.
import type { QueueStatus } from '../../queue/status.ts';

interface StatusOptions {
  redis: string;
  json?: boolean;
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
