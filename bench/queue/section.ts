import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runApply, type ApplyRun } from '../fleet/apply.ts';
import { SMALL_DEVICE, SMALL_THRESHOLDS } from '../fleet/section.ts';
import { REPO, runNode, runTsChild } from '../lib/child.ts';
import { redisMissing, startBenchRedis, type BenchRedis } from '../lib/redis-server.ts';
import type { BenchRow, JobTimes, QueueFigures } from '../lib/rows.ts';
import { serveLab } from '../lib/served-lab.ts';
import { startWorkerProcess, type WorkerProcess, type WorkerUsage } from './worker-process.ts';

export interface QueueSectionOptions {
  /** Devices per run: the local executor beside the queue up to LOCAL_UP_TO, the queue alone above (the coordinator's memory). */
  readonly sizes: readonly number[];
  /** Worker processes (`runbook worker`), each taking forks / workers jobs at a time. */
  readonly workers: number;
  readonly forks: number;
  readonly dir: string;
  readonly openFilesLimit?: number;
  readonly log?: (line: string) => void;
}

export interface QueueSection {
  readonly rows: BenchRow[];
  /** Why the section did not run (no redis-server here). */
  readonly skipped?: string;
  /** `runbook validate`, spawn to exit: the CLI's fixed cost, taken off the stub runs' wall time. */
  readonly cliStartMs?: number;
}

/** The size for the time target; above it the local run is the fleet section's business. */
const LOCAL_UP_TO = 1000;
const BIN = join(REPO, 'bin/runbook.js');
const QUEUE = 'default';
const EVENTS = `runbook:${QUEUE}:events`;

/**
 * Distributed rollouts (issue 13) on this machine: a private redis-server, one `runbook
 * lab serve` per size, and for each size `runbook apply --check` with the local executor
 * and through Redis with `workers` worker processes, same forks; at the first size also
 * Redis's memory per waiting job and the queue's own cost per job (a worker that
 * contacts no device).
 */
export async function queueSection(opts: QueueSectionOptions): Promise<QueueSection> {
  const missing = redisMissing();
  if (missing) return { rows: [], skipped: missing };
  const log = opts.log ?? (() => undefined);
  const rows: BenchRow[] = [];
  const redisDir = await mkdtemp(join(opts.dir, 'redis-'));
  const redis = await startBenchRedis(redisDir);
  log(`queue: redis-server ${redis.url} (pid ${redis.pid}, --save '', noeviction)`);
  try {
    const cliStartMs = (await runNode([BIN, 'validate', 'playbooks/ah-cleanup.yml'])).wallMs;
    for (const [i, devices] of opts.sizes.entries()) {
      const forks = Math.min(opts.forks, devices);
      const need = devices + 2 * forks + 64;
      if (opts.openFilesLimit !== undefined && opts.openFilesLimit < need) {
        rows.push({ section: 'queue', size: devices, subject: 'runbook lab serve', role: 'floor', ok: false, failure: `open files limit ${opts.openFilesLimit} < ${need}: raise ulimit -n` });
        continue;
      }
      const dir = await mkdtemp(join(opts.dir, `queue-${devices}-`));
      log(`queue: serving ${devices} devices`);
      const lab = await serveLab({ hosts: devices, ...SMALL_DEVICE, dir });
      try {
        const inventories = [lab.inventory, join(dir, 'thresholds.yml')];
        await writeFile(inventories[1]!, SMALL_THRESHOLDS);
        let local: ApplyRun | undefined;
        if (devices <= LOCAL_UP_TO) {
          log(`queue: runbook apply --check over ${devices} devices, local executor, forks ${forks}`);
          local = await runApply({ inventories, forks, dir, nodeArgs: ['--expose-gc'] });
          rows.push(applyRow(devices, `runbook apply --check, local executor, forks ${forks}`, 'floor', local, local.code === 0 ? 1 : undefined));
        }
        log(`queue: the same through Redis, ${opts.workers} workers × ${Math.ceil(forks / opts.workers)} at a time`);
        const q = await queuedApply({ redis, inventories, forks, workers: opts.workers, dir });
        const ratio = local?.code === 0 && q.run.code === 0 ? q.run.wallMs / local.wallMs : undefined;
        rows.push({ ...applyRow(devices, `runbook apply --check --redis, ${opts.workers} workers, forks ${forks}`, 'runbook', q.run, ratio), queue: q.figures });
        if (i === 0) {
          log(`queue: Redis memory with ${devices} jobs waiting (no worker)`);
          rows.push(await waitingJobsMemory(redis, inventories, devices, dir));
          for (const stubForks of [1, forks]) {
            log(`queue: the queue alone, ${devices} jobs, forks ${stubForks}, one worker that contacts no device`);
            rows.push(await queueAlone({ redis, inventories, jobs: devices, forks: stubForks, dir, cliStartMs }));
          }
        }
      } finally {
        await lab.stop();
        await rm(dir, { recursive: true, force: true });
      }
    }
    return { rows, cliStartMs };
  } finally {
    await redis.stop();
    await rm(redisDir, { recursive: true, force: true });
  }
}

