/**
 * A host's NETCONF connection settings from its inventory variables, Ansible's names
 * first so an Ansible inventory works unchanged:
 *   address    ansible_host (ansible_ssh_host), else the inventory name
 *   port       ansible_port (ansible_ssh_port), else 830
 *   user       ansible_user (ansible_ssh_user); required
 *   key        ansible_ssh_private_key_file (ansible_private_key_file), read here;
 *              its passphrase from the environment variable runbook_key_passphrase_env names
 *   password   from the environment variable runbook_password_env names, else from
 *              ansible_password (ansible_ssh_password, ansible_ssh_pass, ansible_pass):
 *              vault-encrypted, or "{{ lookup('env', 'VAR') }}", or "{{ var }}" naming a
 *              vault-encrypted variable; a literal password is refused
 *   agent      runbook_agent: true, or by default when no key or password is set and
 *              SSH_AUTH_SOCK is (runbook_agent: false turns that off)
 *   known_hosts  runbook_known_hosts, else the caller's default; runbook_accept_new_host_key
 *   timeouts   runbook_connect_timeout, runbook_rpc_timeout, runbook_rpc_deadline, in seconds
 *   limits     runbook_max_hello_bytes, runbook_max_reply_bytes, runbook_max_records,
 *              runbook_max_depth, runbook_max_text_bytes (transport/limits.ts)
 *   (runbook_host_deadline is the engine's, read where the engine's hosts are made)
 * Paths may start with ~; relative paths are relative to the working directory, as
 * they are for ssh and Ansible.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { LIMIT_SETTINGS, parseByteSize, type SessionLimits } from '../transport/limits.ts';
import { DEFAULT_NETCONF_PORT, type ConnectOptions, type SecretSources } from '../transport/options.ts';
import { CredentialError } from './errors.ts';
import { envLookupName, isSecretVar, PASSWORD_VARS, referencedVarName, secretValueProblem } from './password-vars.ts';
import { RouteError, sshRoute, type SshRoute } from './jump-settings.ts';
import { withRedactedForms } from './redacted-options.ts';
import type { InventoryHost } from './types.ts';
import { checkVar, numberOf } from './var-checks.ts';

export interface ConnectionDefaults {
  /** known_hosts for hosts without runbook_known_hosts (the CLI's --known-hosts). */
  readonly knownHostsFile: string;
  /** For hosts without runbook_accept_new_host_key (the CLI's --accept-new). */
  readonly acceptNew?: boolean;
  /** For hosts without ansible_user (ansible.cfg's remote_user). */
  readonly user?: string;
  /** For hosts without a key variable (ansible.cfg's private_key_file). */
  readonly privateKeyFile?: string;
  /** For hosts without runbook_ssh_config (the CLI's --ssh-config). */
  readonly sshConfigFile?: string;
  /** For hosts without runbook_connect_timeout / runbook_rpc_timeout (ansible.cfg's timeouts), in seconds. */
  readonly connectTimeoutS?: number;
  readonly rpcTimeoutS?: number;
  /** Reads key files; one keyFileCache() per run reads each file once for all its hosts. */
  readonly readKeyFile?: KeyFileReader;
}

/** Reads a private key file (injected to count reads). */
export type KeyFileReader = (file: string) => Promise<Buffer>;

/**
 * A reader that reads each key file once: every host naming the file gets the same
 * Buffer, which the transport then parses once (transport/client-key.ts) rather than
 * once per host. Made per run, so a key replaced between runs is read again.
 */
export function keyFileCache(read: KeyFileReader = (file) => readFile(file)): KeyFileReader {
  const files = new Map<string, Promise<Buffer>>();
  return (file) => {
    let buffer = files.get(file);
    if (!buffer) {
      files.set(file, (buffer = read(file)));
      // A file that could not be read is tried again next time, not remembered as failed.
      buffer.catch(() => files.delete(file));
    }
    return buffer;
  };
}

const LIMIT_VARS = Object.values(LIMIT_SETTINGS).map((s) => s.variable);

