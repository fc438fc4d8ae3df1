import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import type { Report } from '../../src/report/json-report.ts';
import { runCli, RUNBOOK_BIN } from '../helpers/cli.ts';
import { HOSTILE_PASSWORD_ENV, HOSTILE_USER, HostileServer } from '../helpers/hostile-server.ts';

interface AuditLine {
  host: string;
  seq: number;
  phase: 'intent' | 'outcome';
  rpc: string;
  cli: string;
  outcome?: string;
}

describe('outputs: checked before anything is contacted; a closed stdout is an interrupt', () => {
  let server: HostileServer;
  let dir: string;
  let inventory: string;
  before(async () => {
    server = await HostileServer.start();
    dir = await mkdtemp(join(tmpdir(), 'runbook-outputs-'));
    await server.writeInventory(dir);
    // Three hosts on the one hostile device: its record holds every RPC any of them sent.
    inventory = join(dir, 'three.yml');
    const host = { ansible_host: '127.0.0.1', ansible_port: server.port, min_peer_sessions: 40 };
    await writeFile(inventory, stringify({
      all: {
        vars: { ansible_user: HOSTILE_USER, ansible_password: `{{ lookup('env', '${HOSTILE_PASSWORD_ENV}') }}`, runbook_known_hosts: join(dir, 'hostile_known_hosts') },
        hosts: { a1: host, a2: host, a3: host },
      },
    }));
    await writeFile(join(dir, 'a-file'), 'not a directory\n');
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const acting = ['-e', 'dry_run=false', '--yes'];
  const unwritable = () => join(dir, 'a-file', 'out.json');

  for (const [option, extra] of [
    ['--report', (p: string) => ['--report', p]],
    ['--audit-log', (p: string) => ['--audit-log', p]],
    ['--lock-dir', (p: string) => ['--lock-dir', p]],
  ] as const) {
    it(`apply: an unwritable ${option} is a located error, exit 2, before any connection`, async () => {
      const accepted = server.accepted;
      const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, ...acting, '--lock-dir', join(dir, 'locks'), '--audit-log', join(dir, 'ok-audit.jsonl'), ...extra(unwritable())], { env: server.env() });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, new RegExp(`${option} ${unwritable().replace(/[.]/g, '\\.')}: .*not a directory`));
      assert.doesNotMatch(r.stderr, /internal error|at .*\.ts:\d+/);
      assert.equal(server.accepted, accepted, 'nothing was contacted');
    });
  }

  it('plan: an unwritable -o is a located error, exit 2, before any connection', async () => {
    const accepted = server.accepted;
    const r = await runCli(['plan', 'playbooks/ah-cleanup.yml', '-i', inventory, '-o', unwritable()], { env: server.env() });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /--out .*a-file\/out\.json: .*not a directory/);
    assert.equal(server.accepted, accepted);
  });

  it('an unreachable --syslog target is a warning on stderr, and the run goes on', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', join(dir, 'hostile-inventory.yml'), '-q', '--syslog', `tcp://127.0.0.1:${port}`, '--lock-dir', join(dir, 'locks-syslog')], { env: server.env() });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`warning: --syslog tcp://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED.*not delivered`));
  });

  it('a reader that goes away after two lines: the host in flight finishes its act step, no other starts, report and audit are written, exit 141', async () => {
    const report = join(dir, 'piped.json');
    const audit = join(dir, 'piped-audit.jsonl');
    await mkdir(join(dir, 'locks-pipe'), { recursive: true });
    const before = server.received.length;
    const child = spawn(process.execPath, [RUNBOOK_BIN, 'apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--forks', '1', '-v', ...acting, '--report', report, '--audit-log', audit, '--lock-dir', join(dir, 'locks-pipe')], {
      env: { ...process.env, ...server.env(), NO_COLOR: '1', CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lines = 0;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      lines += d.toString().split('\n').length - 1;
      // As `head -2` does: read two lines, then close the pipe.
      if (lines >= 2) child.stdout.destroy();
    });
    const [code] = (await once(child, 'close')) as [number];
    assert.equal(code, 141, stderr);
    assert.match(stderr, /output closed: finishing hosts in flight/);
    const rep = JSON.parse(await readFile(report, 'utf8')) as Report;
    assert.equal(rep.run.interrupted, true);
    assert.deepEqual(rep.run.hosts.map((h) => [h.host, h.status]), [['a1', 'changed']]);
    assert.deepEqual(rep.run.notRun, ['a2', 'a3']);
    const sent = rep.run.hosts[0]!.actions.filter((a) => a.status === 'sent');
    assert.equal(sent.length, rep.run.hosts[0]!.plan.length, 'the act step finished: every planned clear was sent');
    const got = server.received.slice(before).filter((r) => r.name.startsWith('clear-'));
    const log = (await readFile(audit, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as AuditLine);
    const intents = log.filter((l) => l.phase === 'intent');
    assert.deepEqual(intents.map((l) => l.rpc), got.map((r) => r.name), 'the audit log holds exactly what the device got');
    assert.deepEqual(intents.map((l) => l.cli), sent.map((a) => a.action.cli));
    assert.equal(log.filter((l) => l.phase === 'outcome' && l.outcome === 'ok').length, intents.length);
  });
});
