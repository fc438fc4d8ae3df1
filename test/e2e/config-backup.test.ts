import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { it } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { runCli } from '../helpers/cli.ts';
import { HostileServer } from '../helpers/hostile-server.ts';

/** State-changing RPCs: what must never reach the device when its backup could not be kept. */
const CHANGING = new Set(['load-configuration', 'commit-configuration', 'clear-security-flow-session', 'lock']);

/** The running configuration in text form, as the lab device renders it, without the newline Junos opens the element with. */
function runningText(server: HostileServer): string {
  return server.runningText();
}

async function applyAt(dir: string, server: HostileServer, playbook: string, extra: readonly string[]) {
  const inv = await server.writeInventory(dir);
  const report = join(dir, 'report.json');
  const r = await runCli(['apply', playbook, '-i', inv, '--audit-log', join(dir, 'audit.jsonl'), '--lock-dir', join(dir, 'locks'), '--report', report, ...extra], { env: server.env() });
  const raw = await readFile(report, 'utf8').then((t) => JSON.parse(t) as object, () => undefined);
  if (raw) {
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    (addFormatsModule as unknown as { default: (a: Ajv) => void }).default(ajv);
    const validate = ajv.compile(JSON.parse(await readFile('schemas/report.schema.json', 'utf8')) as object);
    assert.ok(validate(raw), JSON.stringify(validate.errors));
  }
  const parsed = await readFile(report, 'utf8').then((t) => (JSON.parse(t) as { run: { hosts: { host: string; status: string; error?: { kind: string; message: string }; backup?: { text: string; set: string; commit: { seconds?: number; user?: string }; git?: string } }[] } }).run, () => undefined);
  return { r, report: parsed };
}

