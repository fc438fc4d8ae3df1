/**
 * `runbook worker`: runs host jobs from Redis queues (BullMQ) with the same job function
 * as a local run, on this machine's network, environment and files. Its own audit log
 * (written before each state-changing RPC, as a local run's) and backups are kept here;
 * the audit lines are also relayed to the coordinator's log. SIGTERM or Ctrl-C: takes
 * no new job, finishes the ones in flight, exits 0; a second one exits at once (the jobs
 * in flight are then delivered again, and an acting one refuses to act again).
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import type { RunIds } from '../../contracts/run-ids.ts';
import { runHostJob } from '../../engine/job.ts';
import { badQueueName, DEFAULT_QUEUE } from '../../queue/keys.ts';
import { parseRedisUrl, RedisUrlError } from '../../queue/redis-url.ts';
import { QueueWorkers, type RunQueuedJob } from '../../queue/worker.ts';
import { AuditLog } from '../../report/audit-log.ts';
import { BackupFolder } from '../../report/config-backup.ts';
import { backupDirOf } from '../backup-dir.ts';
import { UsageError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import { HeldSecrets, openNetconf } from '../host-jobs.ts';
import { collect, positiveInt, positiveNumber } from '../option-parsers.ts';
import { checkOutputPaths } from '../output-paths.ts';

interface WorkerOptions {
  redis: string;
  queue: string[];
  concurrency: number;
  stallTimeout: number;
  auditLog: string;
  backupDir?: string;
  name?: string;
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('Run host jobs from Redis queues (BullMQ) for coordinators started with --redis; stops cleanly on SIGTERM or Ctrl-C')
    .requiredOption('--redis <url>', 'Redis to take jobs from: redis://HOST:PORT[/DB] (a password: REDIS_PASSWORD, or in the URL)')
    .option('--queue <name>', `a queue to serve, e.g. a region; repeatable (default: ${DEFAULT_QUEUE}); hosts pick theirs with the runbook_queue var`, collect, [])
    .option('--concurrency <n>', 'jobs in flight at once, per queue', positiveInt, 5)
    .option('--stall-timeout <seconds>', 'a job whose worker is silent this long is delivered again (an acting one then refuses to act)', positiveNumber, 30)
    .option('--audit-log <file>', "this worker's audit log: a line before each state-changing RPC it sends (also relayed to the coordinator's)", '.runbook/audit.jsonl')
    .option('--backup-dir <dir>', 'keep each host\'s running configuration here before changing it (default: backups/ beside the audit log)')
    .option('--name <name>', 'this worker\'s name in Redis and in device locks (default: HOST:PID)')
    .action(async (opts: WorkerOptions) => {
      // Returns only on bad input (thrown); a worker that ran exits from its signal handler.
      process.exitCode = await worker(opts);
    });
}

async function worker(opts: WorkerOptions): Promise<number> {
  const queues = opts.queue.length > 0 ? [...new Set(opts.queue)] : [DEFAULT_QUEUE];
  for (const q of queues) {
    const bad = badQueueName(q);
    if (bad) throw new UsageError(`--queue ${q}: ${bad}`);
  }
  let target;
  try {
    target = parseRedisUrl(opts.redis);
  } catch (err) {
    if (err instanceof RedisUrlError) throw new UsageError(`--redis: ${err.message}`);
    throw err;
  }
  const backupDir = backupDirOf(opts);
  checkOutputPaths([
    { option: '--audit-log', path: opts.auditLog, kind: 'created-file' },
    { option: '--backup-dir', path: backupDir, kind: 'created-dir' },
  ]);
  const name = opts.name ?? `${hostname()}:${process.pid}`;
  const say = (line: string) => process.stderr.write(line + '\n');
  const workers = await QueueWorkers.start({ redis: target, queues, concurrency: opts.concurrency, stallMs: opts.stallTimeout * 1000, name, run: jobRunner(opts.auditLog, backupDir), log: say });
  process.stdout.write(`runbook worker ${name}: serving ${queues.map((q) => `queue ${q}`).join(', ')} on ${target.shown}, ${opts.concurrency} at a time per queue\n`);
  // Both ways of stopping exit the process rather than return: with Redis down, BullMQ's timers
  // (lock renewal) outlive its workers' close and would keep the process alive.
  return new Promise<number>(() => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        say(`runbook worker: ${signal} again: stopping now; jobs in flight will be delivered again (an acting one will not act again)`);
        // The jobs in flight hold their device sessions open too.
        void workers.close(true).finally(() => process.exit(ExitCode.Interrupted));
        return;
      }
      stopping = true;
      say(`runbook worker: ${signal}: taking no new job; finishing the ones in flight (again to stop at once)`);
      void workers.close().then(() => {
        say('runbook worker: stopped');
        process.exit(ExitCode.Ok);
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

/**
 * A job as this machine runs it: NETCONF over SSH, secrets from this machine's environment
 * and files only, and per run an audit log writer (relaying its lines) and a backup folder.
 * Those are kept while a job of their run is in flight here and closed with its last one,
 * so a worker that serves run after run keeps no open file and no audit entries per past run.
 */
function jobRunner(auditLog: string, backupDir: string): RunQueuedJob {
  // Per run, as for a local run: a key file is read once per run (not once per worker's life, so a rotated key is read by the next run).
  const runs = new Map<string, { readonly audit: AuditLog; readonly backup: BackupFolder; readonly secrets: HeldSecrets; jobs: number }>();
  return async (queued, io) => {
    const ids: RunIds = queued.job.ids ?? { runId: queued.runId };
    const ticket = ids.ticket !== undefined ? { ticket: ids.ticket } : {};
    let run = runs.get(queued.runId);
    if (!run) {
      run = { audit: new AuditLog(auditLog, { id: ids.runId, ...ticket, playbook: queued.job.playbook.file }, io.mirrorAudit), backup: new BackupFolder({ dir: backupDir, runId: ids.runId, ...ticket }), secrets: new HeldSecrets(), jobs: 0 };
      runs.set(queued.runId, run);
    }
    run.jobs++;
    const host = queued.job.host.name;
    try {
      return await runHostJob(queued.job, {
        openSession: openNetconf,
        secrets: run.secrets,
        playbooks: io.playbooks,
        emit: io.emit,
        audit: run.audit.forHost(host),
        ...(queued.job.dryRun ? {} : { backup: run.backup.forHost(host) }),
      });
    } finally {
      if (--run.jobs === 0) {
        run.audit.close();
        runs.delete(queued.runId);
      }
    }
  };
}
