import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO } from '../lib/child.ts';

/** What a worker process's exit preload wrote (bench/lib/rss-at-exit.mjs). */
export interface WorkerUsage {
  readonly peakRssBytes?: number;
  readonly cpuMs?: number;
}

export interface WorkerProcess {
  readonly pid: number;
  /** CPU time spent starting (loading runbook and BullMQ, connecting), read when it said it serves its queue. */
  readonly readyCpuMs: number | undefined;
  /** SIGTERM (take no new job, finish the ones in flight), then its peak RSS and CPU time. */
  stop(): Promise<WorkerUsage | undefined>;
}

/**
 * A worker in a process of its own (`node ARGS`, from the repository root), with the exit
 * preload so its peak RSS and CPU time are known when it stops; resolved once it prints
 * that it serves its queue.
 */
export async function startWorkerProcess(args: readonly string[], usageFile: string, timeoutMs = 120_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', join(REPO, 'bench/lib/rss-at-exit.mjs'), ...args], {
    cwd: REPO,
    env: { ...process.env, BENCH_RSS_FILE: usageFile, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-4096)));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`a worker was not ready within ${timeoutMs} ms: ${err.trim()}`));
    }, timeoutMs);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (/serving queue/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`a worker exited with ${code} before it was ready: ${err.trim()}`));
    });
  });
  child.stdout!.resume();
  return {
    pid: child.pid!,
    readyCpuMs: await cpuMsOf(child.pid!),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const closed = once(child, 'close');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        await closed;
        clearTimeout(timer);
      }
      return readFile(usageFile, 'utf8').then((t) => JSON.parse(t) as WorkerUsage, () => undefined);
    },
  };
}

/** A live process's CPU time (user + system) from /proc/PID/stat, in clock ticks of 10 ms (CLK_TCK 100 on Linux). */
async function cpuMsOf(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name: state is field 3, utime 14 and stime 15 (1-based, proc(5)).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
