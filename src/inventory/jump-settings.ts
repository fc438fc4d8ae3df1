/**
 * How a host is reached when not directly, read the way Ansible's users write it:
 *   - `ansible_ssh_common_args: -o ProxyJump=bastion` (or `-J bastion`, `-o ProxyCommand=...`);
 *   - an OpenSSH client config, parsed with the npm `ssh-config` package: the file
 *     `runbook_ssh_config` or `ansible_netconf_ssh_config` names (`True` meaning
 *     ~/.ssh/config, as in Ansible), else --ssh-config. ~/.ssh/config is read only when asked.
 * From the config, for the device: ProxyJump, ProxyCommand, HostName (when no
 * ansible_host), User (when no ansible_user), IdentityFile (when no key variable); the
 * NETCONF port stays ansible_port's. For each jump host: HostName, Port, User, IdentityFile.
 * The command line's options win over the config file, as with ssh.
 */
import { readFile } from 'node:fs/promises';
import SSHConfig from 'ssh-config';
import type { JumpHost } from '../transport/options.ts';
import { shellWords } from './ini-document.ts';

export interface SshRoute {
  /** The device's address from the config's HostName, when the inventory sets none. */
  readonly hostName?: string;
  readonly user?: string;
  readonly identityFile?: string;
  readonly jumps?: readonly JumpHost[];
  /** The file each hop's key was read from (its IdentityFile, or the device's key file), undefined for a hop without one. */
  readonly jumpKeyFiles?: readonly (string | undefined)[];
  readonly proxyCommand?: string;
}

/** A problem with the route, naming the variable or file involved. */
export class RouteError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

export interface RouteInput {
  readonly host: string;
  readonly commonArgs?: string;
  readonly sshConfigFile?: string;
  /** Which variable or option named the config file, for errors. */
  readonly sshConfigFrom?: string;
  /** For jump hosts without their own User / IdentityFile (else the device's User from the config). */
  readonly username: string | undefined;
  readonly privateKey?: Buffer;
  /** The file `privateKey` was read from. */
  readonly privateKeyFile?: string;
  readonly agent?: string;
  readonly expand: (path: string) => string;
}

type Computed = Record<string, string | string[]>;

export async function sshRoute(input: RouteInput): Promise<SshRoute> {
  const config = input.sshConfigFile ? await parseConfig(input.sshConfigFile, input.sshConfigFrom ?? 'ssh config') : undefined;
  const own: Computed = config ? config.compute(input.host) : {};
  const args = input.commonArgs !== undefined ? optionsFromArgs(input.commonArgs) : {};
  const proxyJump = args.ProxyJump ?? first(own.ProxyJump);
  const proxyCommand = args.ProxyCommand ?? first(own.ProxyCommand);
  const route: { -readonly [K in keyof SshRoute]: SshRoute[K] } = {};
  const hostName = first(own.HostName);
  if (hostName !== undefined) route.hostName = hostName.replace(/%h/g, input.host);
  if (first(own.User) !== undefined) route.user = first(own.User)!;
  if (first(own.IdentityFile) !== undefined) route.identityFile = input.expand(first(own.IdentityFile)!);
  if (proxyCommand !== undefined && proxyCommand.toLowerCase() !== 'none') {
    route.proxyCommand = proxyCommand;
  } else if (proxyJump !== undefined && proxyJump.toLowerCase() !== 'none') {
    const user = input.username ?? route.user ?? '';
    const hops = await Promise.all(proxyJump.split(',').map((spec) => jumpHost(spec.trim(), config, { ...input, username: user })));
    route.jumps = hops.map((h) => h.hop);
    route.jumpKeyFiles = hops.map((h) => h.keyFile);
  }
  return route;
}

async function parseConfig(file: string, from: string): Promise<SSHConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new RouteError(from, `${from}: the ssh config ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    return SSHConfig.parse(text);
  } catch (err) {
    throw new RouteError(from, `${from}: the ssh config ${file} cannot be parsed: ${(err as Error).message}`);
  }
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** `-o ProxyJump=X`, `-oProxyJump=X`, `-o ProxyJump X`, `-J X`, `-o ProxyCommand=...` from ssh's command line. */
function optionsFromArgs(text: string): { ProxyJump?: string; ProxyCommand?: string } {
  const split = shellWords(text);
  if ('error' in split) throw new RouteError('ansible_ssh_common_args', `ansible_ssh_common_args: ${split.error}`);
  const words = split.words;
  const out: { ProxyJump?: string; ProxyCommand?: string } = {};
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    let option: string | undefined;
    if (w === '-J') out.ProxyJump ??= words[++i];
    else if (w.startsWith('-J')) out.ProxyJump ??= w.slice(2);
    else if (w === '-o') option = words[++i];
    else if (w.startsWith('-o')) option = w.slice(2);
    if (option === undefined) continue;
    const m = /^\s*(\w+)\s*(?:=\s*|\s+)(.*)$/s.exec(option);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    // ssh uses the first value given for an option.
    if (key === 'proxyjump') out.ProxyJump ??= m[2]!;
    else if (key === 'proxycommand') out.ProxyCommand ??= m[2]!;
  }
  return out;
}

/** `[user@]host[:port]`, then the config's settings for that host name. */
async function jumpHost(spec: string, config: SSHConfig | undefined, input: RouteInput): Promise<{ hop: JumpHost; keyFile: string | undefined }> {
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(spec);
  if (!m) throw new RouteError('ansible_ssh_common_args', `ProxyJump '${spec}' is not [user@]host[:port]`);
  const alias = m[2]!.replace(/^\[|\]$/g, '');
  const c: Computed = config ? config.compute(alias) : {};
  const port = Number(m[3] ?? first(c.Port) ?? 22);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RouteError('ansible_ssh_common_args', `ProxyJump '${spec}': port ${port} is not a port`);
  const identity = first(c.IdentityFile);
  let privateKey = input.privateKey;
  let keyFile = input.privateKey ? input.privateKeyFile : undefined;
  if (identity !== undefined) {
    const file = input.expand(identity);
    keyFile = file;
    try {
      privateKey = await readFile(file);
    } catch (err) {
      throw new RouteError(input.sshConfigFrom ?? 'ssh config', `jump host ${alias}: IdentityFile ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }
  const hop: JumpHost = {
    address: first(c.HostName)?.replace(/%h/g, alias) ?? alias,
    port,
    username: m[1] ?? first(c.User) ?? input.username,
    ...(privateKey ? { privateKey } : {}),
    ...(input.agent ? { agent: input.agent } : {}),
  };
  return { hop, keyFile: privateKey ? keyFile : undefined };
}
