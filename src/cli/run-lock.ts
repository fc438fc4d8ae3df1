import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, realpathSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Who holds a run lock: enough to tell, later, whether that process still exists. */
export interface LockHolder {
  readonly pid: number;
  /**
   * The process's identity beyond its pid (Linux: boot id and start time in clock ticks,
   * from /proc), so a pid reused by another process is not taken for the holder.
   */
  readonly processStart?: string;
  readonly host: string;
  readonly startedAt: string;
  readonly command: string;
}

/** Another run holds the lock for the same inventory. */
export class RunLockedError extends Error {
  override readonly name = 'RunLockedError';
  constructor(
    readonly lockFile: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      holder
        ? `another runbook run (pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}: ${holder.command}) holds the lock for this inventory (${lockFile}); not starting`
        : `another runbook run holds the lock for this inventory (${lockFile}, being written); not starting`,
    );
  }
}

export interface RunLock {
  readonly file: string;
  release(): void;
}

/** What a run that does not act holds: nothing. */
export const NO_LOCK: RunLock = { file: '', release() {} };

/** A lock file that cannot be read as a holder is being written, unless it is older than this. */
const UNREADABLE_STALE_MS = 60_000;

/**
 * The lock file for a set of inventory files: keyed by their real paths, so a symlink or
 * a relative path names the same inventory as the file itself.
 */
export function lockFileFor(inventoryFiles: readonly string[], lockDir = join(tmpdir(), 'runbook-locks')): string {
  return join(lockDir, `inventory-${inventoryKey(inventoryFiles)}.lock`);
}

/** What names an inventory in a lock (file or Redis): its files' real paths, hashed. */
export function inventoryKey(inventoryFiles: readonly string[]): string {
  return createHash('sha256').update(inventoryFiles.map(realPath).sort().join('\n')).digest('hex').slice(0, 16);
}

function realPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return resolve(file);
  }
}

/**
 * One acting run at a time per inventory, so two scheduled runs never act on the same
 * devices at once. The lock is a file created exclusively, recording the holder. A lock
 * whose holder is gone (its pid is dead, or now belongs to another process) is taken
 * over, with a warning.
 */
export function acquireRunLock(inventoryFiles: readonly string[], lockDir?: string, warn: (message: string) => void = () => {}): RunLock {
  const file = lockFileFor(inventoryFiles, lockDir);
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  const me: LockHolder = { pid: process.pid, ...optional(processStartOf(process.pid)), host: hostname(), startedAt: new Date().toISOString(), command: redactedCommand(process.argv.slice(2)) };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(file, me)) return heldLock(file);
    const text = readText(file);
    if (text === undefined) continue; // Released meanwhile: try again.
    const holder = parseHolder(text);
    const stale = staleReason(holder, file);
    if (stale === undefined) throw new RunLockedError(file, holder);
    // Remove it only if it is still the stale holder's: another run may have taken it over first.
    if (readText(file) !== text) continue;
    warn(`taking over the run lock ${file}: ${stale}`);
    try {
      unlinkSync(file);
    } catch {
      // Someone else took it over first; the next attempt decides.
    }
  }
  throw new RunLockedError(file, parseHolder(readText(file) ?? ''));
}

function tryCreate(file: string, me: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(me) + '\n');
  } finally {
    closeSync(fd);
  }
  return true;
}

function heldLock(file: string): RunLock {
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
}

/** Why a lock's holder no longer holds it, or undefined while it does. */
export function staleReason(holder: LockHolder | undefined, file: string): string | undefined {
  if (!holder) {
    const age = ageMs(file);
    return age !== undefined && age > UNREADABLE_STALE_MS ? `it has held no readable holder for ${Math.round(age / 1000)} s` : undefined;
  }
  // A holder on another host (a shared lock dir) cannot be checked from here: it holds.
  if (holder.host !== hostname()) return undefined;
  if (!isAlive(holder.pid)) return `its holder (pid ${holder.pid}, started ${holder.startedAt}) is gone`;
  if (holder.processStart === undefined) return undefined;
  const now = processStartOf(holder.pid);
  if (now !== undefined && now !== holder.processStart) return `pid ${holder.pid} is now another process (its holder, started ${holder.startedAt}, is gone)`;
  return undefined;
}

/**
 * A process's identity on this machine: the boot it runs in and its start time in clock
 * ticks since boot (field 22 of /proc/PID/stat). Undefined where there is no /proc.
 */
export function processStartOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = fields[22 - 3];
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return startTicks ? `${boot}:${startTicks}` : undefined;
  } catch {
    return undefined;
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.pid !== 'number' || !Number.isInteger(h.pid) || h.pid <= 0) return undefined;
    return {
      pid: h.pid,
      ...optional(typeof h.processStart === 'string' ? h.processStart : undefined),
      host: typeof h.host === 'string' ? h.host : hostname(),
      startedAt: typeof h.startedAt === 'string' ? h.startedAt : 'unknown',
      command: typeof h.command === 'string' ? h.command : 'unknown',
    };
  } catch {
    return undefined;
  }
}

function optional(processStart: string | undefined): { processStart?: string } {
  return processStart === undefined ? {} : { processStart };
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function ageMs(file: string): number | undefined {
  try {
    return Date.now() - statSync(file).mtimeMs;
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

/** The command line as the lock records it: -e values may be secrets. */
export function redactedCommand(args: readonly string[]): string {
  return args
    .map((a, i) => (i > 0 && (args[i - 1] === '-e' || args[i - 1] === '--extra-vars') ? '…' : a.startsWith('--extra-vars=') ? '--extra-vars=…' : a))
    .map((a) => a.replace(/(rediss?:\/\/[^:/@\s]*:)[^@\s]*@/g, '$1***@'))
    .join(' ');
}
