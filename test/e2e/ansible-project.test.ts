/**
 * A realistic Ansible Junos project (test/fixtures/ansible-project: INI inventory,
 * group_vars/all/vault.yml made with ansible-vault, ansible.cfg with inventory= and
 * forks=) runs unchanged: `runbook apply playbooks/ah-cleanup.yml --vault-password-file
 * vault-pass.txt` in its directory, with no -i, against lab devices. The only file added
 * to the copy is host_vars/ with the lab devices' ports.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LAB_PASSWORD } from '../../src/lab/lab.ts';
import { runCli } from '../helpers/cli.ts';
import { startLab } from '../helpers/lab.ts';

type StartedLab = Awaited<ReturnType<typeof startLab>>;
const FIXTURE = fileURLToPath(new URL('../fixtures/ansible-project', import.meta.url));

describe('an Ansible project runs unchanged', () => {
  let lab: StartedLab;
  let project: string;
  let work: string;
  before(async () => {
    lab = await startLab([
      { name: 'srx-ams', scenario: 'three-peers', seed: 1 },
      { name: 'srx-fra', scenario: 'three-peers', seed: 2 },
    ]);
    work = await mkdtemp(join(tmpdir(), 'runbook-ansible-project-'));
    project = join(work, 'project');
    await cp(FIXTURE, project, { recursive: true });
    await mkdir(join(project, 'inventory', 'host_vars'));
    for (const name of ['srx-ams', 'srx-fra']) await writeFile(join(project, 'inventory', 'host_vars', `${name}.yml`), `ansible_port: ${lab.host(name).port}\n`);
  });
  after(async () => lab.cleanup());

  it('apply with ansible.cfg inventory=, remote_user=, the vaulted password, and no -i', async () => {
    const report = join(work, 'report.json');
    const r = await runCli(
      ['apply', 'playbooks/ah-cleanup.yml', '--vault-password-file', 'vault-pass.txt', '-e', 'dry_run=false', '--yes', '--known-hosts', lab.knownHostsFile, '--report', report, '--audit-log', join(work, 'audit.jsonl'), '--lock-dir', join(work, 'locks')],
      { cwd: project, env: { HOME: work } },
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /srx-ams +changed/);
    assert.match(r.stdout, /srx-fra +changed/);
    const text = await readFile(report, 'utf8');
    assert.deepEqual((JSON.parse(text) as { inventory: string[] }).inventory, [join(project, 'inventory', 'hosts.ini')]);
    const everything = [r.stdout, r.stderr, text, await readFile(join(work, 'audit.jsonl'), 'utf8')].join('\n');
    for (const secret of [LAB_PASSWORD, 'fixture-vault-password']) assert.ok(!everything.includes(secret), 'secret found in output');
  });

  it('host_key_checking = False in ansible.cfg: an unknown host key is accepted, with a warning on the run', async () => {
    const strictCfg = await readFile(join(project, 'ansible.cfg'), 'utf8');
    await writeFile(join(project, 'ansible.cfg'), strictCfg.replace('[defaults]\n', '[defaults]\nhost_key_checking = False\n'));
    const knownHosts = join(work, 'empty_known_hosts');
    await writeFile(knownHosts, '');
    try {
      const r = await runCli(['plan', 'playbooks/ah-cleanup.yml', '--vault-password-file', 'vault-pass.txt', '--known-hosts', knownHosts, '-o', join(work, 'plan.json'), '-q'], { cwd: project, env: { HOME: work } });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stderr, /warning: host_key_checking is False \(.*ansible\.cfg\): unknown host keys are accepted and recorded, as with --accept-new; a changed host key is still refused/);
      const strict = await runCli(['plan', 'playbooks/ah-cleanup.yml', '--vault-password-file', 'vault-pass.txt', '--known-hosts', join(work, 'other_known_hosts'), '-o', join(work, 'plan2.json'), '-q'], {
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