function applyRow(devices: number, subject: string, role: BenchRow['role'], run: ApplyRun, ratio: number | undefined): BenchRow {
  return {
    section: 'queue',
    size: devices,
    subject,
    role,
    ok: run.code === 0,
    ...(run.failure ? { failure: run.failure } : {}),
    wallMs: run.wallMs,
    ...(ratio !== undefined ? { ratio } : {}),
    ...(run.memory?.cpuMs !== undefined ? { cpuMs: run.memory.cpuMs } : {}),
    ...(run.memory?.peakRssBytes !== undefined ? { peakRssBytes: run.memory.peakRssBytes } : {}),
    ...(run.memory?.heapAfterGcBytes !== undefined ? { retainedHeapBytes: run.memory.heapAfterGcBytes } : {}),
    items: devices,
    ...(run.recap ? { note: run.recap } : {}),
  };
}

interface QueuedApplyOptions {
  readonly redis: BenchRedis;
  readonly inventories: readonly string[];
  readonly forks: number;
  readonly workers: number;
  readonly dir: string;
}

/** `runbook apply --check --redis` with `workers` `runbook worker` processes started before and stopped (SIGTERM) after. */
async function queuedApply(o: QueuedApplyOptions): Promise<{ run: ApplyRun; figures: QueueFigures }> {
  const concurrency = Math.ceil(o.forks / o.workers);
  const workers = await Promise.all(
    Array.from({ length: o.workers }, async (_, i) => {
      const wdir = join(o.dir, `worker-${i + 1}`);
      await mkdir(wdir, { recursive: true });
      return startWorkerProcess(
        [BIN, 'worker', '--redis', o.redis.url, '--queue', QUEUE, '--concurrency', String(concurrency), '--audit-log', join(wdir, 'audit.jsonl'), '--name', `bench-${i + 1}`],
        join(wdir, 'usage.json'),
      );
    }),
  );
  o.redis.cli('DEL', EVENTS);
  const before = redisUsage(o.redis);
  let run: ApplyRun;
  let usage: (WorkerUsage | undefined)[];
  try {
    run = await runApply({ inventories: o.inventories, forks: o.forks, dir: o.dir, nodeArgs: ['--expose-gc'], applyArgs: ['--redis', o.redis.url] });
  } finally {
    usage = await Promise.all(workers.map((w) => w.stop()));
  }
  const after = redisUsage(o.redis);
  const eventStreamBytes = memoryUsage(o.redis, EVENTS);
  const eventStreamEntries = Number(o.redis.cli('XLEN', EVENTS).trim());
  const times = await jobTimes(o.redis);
  return {
    run,
    figures: {
      workers: o.workers,
      ...sumWorkers(workers, usage),
      redisCpuMs: after.cpuMs - before.cpuMs,
      redisUsedBytesBefore: before.usedBytes,
      redisUsedBytesAfter: after.usedBytes,
      ...(eventStreamBytes !== undefined ? { eventStreamBytes, eventStreamEntries } : {}),
      ...(times ? { jobTimes: times } : {}),
    },
  };
}

/** The workers' CPU time while serving (at exit, less what starting took) and their largest peak RSS. */
function sumWorkers(workers: readonly WorkerProcess[], usage: readonly (WorkerUsage | undefined)[]): Pick<QueueFigures, 'workerCpuMs' | 'workerPeakRssBytes' | 'workerStartCpuMs'> {
  if (usage.some((u) => u?.cpuMs === undefined) || workers.some((w) => w.readyCpuMs === undefined)) return {};
  const start = workers.reduce((s, w) => s + w.readyCpuMs!, 0);
  return { workerCpuMs: usage.reduce((s, u) => s + u!.cpuMs!, 0) - start, workerStartCpuMs: start, workerPeakRssBytes: Math.max(...usage.map((u) => u!.peakRssBytes ?? 0)) };
}

/** Per-job times from the queue's event stream (emptied before the run). */
async function jobTimes(redis: BenchRedis): Promise<JobTimes | undefined> {
  const r = await runTsChild<JobTimes>('bench/queue/event-times.ts', [redis.url, EVENTS], { timeoutMs: 300_000 });
  return r.result;
}

function redisUsage(redis: BenchRedis): { usedBytes: number; cpuMs: number } {
  const memory = redis.info('memory');
  const cpu = redis.info('cpu');
  return { usedBytes: Number(memory.used_memory), cpuMs: (Number(cpu.used_cpu_user) + Number(cpu.used_cpu_sys)) * 1000 };
}

/** MEMORY USAGE of a key, counted exactly (SAMPLES 0: a stream's size is otherwise estimated from a few of its nodes). */
function memoryUsage(redis: BenchRedis, key: string): number | undefined {
  const n = Number(redis.cli('MEMORY', 'USAGE', key, 'SAMPLES', '0').trim());
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * Redis's memory per waiting job: a coordinator (forks = jobs, so every job is enqueued
 * at once) with no worker serving the queue; used_memory once all wait, against before.
 * Then Ctrl-C: the coordinator removes the jobs no worker took, and used_memory again.
 */
