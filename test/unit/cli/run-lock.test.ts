import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { acquireRunLock, lockFileFor, processStartOf, redactedCommand, RunLockedError, type LockHolder } from '../../../src/cli/run-lock.ts';

const dir = mkdtempSync(join(tmpdir(), 'runbook-lock-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** A fresh inventory file and lock dir for each test. */
function setup(): { inventory: string; lockDir: string; lockFile: string } {
  const inventory = join(dir, `inv-${++n}.yml`);
  writeFileSync(inventory, 'all: {}\n');
  const lockDir = join(dir, `locks-${n}`);
  return { inventory, lockDir, lockFile: lockFileFor([inventory], lockDir) };
}

function writeHolder(lockFile: string, holder: Partial<LockHolder>): void {
  mkdirSync(join(lockFile, '..'), { recursive: true });
  writeFileSync(lockFile, JSON.stringify({ host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', command: 'apply x.yml', ...holder }));
}

/** A pid that was a process a moment ago and is not now. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}

describe('run lock', () => {
  it('records pid, process start and host, and releases', () => {
    const { inventory, lockDir, lockFile } = setup();
    const lock = acquireRunLock([inventory], lockDir);
    const holder = JSON.parse(readFileSync(lockFile, 'utf8')) as LockHolder;
    assert.equal(holder.pid, process.pid);
    assert.equal(holder.host, hostname());
    assert.equal(holder.processStart, processStartOf(process.pid));
    assert.match(holder.processStart ?? '', /^[0-9a-f-]+:\d+$/, 'Linux: boot id and start ticks');
    assert.throws(() => acquireRunLock([inventory], lockDir), RunLockedError);
    lock.release();
    assert.equal(existsSync(lockFile), false);
  });

  it('holds against a live holder that is the process it recorded', () => {
    const { inventory, lockDir, lockFile } = setup();
    writeHolder(lockFile, { pid: process.pid, processStart: processStartOf(process.pid)! });
    assert.throws(() => acquireRunLock([inventory], lockDir), (err: unknown) => err instanceof RunLockedError && err.holder?.pid === process.pid && /holds the lock for this inventory/.test(err.message));
  });

  it('takes over a lock whose holder is dead, with a warning', async () => {
    const { inventory, lockDir, lockFile } = setup();
    const pid = await deadPid();
    writeHolder(lockFile, { pid, processStart: 'boot:1' });
    const warnings: string[] = [];
    const lock = acquireRunLock([inventory], lockDir, (w) => warnings.push(w));
    assert.equal((JSON.parse(readFileSync(lockFile, 'utf8')) as LockHolder).pid, process.pid);
    assert.match(warnings.join('\n'), new RegExp(`taking over the run lock .*: its holder \\(pid ${pid}, started 2026-01-01T00:00:00.000Z\\) is gone`));
    lock.release();
  });

  it('takes over a lock whose pid is alive but is another process now (a reused pid)', () => {
    const { inventory, lockDir, lockFile } = setup();
    // This test's own pid is alive; the recorded start says it was another process.
    writeHolder(lockFile, { pid: process.pid, processStart: `${processStartOf(process.pid)!.split(':')[0]}:1` });
    const warnings: string[] = [];
    const lock = acquireRunLock([inventory], lockDir, (w) => warnings.push(w));
    assert.match(warnings.join('\n'), new RegExp(`pid ${process.pid} is now another process`));
    lock.release();
  });

  it('holds against a holder on another host: it cannot be checked from here', () => {
    const { inventory, lockDir, lockFile } = setup();
    writeHolder(lockFile, { pid: 999999, host: 'elsewhere.example' });
    assert.throws(() => acquireRunLock([inventory], lockDir), /pid 999999 on elsewhere\.example/);
  });

  it('an unreadable lock holds while it may be being written, and is stale after a minute', () => {
    const { inventory, lockDir, lockFile } = setup();
    mkdirSync(lockDir, { recursive: true });
    writeFileSync(lockFile, '');
    assert.throws(() => acquireRunLock([inventory], lockDir), /being written/);
    const old = new Date(Date.now() - 120_000);
    utimesSync(lockFile, old, old);
    const warnings: string[] = [];
    acquireRunLock([inventory], lockDir, (w) => warnings.push(w)).release();
    assert.match(warnings.join('\n'), /no readable holder for \d+ s/);
  });

  it('records the command line without -e values (they may be secrets)', () => {
    assert.equal(redactedCommand(['apply', 'p.yml', '-e', 'pw=s3cret', '--extra-vars', '@vault.yml', '--extra-vars=x=1', '--yes']), 'apply p.yml -e … --extra-vars … --extra-vars=… --yes');
  });

  it('keys the lock by the inventory\'s real path: a symlink or a relative path is the same inventory', () => {
    const { inventory, lockDir, lockFile } = setup();
    const link = join(dir, `link-${n}.yml`);
    symlinkSync(inventory, link);
    assert.equal(lockFileFor([link], lockDir), lockFile);
    const lock = acquireRunLock([inventory], lockDir);
    assert.throws(() => acquireRunLock([link], lockDir), RunLockedError);
    lock.release();
  });
});
