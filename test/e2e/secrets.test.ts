import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { LAB_PASSWORD } from '../../src/lab/lab.ts';
import { runCli } from '../helpers/cli.ts';
import { startLab } from '../helpers/lab.ts';

type StartedLab = Awaited<ReturnType<typeof startLab>>;

/** A wrong password that must not show up either. */
const WRONG = 'Wr0ng-But-Still-Secret-42';

describe('no secret reaches any output', () => {
  let lab: StartedLab;
  let inventory: string;
  before(async () => {
    lab = await startLab([
      { name: 'pw-ok', scenario: 'three-peers', seed: 1 },
      { name: 'pw-wrong', scenario: 'three-peers', seed: 2 },
    ]);
    const host = (name: string, env: string) => ({ ansible_host: '127.0.0.1', ansible_port: lab.host(name).port, runbook_password_env: env, min_peer_sessions: 40 });
    inventory = join(lab.dir, 'pw-inventory.yml');
    await writeFile(
      inventory,
      stringify({ all: { vars: { ansible_user: 'lab', runbook_known_hosts: lab.knownHostsFile, runbook_agent: false }, hosts: { 'pw-ok': host('pw-ok', 'RB_PW'), 'pw-wrong': host('pw-wrong', 'RB_WRONG') } } }),
    );
  });
  after(async () => lab.cleanup());

  it('apply with passwords from the environment: stdout, stderr, report, audit log and syslog hold neither password', async () => {
    const report = join(lab.dir, 'report.json');
    const audit = join(lab.dir, 'audit.jsonl');
    const syslogServer = createSocket('udp4');
    const syslog: string[] = [];
    syslogServer.on('message', (m) => syslog.push(m.toString()));
    await new Promise<void>((r) => syslogServer.bind(0, '127.0.0.1', r));
    const r = await runCli(
      ['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '-e', 'dry_run=false', '--yes', '-vv', '--report', report, '--audit-log', audit, '--syslog', `udp://127.0.0.1:${syslogServer.address().port}`, '--lock-dir', join(lab.dir, 'locks')],
      { env: { RB_PW: LAB_PASSWORD, RB_WRONG: WRONG } },
    );
    syslogServer.close();
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(r.stdout, /pw-ok +changed/);
    assert.match(r.stdout, /pw-wrong +unreachable +connect: auth, see above/);
    assert.match(r.stdout, /^  connect: auth: authentication as 'lab' failed/m);
    const everything = [r.stdout, r.stderr, await readFile(report, 'utf8'), await readFile(audit, 'utf8'), syslog.join('\n')].join('\n');
    assert.ok(syslog.length > 0 && everything.includes('clear security ike security-associations'), 'the outputs were really produced');
    for (const secret of [LAB_PASSWORD, WRONG]) assert.ok(!everything.includes(secret), `secret found in output`);
  });

  it('the plan artifact and its Markdown rendering hold no password', async () => {
    const planFile = join(lab.dir, 'plan.json');
    const r = await runCli(['plan', 'playbooks/ah-cleanup.yml', '-i', inventory, '-o', planFile, '-q'], { env: { RB_PW: LAB_PASSWORD, RB_WRONG: WRONG } });
    assert.equal(r.code, 4, r.stdout + r.stderr);
    const md = await runCli(['show', planFile, '--format', 'md']);
    const everything = [r.stdout, r.stderr, await readFile(planFile, 'utf8'), md.stdout].join('\n');
    assert.ok(everything.includes('clear security ike security-associations'));
    for (const secret of [LAB_PASSWORD, WRONG]) assert.ok(!everything.includes(secret), 'secret found in the plan');
  });

  it('runbook rpc with a wrong password names the host and phase, not the password', async () => {
    const r = await runCli(
      ['rpc', '--host', '127.0.0.1', '--port', String(lab.host('pw-ok').port), '--user', 'lab', '--password-env', 'RB_WRONG', '--known-hosts', lab.knownHostsFile, 'get-software-information'],
      { env: { RB_WRONG: WRONG } },
    );
    assert.equal(r.code, 4);
    assert.match(r.stderr, /auth: authentication as 'lab' failed/);
    assert.ok(!(r.stdout + r.stderr).includes(WRONG));
  });
});
