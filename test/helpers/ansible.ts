/**
 * Ansible (Debian package `ansible`) as the referee for inventories: runs the real
 * `ansible-inventory` and `ansible-vault` in a private HOME under the OS temp dir, so
 * nothing is read from or written to the user's ~/.ansible or the checkout.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Inventory } from '../../src/inventory/types.ts';

const run = promisify(execFile);

/** Why Ansible cannot referee here, or undefined when it can. */
export async function ansibleUnavailable(): Promise<string | undefined> {
  try {
    await run('ansible-inventory', ['--version'], { env: await ansibleEnv() });
    return undefined;
  } catch {
    return 'ansible-inventory is not installed (Debian package ansible; .ci/run installs it)';
  }
}

let home: string | undefined;

/** A minimal environment: no ansible.cfg, no user config, temp files under the OS temp dir. */
export async function ansibleEnv(extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  home ??= await mkdtemp(join(tmpdir(), 'runbook-ansible-home-'));
  return {
    PATH: process.env.PATH,
    HOME: home,
    LANG: 'C.UTF-8',
    ANSIBLE_LOCAL_TEMP: join(home, 'tmp'),
    ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true',
    ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED: 'true',
    ANSIBLE_NOCOLOR: '1',
    ...extra,
  };
}

export interface AnsibleList {
  readonly _meta: { readonly hostvars: Record<string, Record<string, unknown>> };
  readonly [group: string]: unknown;
}

/** What `ansible-inventory --list` prints for these sources. */
export async function ansibleInventoryList(sources: readonly string[], extraArgs: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<AnsibleList> {
  const args = [...sources.flatMap((s) => ['-i', s]), '--list', ...extraArgs];
  const { stdout } = await run('ansible-inventory', args, { env: await ansibleEnv(env), cwd: home, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as AnsibleList;
}

/** What `ansible-inventory ARGS` prints, as text. */
export async function ansibleInventoryText(sources: readonly string[], args: readonly string[]): Promise<string> {
  const { stdout } = await run('ansible-inventory', [...sources.flatMap((s) => ['-i', s]), ...args], { env: await ansibleEnv(), cwd: home, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Decrypts a vault text with the real `ansible-vault decrypt`, reading it from stdin. */
export async function ansibleVaultDecrypt(text: string, args: readonly string[]): Promise<string> {
  const child = spawn('ansible-vault', ['decrypt', ...args, '--output', '-'], { env: await ansibleEnv(), cwd: home!, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end(text);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(child, 'close')) as [number];
  if (code !== 0) throw new Error(`ansible-vault decrypt exited ${code}`);
  return out;
}

/** Replaces each `{"__ansible_vault": ...}` value ansible-inventory prints (inline vault) by its plaintext. */
export async function decryptInlineVault(list: AnsibleList, args: readonly string[]): Promise<AnsibleList> {
  for (const vars of Object.values(list._meta.hostvars)) {
    for (const [k, v] of Object.entries(vars)) {
      const ct = (v as { __ansible_vault?: unknown } | null)?.__ansible_vault;
      if (typeof ct === 'string') vars[k] = await ansibleVaultDecrypt(ct, args);
    }
  }
  return list;
}

/** Hosts and groups in one comparable shape: each host's vars, each non-empty group's hosts (with descendants') and children. */
export interface Resolved {
  readonly hostvars: Record<string, Record<string, unknown>>;
  readonly groups: Record<string, { hosts: string[]; children: string[] }>;
}

export function resolvedFromAnsible(list: AnsibleList): Resolved {
  const direct = new Map<string, { hosts: string[]; children: string[] }>();
  for (const [name, g] of Object.entries(list)) {
    if (name === '_meta') continue;
    const group = g as { hosts?: string[]; children?: string[] };
    direct.set(name, { hosts: group.hosts ?? [], children: group.children ?? [] });
  }
  const hostsOf = (name: string): string[] => {
    const g = direct.get(name);
    return g ? [...g.hosts, ...g.children.flatMap(hostsOf)] : [];
  };
  const allHosts = hostsOf('all');
  const hostvars: Record<string, Record<string, unknown>> = {};
  for (const h of new Set(allHosts)) hostvars[h] = list._meta.hostvars[h] ?? {};
  const groups: Resolved['groups'] = {};
  for (const [name, g] of direct) {
    const hosts = [...new Set(hostsOf(name))].sort();
    if (hosts.length > 0) groups[name] = { hosts, children: g.children.filter((c) => hostsOf(c).length > 0).sort() };
  }
  return { hostvars, groups };
}

export function resolvedFromRunbook(inv: Inventory): Resolved {
  const hostvars: Record<string, Record<string, unknown>> = {};
  for (const h of inv.hosts) hostvars[h.name] = JSON.parse(JSON.stringify(h.vars)) as Record<string, unknown>;
  const groups: Resolved['groups'] = {};
  for (const [name, hosts] of inv.groups) {
    if (hosts.length === 0) continue;
    // Ansible lists only the children that have hosts.
    const children = (inv.children.get(name) ?? []).filter((c) => (inv.groups.get(c) ?? []).length > 0);
    groups[name] = { hosts: [...new Set(hosts)].sort(), children: children.sort() };
  }
  return { hostvars, groups };
}
