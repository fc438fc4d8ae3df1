import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { HostileServer } from '../helpers/hostile-server.ts';
import { acquireRunLock } from '../../src/cli/run-lock.ts';
import { readReport } from '../../src/report/read-report.ts';

const CHANGING = new Set(['lock', 'load-configuration', 'commit-configuration']);

/** The running configuration's text as the lab device renders it. */
function runningText(server: HostileServer): string {
  return server.runningText();
}

/** Without the `## Last commit` line, which names the commit rather than the configuration. */
const body = (text: string) => text.replace(/^## Last commit:.*\n/, '');

it('restore: a changed device is put back to its backup through lock, load override, compare, commit confirmed, verify, commit; a second restore finds nothing to change', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'runbook-restore-'));
  const server = await HostileServer.start({ scenario: 'busy' });
  try {
    const inv = await server.writeInventory(dir);
    const common = ['-i', inv, '--audit-log', join(dir, 'audit.jsonl'), '--backup-dir', join(dir, 'backups'), '--lock-dir', join(dir, 'locks')];
    const before = runningText(server);
    const applied = await runCli(['apply', 'playbooks/flow-aging-baseline.yml', ...common, '-e', 'dry_run=false', '--yes', '--report', join(dir, 'report.json')], { env: server.env() });
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.notEqual(body(runningText(server)), body(before));
    const backup = (JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as { run: { hosts: { backup: { text: string } }[] } }).run.hosts[0]!.backup.text;

    // Off a terminal, without --yes: refused, nothing sent.
    const sentBefore = server.rpcNames.length;
    const refused = await runCli(['restore', 'hostile-srx', '--from', backup, ...common], { env: server.env() });
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /--yes/);
    assert.equal(server.rpcNames.length, sentBefore);

    const restored = await runCli(['restore', 'hostile-srx', '--from', backup, ...common, '--yes', '--ticket', 'CHG-77'], { env: server.env() });
    assert.equal(restored.code, 0, restored.stdout + restored.stderr);
    assert.equal(body(runningText(server)), body(before), 'the running configuration is the backup again');
    assert.match(restored.stdout, /^hostile-srx \| CHANGED$/m);
    assert.match(restored.stdout, /sent: lock → load override → show \| compare → commit confirmed 5 → commit → unlock/);
    assert.match(restored.stdout, /configuration: committed \(commit confirmed 5, verified, confirmed\)/);
    // What it replaced was backed up first, before any state-changing RPC of the restore.
    const replaced = /backup of the configuration replaced: (\S+)/.exec(restored.stdout)![1]!;
    assert.notEqual(replaced, backup);
    assert.match(await readFile(replaced, 'utf8'), /early-ageout/);
    const restoreRpcs = server.rpcNames.slice(sentBefore);
    assert.ok(restoreRpcs.indexOf('get-configuration') < restoreRpcs.indexOf('lock'), restoreRpcs.join(' '));

    // Audited like every change: the override names the backup file.
    const audit = (await readFile(join(dir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { phase: string; cli: string; outcome?: string; playbook?: string });
    const restoreIntents = audit.filter((l) => l.phase === 'intent').slice(-3).map((l) => l.cli.replace(/ comment .*/, ''));
    assert.deepEqual(restoreIntents, [`load override ${backup}`, 'commit confirmed 5', 'commit']);
    // Its commits carry the run and ticket ids, as every commit runbook makes.
    const runId = /^runbook: run (\S+), ticket CHG-77$/m.exec(restored.stdout)![1]!;
    const commits = audit.filter((l) => l.phase === 'intent').slice(-2).map((l) => l.cli);
    for (const c of commits) assert.ok(c.includes(`comment "runbook ${runId} CHG-77 restore | ${basename(backup)}"`), c);

    // show | compare against the backup is now empty.
    const again = await runCli(['restore', 'hostile-srx', '--from', backup, ...common, '--check'], { env: server.env() });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /^hostile-srx \| OK$/m);
    assert.match(again.stdout, /no change \(the running configuration is the backup\)/);
    assert.ok(!server.rpcNames.slice(-6).includes('commit-configuration'));
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

it('restore: a set form, a missing file, or a pattern that is not one host is bad input (exit 2), nothing contacted', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'runbook-restore-'));
  const server = await HostileServer.start({ scenario: 'busy' });
  try {
    const inv = await server.writeInventory(dir);
    const set = join(dir, 'x.set');
    await import('node:fs/promises').then((fs) => fs.writeFile(set, 'set system host-name a\n'));
    const common = ['-i', inv, '--audit-log', join(dir, 'audit.jsonl'), '--backup-dir', join(dir, 'backups'), '--lock-dir', join(dir, 'locks'), '--yes'];
    const asSet = await runCli(['restore', 'hostile-srx', '--from', set, ...common], { env: server.env() });
    assert.equal(asSet.code, 2, asSet.stderr);
    assert.match(asSet.stderr, /--from .*x\.set: this is a set form/);
    const missing = await runCli(['restore', 'hostile-srx', '--from', join(dir, 'none.conf'), ...common], { env: server.env() });
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /--from .*none\.conf: cannot read the backup: ENOENT/);
    const none = await runCli(['restore', 'nosuch', '--from', set.replace('.set', '.conf'), ...common], { env: server.env() });
    assert.equal(none.code, 2, none.stderr);
    assert.deepEqual(server.rpcNames.filter((n) => CHANGING.has(n) || n === 'get-configuration'), []);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

