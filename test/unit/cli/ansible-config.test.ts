import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadAnsibleSettings } from '../../../src/cli/ansible-config.ts';
import { UsageError } from '../../../src/cli/errors.ts';

async function project(cfg: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'runbook-ansible-cfg-'));
  await writeFile(join(dir, 'ansible.cfg'), cfg);
  return dir;
}

const CFG = `[defaults]
inventory = inventory/hosts.ini, inventory/extra.yml ; two sources
forks = 12
remote_user = netops
private_key_file = ~/.ssh/id_junos
host_key_checking = False
timeout = 15
vault_password_file = .vault-pass

[persistent_connection]
connect_timeout = 40
command_timeout = 90
`;

describe('ansible.cfg and ANSIBLE_* settings', () => {
  it('reads ./ansible.cfg, with paths relative to its directory and ~ from HOME', async () => {
    const dir = await project(CFG);
    const s = await loadAnsibleSettings({ HOME: '/home/ops' }, dir);
    assert.deepEqual(s, {
      file: join(dir, 'ansible.cfg'),
      inventory: [join(dir, 'inventory/hosts.ini'), join(dir, 'inventory/extra.yml')],
      forks: 12,
      remoteUser: 'netops',
      privateKeyFile: '/home/ops/.ssh/id_junos',
      hostKeyChecking: false,
      connectTimeoutS: 40,
      commandTimeoutS: 90,
      vaultPasswordFiles: [join(dir, '.vault-pass')],
      vaultIdentityList: [],
    });
  });

  it('ANSIBLE_* variables beat the file; ANSIBLE_CONFIG names the file or its directory', async () => {
    const dir = await project(CFG);
    const elsewhere = await mkdtemp(join(tmpdir(), 'runbook-ansible-cwd-'));
    const env = { HOME: '/home/ops', ANSIBLE_CONFIG: dir, ANSIBLE_FORKS: '3', ANSIBLE_HOST_KEY_CHECKING: 'yes', ANSIBLE_REMOTE_USER: 'other' };
    const s = await loadAnsibleSettings(env, elsewhere);
    assert.equal(s.file, join(dir, 'ansible.cfg'));
    assert.deepEqual([s.forks, s.hostKeyChecking, s.remoteUser], [3, true, 'other']);
    const viaFile = await loadAnsibleSettings({ HOME: '/home/ops', ANSIBLE_CONFIG: join(dir, 'ansible.cfg') }, elsewhere);
    assert.equal(viaFile.forks, 12);
  });

  it('without any ansible.cfg, nothing is set; [defaults] timeout is the connect timeout when [persistent_connection] has none', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'runbook-ansible-none-'));
    assert.deepEqual(await loadAnsibleSettings({ HOME: empty }, empty), { vaultPasswordFiles: [], vaultIdentityList: [] });
    const dir = await project('[defaults]\ntimeout = 15\n');
    assert.equal((await loadAnsibleSettings({ HOME: empty }, dir)).connectTimeoutS, 15);
  });

  it('ignores ./ansible.cfg in a world-writable working directory, as Ansible does', async () => {
    const dir = await project(CFG);
    await chmod(dir, 0o777);
    assert.equal((await loadAnsibleSettings({ HOME: join(dir, 'nohome') }, dir)).file, undefined);
  });

  it('a bad value is an error naming the file, line and setting', async () => {
    const dir = await project('[defaults]\n# comment\nforks = many\n');
    await assert.rejects(loadAnsibleSettings({ HOME: dir }, dir), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.equal(e.message, `${join(dir, 'ansible.cfg')}:3: [defaults] forks: must be a positive whole number, not 'many'`);
      return true;
    });
    await assert.rejects(loadAnsibleSettings({ HOME: dir, ANSIBLE_HOST_KEY_CHECKING: 'maybe' }, await mkdtemp(join(tmpdir(), 'x-'))), /ANSIBLE_HOST_KEY_CHECKING: must be True or False, not 'maybe'/);
    await mkdir(join(dir, 'sub'));
    await assert.rejects(loadAnsibleSettings({ HOME: dir, ANSIBLE_CONFIG: join(dir, 'nope.cfg') }, dir), /ANSIBLE_CONFIG names .*nope\.cfg, which does not exist/);
  });
});