async function withServer<T>(fn: (dir: string, server: HostileServer) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'runbook-backup-'));
  const server = await HostileServer.start({ scenario: 'busy' });
  try {
    return await fn(dir, server);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

it('backup: the text form equals the running configuration before the change, byte for byte; the report points to it', async () => {
  await withServer(async (dir, server) => {
    const before = runningText(server);
    const backups = join(dir, 'backups');
    const { r, report } = await applyAt(dir, server, 'playbooks/flow-aging-baseline.yml', ['-e', 'dry_run=false', '--yes', '--backup-dir', backups]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.notEqual(runningText(server), before, 'the change was committed');
    const backup = report!.hosts[0]!.backup!;
    assert.ok(backup.text.startsWith(join(backups, 'hostile-srx') + '/'), backup.text);
    assert.equal(await readFile(backup.text, 'utf8'), before);
    const set = await readFile(backup.set, 'utf8');
    assert.match(set, /^set version /);
    assert.ok(set.includes('set system host-name hostile-srx\n'), set);
    assert.equal(typeof backup.commit.seconds, 'number');
    assert.equal(backup.git, undefined, 'a temp dir is not in a git repository');
    assert.deepEqual((await readdir(join(backups, 'hostile-srx'))).sort(), [backup.set.split('/').pop(), backup.text.split('/').pop()].sort());
    // Read before anything changed: the three reads come before the first lock.
    const names = server.rpcNames;
    const firstChange = names.findIndex((n) => CHANGING.has(n));
    assert.ok(names.slice(0, firstChange).filter((n) => n === 'get-configuration').length >= 3, names.join(' '));
  });
});

it('backup: a dry run (the default, and --check) keeps none and writes no folder', async () => {
  await withServer(async (dir, server) => {
    const backups = join(dir, 'backups');
    const { r } = await applyAt(dir, server, 'playbooks/flow-aging-baseline.yml', ['--backup-dir', backups]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    await assert.rejects(readdir(backups), { code: 'ENOENT' });
  });
});

it('backup: one that cannot be written stops the host before any state-changing RPC (no lock, no clear, no commit)', async () => {
  await withServer(async (dir, server) => {
    const backups = join(dir, 'backups');
    await mkdir(backups, { recursive: true });
    // The host's folder is a file: the folder check passes, the write fails.
    await writeFile(join(backups, 'hostile-srx'), 'in the way\n');
    const { r, report } = await applyAt(dir, server, 'playbooks/clear-sessions.yml', ['-e', 'dry_run=false', '-e', 'protocol=udp', '--yes', '--backup-dir', backups]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.deepEqual(server.rpcNames.filter((n) => CHANGING.has(n)), []);
    const host = report!.hosts[0]!;
    assert.equal(host.status, 'failed');
    assert.equal(host.error?.kind, 'backup');
    assert.match(host.error!.message, /not sent: the configuration backup could not be kept/);
    assert.match(r.stdout + r.stderr, /backup could not be kept/);
  });
});

it('backup: a --backup-dir that is a git repository gets a commit of the two files alone, its message naming the run; other staged files stay staged', async () => {
  await withServer(async (dir, server) => {
    const repo = join(dir, 'repo');
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: repo, encoding: 'utf8' });
    execFileSync('git', ['init', '-q', repo]);
    await writeFile(join(repo, 'README'), 'backups\n');
    git('add', 'README');
    git('commit', '-qm', 'start');
    await writeFile(join(repo, 'unrelated.txt'), 'staged, not ours\n');
    git('add', 'unrelated.txt');
    const { r, report } = await applyAt(dir, server, 'playbooks/flow-aging-baseline.yml', ['-e', 'dry_run=false', '--yes', '--backup-dir', repo]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const backup = report!.hosts[0]!.backup!;
    assert.equal(backup.git, git('rev-parse', 'HEAD').trim());
    const files = git('show', '--name-only', '--format=', 'HEAD').trim().split('\n').sort();
    assert.deepEqual(files, [backup.set, backup.text].map((f) => f.slice(repo.length + 1)).sort());
    const runId = (JSON.parse((await readFile(join(dir, 'audit.jsonl'), 'utf8')).split('\n')[0]!) as { run: string }).run;
    assert.match(git('log', '-1', '--format=%B'), new RegExp(`^runbook backup of hostile-srx \\(run ${runId}\\)`));
    assert.deepEqual(git('diff', '--cached', '--name-only').trim().split('\n'), ['unrelated.txt']);
  });
});

it('backup: a --backup-dir merely inside a git work tree (an ops repo not ignoring .runbook/) is written, never committed: the repo\'s HEAD and index unchanged', async () => {
  await withServer(async (dir, server) => {
    const repo = join(dir, 'ops');
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: repo, encoding: 'utf8' });
    execFileSync('git', ['init', '-q', repo]);
    await writeFile(join(repo, 'site.yml'), 'x\n');
    git('add', 'site.yml');
    git('commit', '-qm', 'start');
    const head = git('rev-parse', 'HEAD').trim();
    const index = git('ls-files', '--stage');
    const backups = join(repo, '.runbook', 'backups');
    const { r, report } = await applyAt(dir, server, 'playbooks/flow-aging-baseline.yml', ['-e', 'dry_run=false', '--yes', '--backup-dir', backups]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const backup = report!.hosts[0]!.backup!;
    assert.equal(backup.git, undefined);
    assert.ok(backup.text.startsWith(join(backups, 'hostile-srx') + '/'), backup.text);
    assert.match(await readFile(backup.set, 'utf8'), /^set /m);
    assert.equal(git('rev-parse', 'HEAD').trim(), head);
    assert.equal(git('ls-files', '--stage'), index);
  });
});

it('backup: with neither --backup-dir nor --audit-log, the backups go to .runbook/backups/HOST/ under the working directory', async () => {
  await withServer(async (dir, server) => {
    const inv = await server.writeInventory(dir);
    const playbook = resolve('playbooks/flow-aging-baseline.yml');
    const r = await runCli(['apply', playbook, '-i', inv, '--lock-dir', join(dir, 'locks'), '-e', 'dry_run=false', '--yes'], { cwd: dir, env: server.env() });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const files = await readdir(join(dir, '.runbook', 'backups', 'hostile-srx'));
    assert.equal(files.filter((f) => f.endsWith('.conf')).length, 1, files.join(' '));
    assert.equal(files.filter((f) => f.endsWith('.set')).length, 1, files.join(' '));
    const conf = files.find((f) => f.endsWith('.conf'))!;
    assert.match(await readFile(join(dir, '.runbook', 'backups', 'hostile-srx', conf), 'utf8'), /^## Last commit: /);
    assert.ok((await readFile(join(dir, '.runbook', 'audit.jsonl'), 'utf8')).length > 0, 'the audit log beside it');
  });
});
