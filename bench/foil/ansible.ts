import { execFile } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import type { ServedInventory } from '../lib/served-inventory.ts';

const run = promisify(execFile);

/** Ansible as installed here: where it runs its modules. */
export interface AnsibleFoil {
  readonly version: string;
  /** The Python ansible-playbook runs on; modules of the netconf connection run on it too. */
  readonly python: string;
}

/**
 * Whether the foil can run: Debian's `ansible` with the junipernetworks.junos and
 * ansible.netcommon collections, and ncclient for the netconf connection. Nothing is
 * downloaded: the reason says which Debian package is missing.
 */
export async function findAnsible(env: NodeJS.ProcessEnv): Promise<AnsibleFoil | { readonly missing: string }> {
  let versionText: string;
  try {
    versionText = (await run('ansible-playbook', ['--version'], { env })).stdout;
  } catch {
    return { missing: 'ansible-playbook is not installed (Debian package ansible)' };
  }
  const version = /ansible-playbook \[core ([^\]]+)\]/.exec(versionText)?.[1] ?? versionText.split('\n')[0]!.trim();
  const python = /python version = .*\((\/[^)]+)\)/.exec(versionText)?.[1] ?? 'python3';
  const collections = await run('ansible-galaxy', ['collection', 'list'], { env }).then((r) => r.stdout, () => '');
  for (const c of ['junipernetworks.junos', 'ansible.netcommon']) {
    if (!new RegExp(`^${c.replace('.', '\\.')}\\s`, 'm').test(collections)) return { missing: `the Ansible collection ${c} is not installed (Debian package ansible)` };
  }
  try {
    await run(python, ['-c', 'import ncclient'], { env });
  } catch {
    return { missing: `ncclient is not importable by ${python} (Debian package python3-ncclient)` };
  }
  return { version, python };
}

/**
 * A private Ansible home under `dir`: no ansible.cfg, no user config, the lab's host keys
 * as ~/.ssh/known_hosts (ncclient checks host keys there; checking stays on).
 */
export async function ansibleHome(dir: string, lab: ServedInventory): Promise<NodeJS.ProcessEnv> {
  const home = join(dir, 'home');
  await mkdir(join(home, '.ssh'), { recursive: true });
  await mkdir(join(home, 'tmp'), { recursive: true });
  await copyFile(lab.knownHostsFile, join(home, '.ssh', 'known_hosts'));
  return {
    PATH: process.env.PATH,
    HOME: home,
    LANG: 'C.UTF-8',
    ANSIBLE_LOCAL_TEMP: join(home, 'tmp'),
    ANSIBLE_PERSISTENT_CONTROL_PATH_DIR: join(home, 'pc'),
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_RETRY_FILES_ENABLED: 'false',
    // A busy device's reply takes longer than the 30 s default to arrive and be read.
    ANSIBLE_PERSISTENT_COMMAND_TIMEOUT: '1800',
    ANSIBLE_PERSISTENT_CONNECT_TIMEOUT: '300',
  };
}

/**
 * The Ansible side of the comparison: every lab device reached through
 * `ansible.netcommon.netconf`, and one `junos_rpc` task that collects what the first step
 * of playbooks/ah-cleanup.yml collects (get-flow-session-information, protocol ah).
 */
export async function writeAnsibleProject(dir: string, lab: ServedInventory, python: string): Promise<{ inventory: string; playbook: string }> {
  const inventory = join(dir, 'ansible-inventory.yml');
  const playbook = join(dir, 'collect-ah.yml');
  const vars = {
    ansible_connection: 'ansible.netcommon.netconf',
    ansible_network_os: 'junipernetworks.junos.junos',
    ansible_user: lab.user,
    ansible_ssh_private_key_file: lab.clientKeyFile,
    ansible_python_interpreter: python,
  };
  const hosts = Object.fromEntries(lab.hosts.map((h) => [h.name, { ansible_host: h.address, ansible_port: h.port }]));
  await writeFile(inventory, stringify({ all: { vars, hosts } }));
  await writeFile(
    playbook,
    stringify([
      {
        name: 'Collect AH sessions (the first step of playbooks/ah-cleanup.yml)',
        hosts: 'all',
        gather_facts: false,
        tasks: [{ name: 'get-flow-session-information protocol ah', 'junipernetworks.junos.junos_rpc': { rpc: 'get-flow-session-information', args: { protocol: 'ah' } }, register: 'ah' }],
      },
    ]),
  );
  return { inventory, playbook };
}