async function waitingJobsMemory(redis: BenchRedis, inventories: readonly string[], jobs: number, dir: string): Promise<BenchRow> {
  redis.cli('DEL', EVENTS);
  const before = redisUsage(redis).usedBytes;
  const out = openSync(join(dir, 'waiting-stdout.txt'), 'w');
  const child = spawn(
    process.execPath,
    [BIN, 'apply', 'playbooks/ah-cleanup.yml', ...inventories.flatMap((i) => ['-i', i]), '--forks', String(jobs), '--check', '--lock-dir', dir, '--redis', redis.url, '--queue-timeout', '3600'],
    { cwd: REPO, env: { ...process.env, NO_COLOR: '1', CI: 'true' }, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  const closed = once(child, 'close');
  const waitingNow = () => Number(redis.cli('LLEN', `runbook:${QUEUE}:wait`).trim());
  const row = { section: 'queue' as const, size: jobs, subject: `Redis used_memory, ${jobs} jobs waiting (no worker)`, role: 'runbook' as const };
  try {
    if (!(await until(() => waitingNow() >= jobs, 300_000))) return { ...row, ok: false, failure: `only ${waitingNow()} of ${jobs} jobs were waiting after 300 s` };
    const waiting = redisUsage(redis).usedBytes;
    const first = redis.cli('LRANGE', `runbook:${QUEUE}:wait`, '0', '0').trim();
    const oneJobBytes = first ? memoryUsage(redis, `runbook:${QUEUE}:${first}`) : undefined;
    const eventStreamBytes = memoryUsage(redis, EVENTS);
    child.kill('SIGINT');
    await closed;
    const emptied = await until(() => waitingNow() === 0, 60_000);
    const after = redisUsage(redis).usedBytes;
    return {
      ...row,
      ok: true,
      bytes: waiting - before,
      items: jobs,
      queue: { redisUsedBytesBefore: before, redisUsedBytesAfter: waiting, ...(oneJobBytes !== undefined ? { oneJobBytes } : {}), ...(eventStreamBytes !== undefined ? { eventStreamBytes } : {}) },
      note: `after Ctrl-C (the coordinator removes waiting jobs): ${emptied ? '' : 'NOT emptied, '}${signedKiB(after - before)} against before`,
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await closed;
    }
  }
}

interface QueueAloneOptions {
  readonly redis: BenchRedis;
  readonly inventories: readonly string[];
  readonly jobs: number;
  readonly forks: number;
  readonly dir: string;
  readonly cliStartMs: number;
}

/**
 * The queue's own cost per job: the real coordinator (`runbook apply --check --redis`)
 * and one worker process whose job function contacts no device (bench/queue/stub-worker.ts).
 * At forks 1 the time per job is the queue's latency, enqueue to result; at forks F, its
 * throughput through one worker process.
 */
async function queueAlone(o: QueueAloneOptions): Promise<BenchRow> {
  const wdir = join(o.dir, `stub-${o.forks}`);
  await mkdir(wdir, { recursive: true });
  const worker = await startWorkerProcess(['--import', 'tsx', 'bench/queue/stub-worker.ts', o.redis.url, String(o.forks), `bench-stub-${o.forks}`], join(wdir, 'usage.json'));
  o.redis.cli('DEL', EVENTS);
  const before = redisUsage(o.redis);
  let run: ApplyRun;
  let usage: WorkerUsage | undefined;
  try {
    run = await runApply({ inventories: o.inventories, forks: o.forks, dir: wdir, applyArgs: ['--redis', o.redis.url] });
  } finally {
    usage = await worker.stop();
  }
  const after = redisUsage(o.redis);
  const times = await jobTimes(o.redis);
  const ms = Math.max(0, run.wallMs - o.cliStartMs);
  return {
    section: 'queue',
    size: o.jobs,
    subject: `the queue alone: stub worker (no device), forks ${o.forks}`,
    role: 'runbook',
    ok: run.code === 0,
    ...(run.failure ? { failure: run.failure } : {}),
    wallMs: run.wallMs,
    ms,
    ...(run.memory?.cpuMs !== undefined ? { cpuMs: run.memory.cpuMs } : {}),
    ...(run.memory?.peakRssBytes !== undefined ? { peakRssBytes: run.memory.peakRssBytes } : {}),
    items: o.jobs,
    queue: { workers: 1, ...sumWorkers([worker], [usage]), redisCpuMs: after.cpuMs - before.cpuMs, redisUsedBytesBefore: before.usedBytes, redisUsedBytesAfter: after.usedBytes, ...(times ? { jobTimes: times } : {}) },
    ...(run.recap ? { note: run.recap } : {}),
  };
}

async function until(test: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
  return true;
}

function signedKiB(bytes: number): string {
  return `${bytes >= 0 ? '+' : '−'}${(Math.abs(bytes) / 1024).toFixed(0)} KiB`;
}
