import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO } from './child.ts';
import { readServedInventory, type ServedInventory } from './served-inventory.ts';

export interface ServedLab extends ServedInventory {
  readonly inventory: string;
  /** From spawn until every device listened. */
  readonly startMs: number;
  readonly pid: number;
  /** The lab process's peak RSS so far (VmHWM), for context: it is not the client's. */
  peakRssBytes(): Promise<number | undefined>;
  stop(): Promise<void>;
}

export interface LabServeOptions {
  readonly hosts: number;
  readonly scenario: string;
  readonly seed: number;
  readonly ahSessions?: number;
  readonly peers?: number;
  /** Keys, known_hosts and the inventory go here. */
  readonly dir: string;
  readonly timeoutMs?: number;
}

/**
 * `runbook lab serve` in a process of its own, so that the simulator's cost (rendering
 * replies, the server side of SSH) is not in the client's figures. Devices take free
 * ports (`--port 0`); the inventory it writes says which.
 */
export async function serveLab(opts: LabServeOptions): Promise<ServedLab> {
  const inventory = join(opts.dir, 'inventory.yml');
  const args = [
    join(REPO, 'bin/runbook.js'),
    'lab',
    'serve',
    '--hosts',
    String(opts.hosts),
    '--port',
    '0',
    '--scenario',
    opts.scenario,
    '--seed',
    String(opts.seed),
    ...(opts.ahSessions !== undefined ? ['--ah-sessions', String(opts.ahSessions)] : []),
    ...(opts.peers !== undefined ? ['--peers', String(opts.peers)] : []),
    '--dir',
    join(opts.dir, 'lab'),
    '--inventory-out',
    inventory,
  ];
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForReady(child, opts.timeoutMs ?? 300_000);
  const startMs = performance.now() - started;
  const pid = child.pid!;
  return {
    ...(await readServedInventory(inventory)),
    inventory,
    startMs,
    pid,
    peakRssBytes: async () => {
      const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''));
      return m ? Number(m[1]) * 1024 : undefined;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const closed = once(child, 'close');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await closed;
      clearTimeout(timer);
    },
  };
}

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`runbook lab serve was not ready within ${timeoutMs} ms: ${err || out.slice(-2000)}`));
    }, timeoutMs);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out = (out + d).slice(-4096);
      if (out.includes('Ctrl-C stops the lab')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-4096)));
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`runbook lab serve exited with ${code} before it was ready: ${err.trim() || out.slice(-2000)}`));
    });
  });
}
