/**
 * A realistic Ansible Junos project (test/fixtures/ansible-project: INI inventory,
 * group_vars/all/vault.yml made with ansible-vault, ansible.cfg with inventory= and
 * forks=, the SRXs behind a bastion) runs unchanged: `runbook apply
 * playbooks/ah-cleanup.yml --vault-password-file vault-pass.txt` in its directory, with
 * no -i, against lab devices behind a private OpenSSH sshd as the bastion. The files
 * added to the copy hold only what a test picks at run time: host_vars/ with the lab
 * devices' ports, and ssh_config with the bastion's port and key. Skipped, with the
 * reason, where sshd is not installed.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LAB_PASSWORD } from '../../src/lab/lab.ts';
import { runCli } from '../helpers/cli.ts';
import { startLab } from '../helpers/lab.ts';
import { sshdUnavailable, startSshd, type RunningSshd } from '../helpers/sshd.ts';

type StartedLab = Awaited<ReturnType<typeof startLab>>;
const FIXTURE = fileURLToPath(new URL('../fixtures/ansible-project', import.meta.url));

describe('an Ansible project runs unchanged', () => {
  let lab: StartedLab;
  let project: string;
  let work: string;
  let sshd: RunningSshd;
  let knownHosts: string;
  const unavailable = sshdUnavailable();
  before(async () => {
    if (unavailable) return;
    lab = await startLab([
      { name: 'srx-ams', scenario: 'three-peers', seed: 1 },
      { name: 'srx-fra', scenario: 'three-peers', seed: 2 },
    ]);
    work = await mkdtemp(join(tmpdir(), 'runbook-ansible-project-'));
    project = join(work, 'project');
    await cp(FIXTURE, project, { recursive: true });
    await mkdir(join(project, 'inventory', 'host_vars'));
    for (const name of ['srx-ams', 'srx-fra']) await writeFile(join(project, 'inventory', 'host_vars', `${name}.yml`), `ansible_port: ${lab.host(name).port}\n`);
    sshd = await startSshd({ dir: join(work, 'sshd'), subsystems: {}, allowTcpForwarding: true, logLevel: 'DEBUG1' });
    await writeFile(join(project, 'ssh_config'), `Host bastion\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n  IdentityFile ${sshd.clientKeyFile}\n`);
    knownHosts = join(work, 'known_hosts');
    await writeFile(knownHosts, (await readFile(lab.knownHostsFile, 'utf8')) + (await readFile(sshd.knownHostsFile, 'utf8')));
  });
  after(async () => {
    await sshd?.stop();
    await lab?.cleanup();
  });

  it('apply with ansible.cfg inventory=, remote_user=, the vaulted password, no -i, through the bastion', async (t: TestContext) => {
    if (unavailable) return t.skip(unavailable);
    const report = join(work, 'report.json');
    const r = await runCli(
      ['apply', 'playbooks/ah-cleanup.yml', '--vault-password-file', 'vault-pass.txt', '-e', 'dry_run=false', '--yes', '--known-hosts', knownHosts, '--report', report, '--audit-log', join(work, 'audit.jsonl'), '--lock-dir', join(work, 'locks')],
      { cwd: project, env: { HOME: work } },
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /srx-ams +changed/);
    assert.match(r.stdout, /srx-fra +changed/);
    const text = await readFile(report, 'utf8');
    assert.deepEqual((JSON.parse(text) as { inventory: string[] }).inventory, [join(project, 'inventory', 'hosts.ini')]);
    const everything = [r.stdout, r.stderr, text, await readFile(join(work, 'audit.jsonl'), 'utf8')].join('\n');
    for (const secret of [LAB_PASSWORD, 'fixture-vault-password']) assert.ok(!everything.includes(secret), 'secret found in output');
    for (const name of ['srx-ams', 'srx-fra']) {
      assert.match(sshd.log(), new RegExp(`server_request_direct_tcpip: originator 127\\.0\\.0\\.1 port \\d+, target 127\\.0\\.0\\.1 port ${lab.host(name).port}\\b`), `${name} reached through the bastion`);
    }
  });

  it('host_key_checking = False in ansible.cfg: an unknown device key is accepted, with a warning on the run', async (t: TestContext) => {
    if (unavailable) return t.skip(unavailable);
    const strictCfg = await readFile(join(project, 'ansible.cfg'), 'utf8');
    await writeFile(join(project, 'ansible.cfg'), strictCfg.replace('[defaults]\n', '[defaults]\nhost_key_checking = False\n'));
    // Only the bastion is known: its key is never learnt on the way.
    const bastionOnly = join(work, 'bastion_known_hosts');
    await writeFile(bastionOnly, await readFile(sshd.knownHostsFile, 'utf8'));
    try {
      const r = await runCli(['plan', 'playbooks/ah-cleanup.yml', '--vault-password-file', 'vault-pass.txt', '--known-hosts', bastionOnly, '-o', join(work, 'plan.json'), '-q'], { cwd: project, env: { HOME: work } });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stderr, /warning: host_key_checking is False \(.*ansible\.cfg\): unknown host keys are accepted and recorded, as with --accept-new; a changed host key is still refused/);
      await writeFile(join(work, 'bastion_known_hosts_2'), await readFile(sshd.knownHostsFile, 'utf8'));
      const strict = await runCli(['plan', 'playbooks/ah-cleanup.yml', '--vault-password-file', 'vault-pass.txt', '--known-hosts', join(work, 'bastion_known_hosts_2'), '-o', join(work, 'plan2.json'), '-q'], {
        cwd: project,
        env: { HOME: work, ANSIBLE_HOST_KEY_CHECKING: 'True' },
      });
      assert.notEqual(strict.code, 0, 'ANSIBLE_HOST_KEY_CHECKING=True overrides the file: unknown keys refused');
      assert.match(strict.stdout + strict.stderr, /host ?key/i);
    } finally {
      await writeFile(join(project, 'ansible.cfg'), strictCfg);
    }
  });
});