/** Every variable read here, checked again: hosts built in code have not been through the loader. */
const READ_VARS = [
  'ansible_host',
  'ansible_ssh_host',
  'ansible_port',
  'ansible_ssh_port',
  'ansible_user',
  'ansible_ssh_user',
  'ansible_ssh_private_key_file',
  'ansible_private_key_file',
  'runbook_key_passphrase_env',
  'runbook_password_env',
  'runbook_agent',
  'runbook_known_hosts',
  'runbook_ssh_config',
  'ansible_ssh_common_args',
  'runbook_accept_new_host_key',
  'runbook_connect_timeout',
  'runbook_rpc_timeout',
  'runbook_rpc_deadline',
  ...LIMIT_VARS,
  ...PASSWORD_VARS,
];

/**
 * Resolves how to reach and log in to a host. Reads the key file and the environment;
 * throws CredentialError naming the host and the variable. The result's string forms
 * (JSON, inspect, String) show no secret.
 */
export async function connectionFor(host: InventoryHost, env: NodeJS.ProcessEnv, defaults: ConnectionDefaults): Promise<ConnectOptions> {
  const vars = new HostVars(host);
  if (host.lab && vars.get('ansible_host') === undefined && vars.get('ansible_ssh_host') === undefined) {
    throw vars.error('lab_scenario', 'this is a lab host: the engine connects it to its in-process lab device');
  }
  for (const name of READ_VARS) {
    if (vars.isSecret(name) && isSecretVar(name)) continue;
    const problem = checkVar(name, vars.get(name));
    // A check quotes the value: a vault-decrypted one is described, never shown.
    if (problem) throw vars.error(name, vars.isSecret(name) ? `${name}: the value decrypted from Ansible Vault is not a valid ${name} (not shown)` : problem);
  }

  const readKey = defaults.readKeyFile ?? ((file: string) => readFile(file));
  const key = await privateKey(vars, env, defaults.privateKeyFile, readKey);
  const route = await routeFor(vars, env, defaults, vars.string('ansible_user') ?? vars.string('ansible_ssh_user') ?? defaults.user, key);
  const username = vars.string('ansible_user') ?? vars.string('ansible_ssh_user') ?? defaults.user ?? route.user;
  if (username === undefined) throw vars.error('ansible_user', 'no user to log in as: set ansible_user (or remote_user in ansible.cfg)');
  const connectTimeout = numberOf(vars.get('runbook_connect_timeout')) ?? defaults.connectTimeoutS;
  const rpcTimeout = numberOf(vars.get('runbook_rpc_timeout')) ?? defaults.rpcTimeoutS;
  const rpcDeadline = numberOf(vars.get('runbook_rpc_deadline'));
  const acceptNew = (vars.get('runbook_accept_new_host_key') as boolean | undefined) ?? defaults.acceptNew;

  const routeKey = key === undefined && route.identityFile !== undefined ? await readKeyFile(vars, undefined, route.identityFile, readKey) : undefined;
  const password = passwordFrom(vars, env);
  const agent = agentFrom(vars, env, key === undefined && routeKey === undefined && password === undefined);
  if (key === undefined && routeKey === undefined && password === undefined && agent === undefined) {
    throw vars.error(
      undefined,
      'no credentials: set runbook_password_env (or ansible_password: "{{ lookup(\'env\', \'VAR\') }}"), ' +
        'ansible_ssh_private_key_file, or runbook_agent: true with an ssh-agent running',
    );
  }

  const sources: SecretSources = {
    ...(password?.env !== undefined ? { password: { env: password.env } } : {}),
    ...(key ? { privateKey: { file: key.file } } : routeKey ? { privateKey: { file: route.identityFile! } } : {}),
    ...(key?.passphraseEnv !== undefined ? { passphrase: { env: key.passphraseEnv } } : {}),
    // Each hop's key by the file it was read from, so a job run elsewhere names it rather than carries it.
    ...(route.jumpKeyFiles ? { jumps: route.jumpKeyFiles.map((file) => (file !== undefined ? { privateKey: { file } } : {})) } : {}),
  };
  // Not enumerable: the settings read as before; a host job reads it to name the secret instead of holding it.
  return Object.defineProperty(withRedactedForms({
    name: host.name,
    address: vars.string('ansible_host') ?? vars.string('ansible_ssh_host') ?? route.hostName ?? host.name,
    port: numberOf(vars.get('ansible_port') ?? vars.get('ansible_ssh_port')) ?? DEFAULT_NETCONF_PORT,
    username,
    knownHostsFile: expandPath(vars.string('runbook_known_hosts') ?? defaults.knownHostsFile, env),
    ...(acceptNew ? { acceptNewHostKey: true } : {}),
    ...(connectTimeout !== undefined ? { connectTimeoutMs: connectTimeout * 1000 } : {}),
    ...(rpcTimeout !== undefined ? { rpcTimeoutMs: rpcTimeout * 1000 } : {}),
    ...(rpcDeadline !== undefined ? { rpcDeadlineMs: rpcDeadline * 1000 } : {}),
    ...limitsFrom(vars),
    ...(key ? { privateKey: key.privateKey, ...(key.passphrase !== undefined ? { passphrase: key.passphrase } : {}) } : {}),
    ...(routeKey ? { privateKey: routeKey } : {}),
    ...(password !== undefined ? { password: password.value } : {}),
    ...(agent !== undefined ? { agent } : {}),
    ...(route.jumps ? { jumps: route.jumps } : {}),
    ...(route.proxyCommand !== undefined ? { proxyCommand: route.proxyCommand } : {}),
  }), 'secretSources', { value: sources });
}

