import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdir, readFile } from 'node:fs/promises';
import { Vault } from 'ansible-vault';
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

describe('no vault secret reaches any output', () => {
  /** The vault password itself, and the secrets it protects. */
  const VAULT_PW = 'V4ult-Pa55-for-the-test';
  let lab: StartedLab;
  let dir: string;
  let passFile: string;
  before(async () => {
    lab = await startLab([
      { name: 'vault-ok', scenario: 'three-peers', seed: 1 },
      { name: 'vault-wrong', scenario: 'three-peers', seed: 2 },
    ]);
    dir = join(lab.dir, 'vault-project');
    await mkdir(join(dir, 'group_vars', 'all'), { recursive: true });
    await mkdir(join(dir, 'host_vars'), { recursive: true });
    const vault = new Vault({ password: VAULT_PW });
    const port = (name: string) => lab.host(name).port;
    await writeFile(
      join(dir, 'hosts.ini'),
      `[srx]\nvault-ok ansible_host=127.0.0.1 ansible_port=${port('vault-ok')}\nvault-wrong ansible_host=127.0.0.1 ansible_port=${port('vault-wrong')}\n\n[srx:vars]\nansible_user=lab\nmin_peer_sessions=40\n`,
    );
    await writeFile(join(dir, 'group_vars', 'all', 'vars.yml'), stringify({ ansible_password: '{{ vault_ansible_password }}', runbook_known_hosts: lab.knownHostsFile, runbook_agent: false }));
    await writeFile(join(dir, 'group_vars', 'all', 'vault.yml'), vault.encryptSync(stringify({ vault_ansible_password: LAB_PASSWORD }), undefined as unknown as string) + '\n');
    const inline = vault.encryptSync(WRONG, 'prod');
    await writeFile(join(dir, 'host_vars', 'vault-wrong.yml'), `ansible_password: !vault |\n${inline.split('\n').map((l) => `  ${l}`).join('\n')}\n`);
    passFile = join(lab.dir, 'vault-pass.txt');
    await writeFile(passFile, `${VAULT_PW}\n`);
  });
  after(async () => lab.cleanup());

  it('apply --vault-password-file: logs in with the vaulted passwords; no output, report, audit or syslog holds them or the vault password', async () => {
    const report = join(lab.dir, 'vault-report.json');
    const audit = join(lab.dir, 'vault-audit.jsonl');
    const syslogServer = createSocket('udp4');
    const syslog: string[] = [];
    syslogServer.on('message', (m) => syslog.push(m.toString()));
    await new Promise<void>((r) => syslogServer.bind(0, '127.0.0.1', r));
    const r = await runCli(
      ['apply', 'playbooks/ah-cleanup.yml', '-i', join(dir, 'hosts.ini'), '--vault-password-file', passFile, '-e', 'dry_run=false', '--yes', '-vv', '--report', report, '--audit-log', audit, '--syslog', `udp://127.0.0.1:${syslogServer.address().port}`, '--lock-dir', join(lab.dir, 'locks')],
      { env: {} },
    );
    syslogServer.close();
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(r.stdout, /vault-ok +changed/);
    // The recap points at the host's results above, where the failure is said once.
    assert.match(r.stdout, /vault-wrong +unreachable +connect: auth, see above/);
    assert.match(r.stdout, /authentication as 'lab' failed/);
    const everything = [r.stdout, r.stderr, await readFile(report, 'utf8'), await readFile(audit, 'utf8'), syslog.join('\n')].join('\n');
    assert.ok(syslog.length > 0, 'syslog lines were really sent');
    for (const secret of [LAB_PASSWORD, WRONG, VAULT_PW]) assert.ok(!everything.includes(secret), 'secret found in output');
  });

  it('takes the vault password from an executable script and from ANSIBLE_VAULT_PASSWORD_FILE too', async () => {
    const script = join(lab.dir, 'vault-pass.sh');
    await writeFile(script, `#!/bin/sh\necho '${VAULT_PW}'\n`, { mode: 0o700 });
    for (const [args, env] of [
      [['--vault-password-file', script], {}],
      [[], { ANSIBLE_VAULT_PASSWORD_FILE: passFile }],
    ] as const) {
      const r = await runCli(['plan', 'playbooks/ah-cleanup.yml', '-i', join(dir, 'hosts.ini'), ...args, '-o', join(lab.dir, 'vault-plan.json'), '-q', '--limit', 'vault-ok'], { env });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const everything = [r.stdout, r.stderr, await readFile(join(lab.dir, 'vault-plan.json'), 'utf8')].join('\n');
      for (const secret of [LAB_PASSWORD, VAULT_PW]) assert.ok(!everything.includes(secret), 'secret found in the plan');
    }
  });

  it('a wrong vault password is a located error before any connection (exit 2), naming no password', async () => {
    const wrongFile = join(lab.dir, 'wrong-vault-pass.txt');
    await writeFile(wrongFile, 'not-the-vault-password\n');
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', join(dir, 'hosts.ini'), '--vault-password-file', wrongFile, '--yes', '--lock-dir', join(lab.dir, 'locks')], { env: {} });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /group_vars\/all\/vault\.yml:1:1: cannot decrypt: no vault password given matches \(tried 'default' \(wrong-vault-pass\.txt\)\)/);
    assert.doesNotMatch(r.stdout, /vault-ok/);
    for (const secret of [LAB_PASSWORD, WRONG, VAULT_PW, 'not-the-vault-password']) assert.ok(!(r.stdout + r.stderr).includes(secret));
    const missing = await runCli(['plan', 'playbooks/ah-cleanup.yml', '-i', join(dir, 'hosts.ini'), '--vault-password-file', join(lab.dir, 'nope.txt'), '-o', join(lab.dir, 'x.json')], { env: {} });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--vault-password-file .*nope\.txt: no such file/);
  });
});