it('restore: a device whose running configuration is not the backup after commit confirmed is rolled back (verify is real), exit 3', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'runbook-restore-'));
  let committed = false;
  const server = await HostileServer.start({
    scenario: 'busy',
    onRpc: async (rpc, reply) => {
      if (rpc.name === 'commit-configuration' && rpc.xml.includes('<confirmed/>')) committed = true;
      if (!committed || rpc.name !== 'get-configuration' || !rpc.xml.includes('format="text"') || rpc.xml.includes('compare=')) return false;
      // After the commit, the device says its configuration is something else.
      await reply.whole(`${reply.open}<configuration-text>\n## Last commit: 2024-01-01 00:00:00 UTC by lab\nsystem {\n    host-name elsewhere;\n}\n</configuration-text>\n${reply.close}`);
      return true;
    },
  });
  try {
    const inv = await server.writeInventory(dir);
    const backup = join(dir, 'b.conf');
    await import('node:fs/promises').then((fs) => fs.writeFile(backup, runningText(server).replace('host-name hostile-srx;', 'host-name restored;')));
    const r = await runCli(['restore', 'hostile-srx', '--from', backup, '-i', inv, '--audit-log', join(dir, 'audit.jsonl'), '--backup-dir', join(dir, 'backups'), '--lock-dir', join(dir, 'locks'), '--yes'], { env: server.env() });
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /^hostile-srx \| FAILED$/m);
    assert.match(r.stdout, /rolled-back: verify failed after commit confirmed: the running configuration is not the backup's: line \d+ of the backup is .*, the device has /);
    assert.match(r.stdout, /sent: lock → load override → show \| compare → commit confirmed 5 → rollback 1 → commit \(rollback\) → unlock/);
    assert.match(runningText(server), /host-name hostile-srx;/, 'rolled back to what it was');
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

it('restore: another acting run holds the inventory\'s lock: exit 5, nothing contacted', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'runbook-restore-'));
  const server = await HostileServer.start({ scenario: 'busy' });
  try {
    const inv = await server.writeInventory(dir);
    const backup = join(dir, 'b.conf');
    await import('node:fs/promises').then((fs) => fs.writeFile(backup, runningText(server)));
    const held = acquireRunLock([inv], join(dir, 'locks'));
    try {
      const r = await runCli(['restore', 'hostile-srx', '--from', backup, '-i', inv, '--audit-log', join(dir, 'audit.jsonl'), '--backup-dir', join(dir, 'backups'), '--lock-dir', join(dir, 'locks'), '--yes'], { env: server.env() });
      assert.equal(r.code, 5, r.stdout + r.stderr);
      assert.deepEqual(server.rpcNames, []);
    } finally {
      held.release();
    }
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

it('restore --report, --syslog: a report in apply\'s shape (one host, its change and the backup of what it replaced) and one syslog line naming host, result, run and ticket', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'runbook-restore-'));
  const server = await HostileServer.start({ scenario: 'busy' });
  const receiver = createSocket('udp4');
  const got: string[] = [];
  await new Promise<void>((r) => receiver.bind(0, '127.0.0.1', r));
  receiver.on('message', (m) => got.push(m.toString()));
  try {
    const inv = await server.writeInventory(dir);
    const common = ['-i', inv, '--audit-log', join(dir, 'audit.jsonl'), '--backup-dir', join(dir, 'backups'), '--lock-dir', join(dir, 'locks')];
    const backup = join(dir, 'b.conf');
    await writeFile(backup, runningText(server).replace('host-name hostile-srx;', 'host-name restored;'));
    const report = join(dir, 'restore.json');
    const syslog = `udp://127.0.0.1:${receiver.address().port}`;

    // A bad --syslog is bad input: exit 2, nothing contacted.
    const bad = await runCli(['restore', 'hostile-srx', '--from', backup, ...common, '--yes', '--syslog', 'nowhere'], { env: server.env() });
    assert.equal(bad.code, 2, bad.stdout + bad.stderr);
    assert.match(bad.stderr, /--syslog 'nowhere'/);
    assert.deepEqual(server.rpcNames, []);

    const r = await runCli(['restore', 'hostile-srx', '--from', backup, ...common, '--yes', '--ticket', 'CHG-9', '--report', report, '--syslog', syslog], { env: server.env() });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const runId = /^runbook: run (\S+), ticket CHG-9$/m.exec(r.stdout)![1]!;
    const written = await readReport(report);
    assert.equal(written.runId, runId);
    assert.equal(written.ticket, 'CHG-9');
    assert.deepEqual(written.inventory, [inv]);
    assert.equal(written.run.playbook.file, backup);
    assert.equal(written.run.dryRun, false);
    assert.deepEqual(written.run.recap, { ok: 0, changed: 1, skipped: 0, failed: 0, unreachable: 0 });
    const host = written.run.hosts[0]!;
    assert.equal(host.host, 'hostile-srx');
    assert.equal(host.status, 'changed');
    assert.equal(host.config?.result, 'committed');
    assert.equal(host.config?.confirmMinutes, 5);
    assert.match(host.config!.diff, /host-name restored/);
    const replaced = /backup of the configuration replaced: (\S+)/.exec(r.stdout)![1]!;
    assert.equal(host.backup?.text, replaced);
    assert.match(await readFile(host.backup!.text, 'utf8'), /host-name hostile-srx;/);

    for (let i = 0; i < 100 && got.length < 1; i++) await new Promise((res) => setTimeout(res, 20));
    assert.equal(got.length, 1, got.join('\n'));
    assert.match(got[0]!, new RegExp(`\\[runbook@32473 device="hostile-srx" run="${runId}" ticket="CHG-9"\\] hostile-srx: restore from \\S+b\\.conf: changed, configuration committed$`));

    // A check that finds nothing to restore: ok, a dry run, no backup kept.
    const check = await runCli(['restore', 'hostile-srx', '--from', backup, ...common, '--check', '--report', report], { env: server.env() });
    assert.equal(check.code, 0, check.stdout + check.stderr);
    const checked = (await readReport(report)).run;
    assert.equal(checked.dryRun, true);
    assert.equal(checked.hosts[0]!.status, 'ok');
    assert.equal(checked.hosts[0]!.config?.result, 'unchanged');
    assert.equal(checked.hosts[0]!.backup, undefined);
  } finally {
    receiver.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
