/**
 * The settings runbook shares with Ansible, from ansible.cfg and ANSIBLE_* variables, in
 * Ansible's precedence (command line > environment > ansible.cfg > default):
 *
 *   [defaults] inventory         ANSIBLE_INVENTORY           -i when none is given
 *   [defaults] forks             ANSIBLE_FORKS               --forks when not given
 *   [defaults] remote_user       ANSIBLE_REMOTE_USER         user for hosts without ansible_user
 *   [defaults] private_key_file  ANSIBLE_PRIVATE_KEY_FILE    key for hosts without ansible_ssh_private_key_file
 *   [defaults] host_key_checking ANSIBLE_HOST_KEY_CHECKING   False: unknown host keys accepted (a changed one never), with a warning
 *   [defaults] timeout           ANSIBLE_TIMEOUT             connect timeout (s)
 *   [persistent_connection] connect_timeout  ANSIBLE_PERSISTENT_CONNECT_TIMEOUT  connect timeout (s), over `timeout`
 *   [persistent_connection] command_timeout  ANSIBLE_PERSISTENT_COMMAND_TIMEOUT  RPC timeout (s)
 *   [defaults] vault_password_file / vault_identity_list, and their ANSIBLE_VAULT_* variables
 *
 * The file is the first of ANSIBLE_CONFIG, ./ansible.cfg (unless the working directory is
 * world-writable), ~/.ansible.cfg, as Ansible looks (not /etc/ansible/ansible.cfg: a system-wide file should not silently redirect a
 * runbook that acts on firewalls). Paths in the file are relative to the file's directory.
 */
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'ini';
import { UsageError } from './errors.ts';

export interface AnsibleSettings {
  /** The ansible.cfg read, if any. */
  readonly file?: string;
  readonly inventory?: readonly string[];
  readonly forks?: number;
  readonly remoteUser?: string;
  readonly privateKeyFile?: string;
  /** false when host key checking is turned off. */
  readonly hostKeyChecking?: boolean;
  readonly connectTimeoutS?: number;
  readonly commandTimeoutS?: number;
  readonly vaultPasswordFiles: readonly string[];
  readonly vaultIdentityList: readonly string[];
}

type Kind = 'paths' | 'path' | 'int' | 'bool' | 'string' | 'list';

interface Setting {
  readonly section: string;
  readonly key: string;
  readonly env: string;
  readonly kind: Kind;
}

const SETTINGS = {
  inventory: { section: 'defaults', key: 'inventory', env: 'ANSIBLE_INVENTORY', kind: 'paths' },
  forks: { section: 'defaults', key: 'forks', env: 'ANSIBLE_FORKS', kind: 'int' },
  remoteUser: { section: 'defaults', key: 'remote_user', env: 'ANSIBLE_REMOTE_USER', kind: 'string' },
  privateKeyFile: { section: 'defaults', key: 'private_key_file', env: 'ANSIBLE_PRIVATE_KEY_FILE', kind: 'path' },
  hostKeyChecking: { section: 'defaults', key: 'host_key_checking', env: 'ANSIBLE_HOST_KEY_CHECKING', kind: 'bool' },
  timeout: { section: 'defaults', key: 'timeout', env: 'ANSIBLE_TIMEOUT', kind: 'int' },
  connectTimeout: { section: 'persistent_connection', key: 'connect_timeout', env: 'ANSIBLE_PERSISTENT_CONNECT_TIMEOUT', kind: 'int' },
  commandTimeout: { section: 'persistent_connection', key: 'command_timeout', env: 'ANSIBLE_PERSISTENT_COMMAND_TIMEOUT', kind: 'int' },
  vaultPasswordFile: { section: 'defaults', key: 'vault_password_file', env: 'ANSIBLE_VAULT_PASSWORD_FILE', kind: 'path' },
  vaultIdentityList: { section: 'defaults', key: 'vault_identity_list', env: 'ANSIBLE_VAULT_IDENTITY_LIST', kind: 'list' },
} as const satisfies Record<string, Setting>;

/** Ansible's boolean spellings. */
const TRUE = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE = new Set(['n', 'no', 'off', '0', 'false', 'f']);

