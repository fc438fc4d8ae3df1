import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { BUILD_STAMP, buildState } from '../../bin/build-state.js';
import type { Report } from '../../src/report/json-report.ts';
import { HOSTILE_PASSWORD, HOSTILE_PASSWORD_ENV, HostileServer } from '../helpers/hostile-server.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const CRON = join(REPO, 'deploy/cron.example');
const UNIT = join(REPO, 'deploy/systemd/runbook-ah-cleanup.service');

/**
 * The deploy examples run as written, with one documented change: the absolute paths
 * they name (and the service user) are mapped into a temp dir, and the placeholder
 * password line names the test server's variable.
 */
function mapped(text: string, root: string): string {
  const me = userInfo().username;
  const table: [string, string][] = [
    ['/opt/runbook', REPO],
    ['/etc/runbook', `${root}/etc/runbook`],
    ['/etc/cron.d', `${root}/etc/cron.d`],
    ['/etc/systemd/system', `${root}/etc/systemd/system`],
    ['/var/lib/runbook', `${root}/var/lib/runbook`],
    ['/var/log/runbook', `${root}/var/log/runbook`],
    ['/run/runbook', `${root}/run/runbook`],
    [' -o runbook ', ` -o ${me} `],
    ['chown runbook ', `chown ${me} `],
    ['JUNOS_PASSWORD=...', `${HOSTILE_PASSWORD_ENV}=${HOSTILE_PASSWORD}`],
  ];
  return table.reduce((t, [from, to]) => t.split(from).join(to), text);
}

/** The install lines of an example's header: `#   command`, less systemctl (no systemd runs here). */
function installLines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => /^# {3}\S/.test(l))
    .map((l) => l.slice(4))
    .filter((l) => !l.startsWith('systemctl '));
}

/** The environment cron or systemd gives: no variables of ours, PATH as cron sets it (plus this node). */
function bareEnv(root: string): Record<string, string> {
  return { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: join(root, 'home'), TMPDIR: join(root, 'tmp'), NO_COLOR: '1' };
}

function run(cmd: string, args: string[], opts: { cwd: string; env: Record<string, string> }): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** The unit's [Service] settings, continuation lines joined. */
function unitSettings(file: string): Map<string, string> {
  const settings = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').replace(/\\\n\s*/g, ' ').split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) settings.set(m[1], m[2].trim());
  }
  return settings;
}

/** KEY=value lines, as systemd's EnvironmentFile= reads them (no quotes are used here). */
function environmentFile(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return env;
}

