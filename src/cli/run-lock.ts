import { createHash } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Another run holds the lock for the same inventory. */
export class RunLockedError extends Error {
  override readonly name = 'RunLockedError';
  constructor(
    readonly lockFile: string,
    readonly holder: { pid: number; startedAt: string; command: string },
  ) {
    super(`another runbook run (pid ${holder.pid}, started ${holder.startedAt}: ${holder.command}) holds the lock for this inventory (${lockFile}); not starting`);
  }
}

export interface RunLock {
  readonly file: string;
  release(): void;
}

/**
 * One run at a time per inventory, so two scheduled runs never overlap. The lock is a
 * file created exclusively; a lock left by a process that no longer exists is taken over.
 */
export function acquireRunLock(inventoryFiles: readonly string[], lockDir = join(tmpdir(), 'runbook-locks')): RunLock {
  const key = createHash('sha256').update([...inventoryFiles].map((f) => resolve(f)).sort().join('\n')).digest('hex').slice(0, 16);
  mkdirSync(lockDir, { recursive: true, mode: 0o700 });
  const file = join(lockDir, `inventory-${key}.lock`);
  const me = { pid: process.pid, startedAt: new Date().toISOString(), command: process.argv.slice(2).join(' ') };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      let held = true;
      return {
        file,
        release() {
          if (!held) return;
          held = false;
          try {
            unlinkSync(file);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readHolder(file);
      if (holder && isAlive(holder.pid)) throw new RunLockedError(file, holder);
      // A stale lock: its process is gone. Take it over once.
      try {
        unlinkSync(file);
      } catch {
        // Someone else took it over first; the next attempt decides.
      }
    }
  }
  throw new RunLockedError(file, readHolder(file) ?? { pid: 0, startedAt: 'unknown', command: 'unknown' });
}

function readHolder(file: string): { pid: number; startedAt: string; command: string } | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; startedAt: string; command: string };
    return typeof h.pid === 'number' ? h : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
