import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import type { RunningConfig } from '../../../src/contracts/backup.ts';
import { BackupFolder } from '../../../src/report/config-backup.ts';

const CONFIG: RunningConfig = {
  text: '## Last commit: 2024-01-21 14:22:30 UTC by lab\nversion 17.4R3.16;\nsystem {\n    host-name srx1;\n}\n',
  set: 'set version 17.4R3.16\nset system host-name srx1\n',
  commit: { seconds: 1705846950, localtime: '2024-01-21 14:22:30 UTC', user: 'lab' },
  readAt: '2026-12-04T22:10:00.123Z',
};

async function inTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'runbook-backup-unit-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function repo(dir: string): (...args: string[]) => string {
  execFileSync('git', ['init', '-q', dir]);
  return (...args) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: dir, encoding: 'utf8' });
}

it('backup folder: one pair per host per run, named by the read time and run; a second save returns the first', async () => {
  await inTemp(async (dir) => {
    const folder = new BackupFolder({ dir, runId: 'run-1' });
    const port = folder.forHost('srx1');
    const ref = await port.save(CONFIG);
    assert.equal(ref.text, join(dir, 'srx1', '20261204T221000Z-run-1.conf'));
    assert.equal(ref.set, join(dir, 'srx1', '20261204T221000Z-run-1.set'));
    assert.equal(await readFile(ref.text, 'utf8'), CONFIG.text);
    assert.equal(await readFile(ref.set, 'utf8'), CONFIG.set);
    assert.deepEqual(ref.commit, CONFIG.commit);
    assert.deepEqual(await port.save({ ...CONFIG, text: 'other' }), ref);
    assert.equal(await readFile(ref.text, 'utf8'), CONFIG.text);
  });
});

it('backup folder: a host name cannot climb out of the folder', async () => {
  await inTemp(async (dir) => {
    const ref = await new BackupFolder({ dir, runId: 'r' }).forHost('../x/..').save(CONFIG);
    assert.ok(ref.text.startsWith(join(dir, '.._x_..') + '/'), ref.text);
  });
});

it('backup folder that is a git repository: each host its own commit carrying run and ticket, hosts saved at once committed one after another', async () => {
  await inTemp(async (dir) => {
    const git = repo(dir);
    await writeFile(join(dir, 'a'), 'a\n');
    git('add', 'a');
    git('commit', '-qm', 'start');
    const folder = new BackupFolder({ dir, runId: 'run-7', ticket: 'CHG-42' });
    const refs = await Promise.all(['srx1', 'srx2', 'srx3'].map((h) => folder.forHost(h).save(CONFIG)));
    assert.equal(new Set(refs.map((r) => r.git)).size, 3);
    for (const ref of refs) {
      const files = git('show', '--name-only', '--format=', ref.git!).trim().split('\n').sort();
      assert.deepEqual(files, [ref.set, ref.text].map((f) => f.slice(dir.length + 1)).sort());
      assert.match(git('log', '-1', '--format=%B', ref.git!), /^runbook backup of srx\d \(run run-7, ticket CHG-42\)\n\nRunning configuration read at 2026-12-04T22:10:00.123Z; last commit 2024-01-21 14:22:30 UTC by lab \(1705846950\)\./);
    }
  });
});

it('backup folder that is a git repository but ignores the host: files written, no commit', async () => {
  await inTemp(async (dir) => {
    const git = repo(dir);
    await writeFile(join(dir, '.gitignore'), 'srx1/\n');
    git('add', '.gitignore');
    git('commit', '-qm', 'start');
    const ref = await new BackupFolder({ dir, runId: 'r' }).forHost('srx1').save(CONFIG);
    assert.equal(ref.git, undefined);
    assert.equal(await readFile(ref.text, 'utf8'), CONFIG.text);
    assert.equal(git('rev-list', '--count', 'HEAD').trim(), '1');
  });
});

it('backup folder merely inside a git repository (.runbook/backups in an ops repo): files written, nothing committed or staged there', async () => {
  await inTemp(async (dir) => {
    const git = repo(dir);
    await writeFile(join(dir, 'site.yml'), 'x\n');
    git('add', 'site.yml');
    git('commit', '-qm', 'start');
    await writeFile(join(dir, 'staged.txt'), 'staged, not ours\n');
    git('add', 'staged.txt');
    const head = git('rev-parse', 'HEAD').trim();
    const index = git('ls-files', '--stage');
    const ref = await new BackupFolder({ dir: join(dir, '.runbook', 'backups'), runId: 'r', ticket: 'T-1' }).forHost('srx1').save(CONFIG);
    assert.equal(ref.git, undefined);
    assert.equal(await readFile(ref.text, 'utf8'), CONFIG.text);
    assert.equal(await readFile(ref.set, 'utf8'), CONFIG.set);
    assert.equal(git('rev-parse', 'HEAD').trim(), head);
    assert.equal(git('ls-files', '--stage'), index);
    assert.deepEqual(git('diff', '--cached', '--name-only').trim().split('\n'), ['staged.txt']);
  });
});