describe('deploy examples, run as written', () => {
  let root: string;
  let server: HostileServer;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'runbook-deploy-'));
    // What any host has already; /etc/runbook and /var/... are the examples' own to make.
    for (const d of ['etc/cron.d', 'etc/systemd/system', 'run', 'home', 'tmp']) mkdirSync(join(root, d), { recursive: true });
    server = await HostileServer.start();
  });
  after(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('the cron example: its install lines work on a host without /etc/runbook, and the env file reaches runbook', async () => {
    const install = await run('/bin/sh', ['-ec', mapped(installLines(CRON).join('\n'), root)], { cwd: REPO, env: bareEnv(root) });
    assert.equal(install.code, 0, install.out);
    assert.equal(readFileSync(join(root, 'etc/runbook/env'), 'utf8'), `${HOSTILE_PASSWORD_ENV}=${HOSTILE_PASSWORD}\n`);
    // Peers of 40 sessions or more are cleared: the acting run sends clears, which the audit log records.
    renameSync(await server.writeInventory(join(root, 'etc/runbook'), 'hostile-srx', { min_peer_sessions: 40 }), join(root, 'etc/runbook/inventory.yml'));

    const line = readFileSync(join(root, 'etc/cron.d/runbook'), 'utf8').split('\n').find((l) => /^\d/.test(l));
    assert.ok(line, 'the installed cron file has a job line');
    // m h dom mon dow user command: cron gives the command to /bin/sh.
    const command = line.replace(/^(\S+\s+){6}/, '');
    // `npx` in the checkout runs its prepare script (the build): a build that is already fresh must be kept,
    // not deleted and rebuilt under the other runbook processes loading it (a whole suite's, in CI).
    const builtBefore = buildState(REPO) === 'fresh' ? statSync(join(REPO, 'dist', BUILD_STAMP)).mtimeMs : undefined;
    const r = await run('/bin/sh', ['-c', mapped(command, root)], { cwd: join(root, 'home'), env: bareEnv(root) });
    assert.equal(r.code, 0, r.out);
    if (builtBefore !== undefined) assert.equal(statSync(join(REPO, 'dist', BUILD_STAMP)).mtimeMs, builtBefore, 'npx kept the fresh build in dist/');
    const report = JSON.parse(readFileSync(join(root, 'var/lib/runbook/last-report.json'), 'utf8')) as Report;
    assert.equal(report.run.hosts[0].error, undefined);
    assert.equal(report.run.dryRun, false);
    assert.ok(server.rpcNames.includes('get-flow-session-information'), `logged in with the password from the env file: ${server.rpcNames.join(', ')}`);
    assert.ok(server.rpcNames.includes('clear-ike-security-association'), server.rpcNames.join(', '));
    assert.ok(existsSync(join(root, 'var/log/runbook/audit.jsonl')));
  });

  it('the systemd unit: its install lines and ExecStart, with the EnvironmentFile, run', async () => {
    rmSync(join(root, 'etc/runbook'), { recursive: true, force: true });
    const install = await run('/bin/sh', ['-ec', mapped(installLines(UNIT).join('\n'), root)], { cwd: REPO, env: bareEnv(root) });
    assert.equal(install.code, 0, install.out);
    renameSync(await server.writeInventory(join(root, 'etc/runbook')), join(root, 'etc/runbook/inventory.yml'));
    // systemd makes these itself (StateDirectory=, LogsDirectory=, RuntimeDirectory=).
    for (const d of ['var/lib/runbook', 'var/log/runbook', 'run/runbook']) mkdirSync(join(root, d), { recursive: true });

    const unit = unitSettings(join(root, 'etc/systemd/system/runbook-ah-cleanup.service'));
    const envFile = mapped(unit.get('EnvironmentFile')!.replace(/^-/, ''), root);
    const [cmd, ...args] = mapped(unit.get('ExecStart')!, root).split(/\s+/);
    const before = server.received.length;
    const r = await run(cmd, args, { cwd: mapped(unit.get('WorkingDirectory')!, root), env: { ...bareEnv(root), ...environmentFile(envFile) } });
    assert.equal(r.code, 0, r.out);
    assert.ok(server.received.length > before, 'the run logged in with the password from the EnvironmentFile');
    const report = JSON.parse(readFileSync(join(root, 'var/lib/runbook/last-report.json'), 'utf8')) as Report;
    assert.equal(report.run.hosts[0].error, undefined);
  });

  it('the systemd unit has a start timeout inside the hour, and counts only 0 as success', () => {
    const unit = unitSettings(UNIT);
    const timeout = /^(\d+)min$/.exec(unit.get('TimeoutStartSec') ?? '');
    assert.ok(timeout && Number(timeout[1]) < 60, `TimeoutStartSec=${unit.get('TimeoutStartSec')}`);
    const success = (unit.get('SuccessExitStatus') ?? '').split(/\s+/).filter(Boolean);
    assert.deepEqual(success.filter((c) => ['1', '2', '3', '4', '5', '6', '130'].includes(c)), []);
  });

  it('systemd-analyze verify finds nothing wrong with the unit and timer', (t) => {
    if (spawnSync('systemd-analyze', ['--version']).status !== 0) {
      t.skip('systemd-analyze is not installed (Debian package systemd)');
      return;
    }
    const dir = join(root, 'verify');
    mkdirSync(dir);
    for (const f of ['runbook-ah-cleanup.service', 'runbook-ah-cleanup.timer']) {
      spawnSync('install', ['-m', '0644', join(REPO, 'deploy/systemd', f), dir]);
    }
    const r = spawnSync('systemd-analyze', ['verify', join(dir, 'runbook-ah-cleanup.service'), join(dir, 'runbook-ah-cleanup.timer')], { encoding: 'utf8' });
    const complaints = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes('runbook-ah-cleanup'));
    assert.deepEqual(complaints, []);
  });
});