export async function loadAnsibleSettings(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): Promise<AnsibleSettings> {
  const file = await configFile(env, cwd);
  const text = file ? await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`${file}: cannot read (${err.code ?? String(err)})`);
  }) : '';
  const parsed = parse(text) as Record<string, Record<string, unknown> | unknown>;
  const reader = new SettingReader(file, text, parsed, env);
  const timeout = reader.int(SETTINGS.connectTimeout) ?? reader.int(SETTINGS.timeout);
  const vaultFile = reader.path(SETTINGS.vaultPasswordFile);
  const out: AnsibleSettings = {
    ...(file ? { file } : {}),
    ...optional('inventory', reader.paths(SETTINGS.inventory)),
    ...optional('forks', reader.int(SETTINGS.forks)),
    ...optional('remoteUser', reader.string(SETTINGS.remoteUser)),
    ...optional('privateKeyFile', reader.path(SETTINGS.privateKeyFile)),
    ...optional('hostKeyChecking', reader.bool(SETTINGS.hostKeyChecking)),
    ...optional('connectTimeoutS', timeout),
    ...optional('commandTimeoutS', reader.int(SETTINGS.commandTimeout)),
    vaultPasswordFiles: vaultFile ? [vaultFile] : [],
    vaultIdentityList: reader.list(SETTINGS.vaultIdentityList) ?? [],
  };
  return out;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [k in K]?: V };
}

async function configFile(env: NodeJS.ProcessEnv, cwd: string): Promise<string | undefined> {
  if (env.ANSIBLE_CONFIG) {
    const given = resolve(cwd, env.ANSIBLE_CONFIG);
    const s = await stat(given).catch(() => undefined);
    // Like Ansible, ANSIBLE_CONFIG may name a directory holding ansible.cfg.
    if (s?.isDirectory()) return join(given, 'ansible.cfg');
    if (!s) throw new UsageError(`ANSIBLE_CONFIG names ${given}, which does not exist`);
    return given;
  }
  // Like Ansible, never from a world-writable working directory: anyone could have put it there.
  const cwdWritable = (((await stat(cwd).catch(() => undefined))?.mode ?? 0) & 0o002) !== 0;
  const candidates = [...(cwdWritable ? [] : [join(cwd, 'ansible.cfg')]), join(env.HOME ?? homedir(), '.ansible.cfg')];
  for (const candidate of candidates) {
    if ((await stat(candidate).catch(() => undefined))?.isFile()) return candidate;
  }
  return undefined;
}

class SettingReader {
  constructor(
    private readonly file: string | undefined,
    private readonly text: string,
    private readonly parsed: Record<string, unknown>,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** The raw value and where it came from: the environment first, then the file. */
  private raw(s: Setting): { value: string; where: string; base: string } | undefined {
    const fromEnv = this.env[s.env];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, where: s.env, base: process.cwd() };
    const section = this.parsed[s.section] as Record<string, unknown> | undefined;
    const v = section?.[s.key];
    if (v === undefined || v === null || !this.file) return undefined;
    // Ansible's configparser strips a trailing `; comment`; the ini package keeps only text before it.
    const value = String(v).trim();
    return { value, where: `${this.file}:${this.lineOf(s)}: [${s.section}] ${s.key}`, base: dirname(this.file) };
  }

  private lineOf(s: Setting): number {
    const lines = this.text.split(/\r?\n/);
    let section = '';
    for (let i = 0; i < lines.length; i++) {
      const header = /^\s*\[([^\]]+)\]/.exec(lines[i]!);
      if (header) section = header[1]!.trim();
      else if (section === s.section && new RegExp(`^\\s*${s.key}\\s*[=:]`).test(lines[i]!)) return i + 1;
    }
    return 1;
  }

  string(s: Setting): string | undefined {
    const r = this.raw(s);
    return r && r.value !== '' ? r.value : undefined;
  }

  int(s: Setting): number | undefined {
    const r = this.raw(s);
    if (!r) return undefined;
    if (!/^\d+$/.test(r.value) || Number(r.value) < 1) throw new UsageError(`${r.where}: must be a positive whole number, not '${r.value}'`);
    return Number(r.value);
  }

  bool(s: Setting): boolean | undefined {
    const r = this.raw(s);
    if (!r) return undefined;
    const v = r.value.toLowerCase();
    if (TRUE.has(v)) return true;
    if (FALSE.has(v)) return false;
    throw new UsageError(`${r.where}: must be True or False, not '${r.value}'`);
  }

  path(s: Setting): string | undefined {
    const r = this.raw(s);
    return r && r.value !== '' ? expand(r.value, r.base, this.env) : undefined;
  }

  /** Comma-separated paths (Ansible's `pathlist`); each relative to the file that names it. */
  paths(s: Setting): string[] | undefined {
    const r = this.raw(s);
    if (!r) return undefined;
    const items = r.value.split(',').map((p) => p.trim()).filter((p) => p !== '');
    return items.length > 0 ? items.map((p) => expand(p, r.base, this.env)) : undefined;
  }

  list(s: Setting): string[] | undefined {
    const r = this.raw(s);
    return r ? r.value.split(',').map((p) => p.trim()).filter((p) => p !== '') : undefined;
  }
}

function expand(path: string, base: string, env: NodeJS.ProcessEnv): string {
  const home = env.HOME ?? homedir();
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return isAbsolute(path) ? path : resolve(base, path);
}