/** The bounds the host's variables set (checked above: sizes may carry a unit). */
function limitsFrom(vars: HostVars): SessionLimits {
  const out: Record<string, number> = {};
  for (const [key, { variable }] of Object.entries(LIMIT_SETTINGS)) {
    const n = parseByteSize(vars.get(variable));
    if (n !== undefined) out[key] = n;
  }
  return out as SessionLimits;
}

/** `~` and `~/...` from HOME; everything else made absolute from the working directory. */
export function expandPath(path: string, env: NodeJS.ProcessEnv): string {
  const home = env.HOME ?? homedir();
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return resolve(path);
}

/** A host's variables with null read as unset, and errors located where a variable was set. */
class HostVars {
  constructor(private readonly host: InventoryHost) {}

  get hostName(): string {
    return this.host.name;
  }

  get(name: string): unknown {
    const v = this.host.vars[name];
    return v === null ? undefined : v;
  }

  /** Whether the value was decrypted from Ansible Vault. */
  isSecret(name: string): boolean {
    return this.host.secretVars?.includes(name) ?? false;
  }

  string(name: string): string | undefined {
    const v = this.get(name);
    return v === undefined ? undefined : String(v);
  }

  error(variable: string | undefined, message: string, cause?: unknown): CredentialError {
    const at = variable ? this.host.varsAt[variable] : undefined;
    return new CredentialError(this.host.name, variable, message, at, cause === undefined ? undefined : { cause });
  }
}

function fromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** Jump hosts and ProxyCommand from ansible_ssh_common_args and the ssh config (see jump-settings.ts). */
async function routeFor(vars: HostVars, env: NodeJS.ProcessEnv, defaults: ConnectionDefaults, username: string | undefined, key: { readonly privateKey: Buffer; readonly file: string } | undefined): Promise<SshRoute> {
  const netconfConfig = vars.get('ansible_netconf_ssh_config');
  const [configFile, from] =
    vars.string('runbook_ssh_config') !== undefined
      ? [vars.string('runbook_ssh_config'), 'runbook_ssh_config']
      : netconfConfig === true || (typeof netconfConfig === 'string' && /^(true|yes)$/i.test(netconfConfig))
        ? ['~/.ssh/config', 'ansible_netconf_ssh_config']
        : typeof netconfConfig === 'string' && !/^(false|no)$/i.test(netconfConfig)
          ? [netconfConfig, 'ansible_netconf_ssh_config']
          : [defaults.sshConfigFile, '--ssh-config'];
  try {
    return await sshRoute({
      host: vars.hostName,
      ...(vars.string('ansible_ssh_common_args') !== undefined ? { commonArgs: vars.string('ansible_ssh_common_args') } : {}),
      ...(configFile !== undefined ? { sshConfigFile: expandPath(configFile, env), sshConfigFrom: from } : {}),
      username,
      ...(key ? { privateKey: key.privateKey, privateKeyFile: key.file } : {}),
      ...(fromEnv(env, 'SSH_AUTH_SOCK') !== undefined ? { agent: fromEnv(env, 'SSH_AUTH_SOCK') } : {}),
      expand: (p) => expandPath(p, env),
    });
  } catch (err) {
    if (err instanceof RouteError) throw vars.error(err.variable.startsWith('-') ? undefined : err.variable, err.message, err);
    throw err;
  }
}

async function readKeyFile(vars: HostVars, keyVar: string | undefined, file: string, read: KeyFileReader): Promise<Buffer> {
  try {
    return await read(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw vars.error(keyVar, `IdentityFile (ssh config): the key file ${file} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(err)})`}`, err);
  }
}

async function privateKey(vars: HostVars, env: NodeJS.ProcessEnv, fallback: string | undefined, read: KeyFileReader): Promise<{ privateKey: Buffer; file: string; passphrase?: string; passphraseEnv?: string } | undefined> {
  const keyVar = ['ansible_ssh_private_key_file', 'ansible_private_key_file'].find((n) => vars.get(n) !== undefined);
  if (!keyVar && fallback === undefined) return undefined;
  const file = expandPath(keyVar ? vars.string(keyVar)! : fallback!, env);
  let privateKey: Buffer;
  try {
    privateKey = await read(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code ?? String(err)})`;
    throw vars.error(keyVar, `${keyVar ?? 'private_key_file (ansible.cfg)'}: the key file ${file} ${why}`, err);
  }
  const passphraseEnv = vars.string('runbook_key_passphrase_env');
  if (passphraseEnv === undefined) return { privateKey, file };
  const passphrase = fromEnv(env, passphraseEnv);
  if (passphrase === undefined) {
    throw vars.error(
      'runbook_key_passphrase_env',
      `runbook_key_passphrase_env names the environment variable ${passphraseEnv}, which is not set: export it with the passphrase of ${file}`,
    );
  }
  return { privateKey, file, passphrase, passphraseEnv };
}

/** The password, and the environment variable it came from (none for a vault-decrypted one). */
function passwordFrom(vars: HostVars, env: NodeJS.ProcessEnv): { value: string; env?: string } | undefined {
  const named = vars.string('runbook_password_env');
  if (named !== undefined) {
    const password = fromEnv(env, named);
    if (password === undefined) {
      throw vars.error('runbook_password_env', `runbook_password_env names the environment variable ${named}, which is not set: export ${named} with the password`);
    }
    return { value: password, env: named };
  }
  for (const name of PASSWORD_VARS) {
    const value = vars.get(name);
    if (value === undefined) continue;
    if (vars.isSecret(name)) return { value: String(value) };
    const referenced = referencedVarName(value);
    if (referenced !== undefined) return { value: vaultedReference(vars, name, referenced) };
    const problem = secretValueProblem(name, value);
    if (problem) throw vars.error(name, problem);
    const envName = envLookupName(value)!;
    const password = fromEnv(env, envName);
    if (password === undefined) {
      throw vars.error(name, `${name} reads the environment variable ${envName} (lookup('env', '${envName}')), which is not set: export ${envName} with the password`);
    }
    return { value: password, env: envName };
  }
  return undefined;
}

/** `ansible_password: "{{ vault_password }}"`: the named variable must hold a vault-decrypted value. */
function vaultedReference(vars: HostVars, name: string, referenced: string): string {
  const value = vars.get(referenced);
  if (value === undefined) throw vars.error(name, `${name} refers to the variable ${referenced}, which this host does not have`);
  if (!vars.isSecret(referenced)) {
    throw vars.error(name, `${name} refers to ${referenced}, which is not vault-encrypted, and runbook never reads passwords from plain files: encrypt it with ansible-vault`);
  }
  return String(value);
}

function agentFrom(vars: HostVars, env: NodeJS.ProcessEnv, noOtherCredential: boolean): string | undefined {
  const wanted = vars.get('runbook_agent');
  const socket = fromEnv(env, 'SSH_AUTH_SOCK');
  if (wanted === true) {
    if (socket === undefined) throw vars.error('runbook_agent', 'runbook_agent is true but SSH_AUTH_SOCK is not set: start an ssh-agent and add the key');
    return socket;
  }
  return wanted === undefined && noOtherCredential ? socket : undefined;
}
