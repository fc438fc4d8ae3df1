import { fileURLToPath } from 'node:url';
import { connectionFor, keyFileCache, type ConnectionDefaults, type KeyFileReader } from '../inventory/connection.ts';
import { loadAnsibleSettings, type AnsibleSettings } from './ansible-config.ts';
import { vaultKeyring, type VaultOptions } from './vault-passwords.ts';
import { formatIssue, formatSpan } from '../inventory/errors.ts';
import type { VaultKeyring } from '../inventory/vault.ts';
import { UsageError } from './errors.ts';
import { resolveSelection } from '../inventory/limit.ts';
import { loadInventory } from '../inventory/load.ts';
import type { Inventory, InventoryHost } from '../inventory/types.ts';
import type { ExtraVar } from '../playbook/vars.ts';
import { parseExtraVars, resolveVars } from '../playbook/vars.ts';
import type { Playbook } from '../playbook/types.ts';
import { DEFAULT_HOST_DEADLINE_MS } from '../engine/host-deadline.ts';
import { numberOf } from '../inventory/var-checks.ts';
import { LIMIT_SETTINGS, type SessionLimits } from '../transport/limits.ts';
import type { ConnectOptions } from '../transport/options.ts';
import { asUsageError } from './input-errors.ts';
import { checkLabHosts } from './lab-wiring.ts';

/** The built-in lab inventory, found relative to runbook itself so it works from any directory. */
export const DEFAULT_INVENTORY = fileURLToPath(new URL('../../inventory/lab.yml', import.meta.url));

/** What apply and plan share on the command line about which hosts and how to reach them. */
export interface TargetOptions {
  readonly inventoryFiles: readonly string[];
  readonly limit?: string;
  readonly extraVars: readonly string[];
  readonly knownHosts: string;
  readonly acceptNew?: boolean;
  /** Vault passwords for the inventory's encrypted files and values. */
  readonly vault?: VaultKeyring;
  /** ansible.cfg and ANSIBLE_* settings: defaults under the inventory's own variables. */
  readonly ansible?: AnsibleSettings;
  /** --ssh-config. */
  readonly sshConfig?: string;
}

/**
 * The inventory sources: -i, else (for a reviewed plan) the plan's, else ansible.cfg's
 * `inventory` / ANSIBLE_INVENTORY, else the built-in lab.
 */
export function inventorySources(given: readonly string[], settings: AnsibleSettings, fromPlan?: readonly string[]): readonly string[] {
  if (given.length > 0) return given;
  return fromPlan ?? settings.inventory ?? [DEFAULT_INVENTORY];
}

/** Reads ansible.cfg / ANSIBLE_* and the vault passwords; warns when host key checking is off. */
export async function ansibleContext(opts: VaultOptions): Promise<{ settings: AnsibleSettings; vault: VaultKeyring }> {
  const settings = await loadAnsibleSettings(process.env);
  if (settings.hostKeyChecking === false) {
    // Said on every run: a project's ansible.cfg turned it off, maybe long ago, for another tool.
    process.stderr.write(
      `warning: host_key_checking is False (${process.env.ANSIBLE_HOST_KEY_CHECKING !== undefined ? 'ANSIBLE_HOST_KEY_CHECKING' : settings.file}): unknown host keys are accepted and recorded, as with --accept-new; a changed host key is still refused\n`,
    );
  }
  return { settings, vault: await vaultKeyring(opts, process.env, settings) };
}

export interface Targets {
  readonly inventory: Inventory;
  readonly extra: readonly ExtraVar[];
  readonly hosts: readonly { readonly host: InventoryHost; readonly vars: Record<string, string | number | boolean> }[];
  readonly connections: Map<string, ConnectOptions>;
  /** The run's key file reader: each file read once, by the checks here and by the connections later. */
  readonly readKeyFile: KeyFileReader;
}

/**
 * Everything that can be wrong with the input is found here, before any connection:
 * vars, inventory, host patterns and credentials. Errors become UsageErrors (exit 2).
 */
export async function resolveTargets(playbook: Playbook, opts: TargetOptions): Promise<Targets> {
  return asUsageError(async () => {
    const extra = await parseExtraVars([...opts.extraVars]);
    const inventory = await loadInventory([...opts.inventoryFiles], opts.vault ? { vault: opts.vault } : {});
    checkLabHosts(inventory);
    const { hosts, warnings } = resolveSelection(inventory, playbook.hosts, opts.limit);
    for (const w of inventory.warnings) process.stderr.write(`warning: ${formatIssue(w)}\n`);
    for (const w of warnings) process.stderr.write(`warning: ${w.message}\n`);
    for (const h of hosts) refuseVaultedPlaybookVars(playbook, h);
    const resolved = hosts.map((h) => ({ host: h, vars: resolveVars(playbook, { inventory: h.vars, inventoryAt: `${h.at.file}:${h.at.line}`, extra }) }));
    const connections = new Map<string, ConnectOptions>();
    // Made once for the run: a key file shared by a thousand hosts is read (and parsed) once.
    const defaults = connectionDefaults(opts);
    for (const h of hosts) {
      if (!h.lab) connections.set(h.name, await connectionFor(h, process.env, defaults));
    }
    return { inventory, extra, hosts: resolved, connections, readKeyFile: defaults.readKeyFile };
  });
}

/**
 * `--list-hosts`, as ansible-playbook has it: the hosts the playbook's pattern and --limit
 * select, one per line; nothing is contacted and no credential is read.
 */
export async function listHosts(playbook: Playbook, opts: { inventoryFiles: readonly string[]; limit?: string; vault: VaultKeyring }): Promise<string> {
  return asUsageError(async () => {
    const inventory = await loadInventory([...opts.inventoryFiles], { vault: opts.vault });
    const { hosts } = resolveSelection(inventory, playbook.hosts, opts.limit);
    const pattern = `pattern: ${playbook.hosts}${opts.limit !== undefined ? ` (limit: ${opts.limit})` : ''}`;
    return [pattern, `hosts (${hosts.length}):`, ...hosts.map((h) => `  ${h.name}`)].join('\n') + '\n';
  });
}

/**
 * What the command line and ansible.cfg give hosts that do not set it themselves, and a
 * key file reader that reads each file once: make it once per run.
 */
export function connectionDefaults(opts: TargetOptions): ConnectionDefaults & { readonly readKeyFile: KeyFileReader } {
  const a = opts.ansible;
  return {
    knownHostsFile: opts.knownHosts,
    readKeyFile: keyFileCache(),
    ...(opts.sshConfig !== undefined ? { sshConfigFile: opts.sshConfig } : {}),
    ...(opts.acceptNew || a?.hostKeyChecking === false ? { acceptNew: true } : {}),
    ...(a?.remoteUser !== undefined ? { user: a.remoteUser } : {}),
    ...(a?.privateKeyFile !== undefined ? { privateKeyFile: a.privateKeyFile } : {}),
    ...(a?.connectTimeoutS !== undefined ? { connectTimeoutS: a.connectTimeoutS } : {}),
    ...(a?.commandTimeoutS !== undefined ? { rpcTimeoutS: a.commandTimeoutS } : {}),
  };
}

/**
 * Playbook vars reach plans, reports and tickets, so none may come from Ansible Vault:
 * runbook uses vaulted values as credentials only.
 */
function refuseVaultedPlaybookVars(playbook: Playbook, host: InventoryHost): void {
  for (const spec of playbook.vars) {
    if (!host.secretVars?.includes(spec.name)) continue;
    const at = host.varsAt[spec.name];
    throw new UsageError(
      `${at ? `${formatSpan(at)}: ` : ''}host ${host.name}: playbook var ${spec.name} is vault-encrypted; playbook vars are shown in plans and reports, so runbook takes only credentials from Vault`,
    );
  }
}

/** Timeouts and deadlines in seconds, and the session's bounds, as one layer sets them. */
export interface SessionSettings extends SessionLimits {
  readonly connectS?: number;
  readonly rpcS?: number;
  readonly rpcDeadlineS?: number;
  readonly hostDeadlineS?: number;
}

/** Settings from the playbook (weakest) and the command line (strongest); the inventory's sit between. */
export interface TimeoutLayers {
  readonly playbook: SessionSettings;
  readonly cli: SessionSettings;
}

/**
 * A host's connection options and deadline: the command line over the inventory (already
 * in `base`, and runbook_host_deadline) over the playbook, over the defaults.
 */
export function layeredSettings(base: ConnectOptions, host: InventoryHost, layers: TimeoutLayers): { options: ConnectOptions; deadlineMs: number } {
  const ms = (s: number | undefined) => (s === undefined ? undefined : Math.round(s * 1000));
  const { cli, playbook } = layers;
  const connectTimeoutMs = ms(cli.connectS) ?? base.connectTimeoutMs ?? ms(playbook.connectS);
  const rpcTimeoutMs = ms(cli.rpcS) ?? base.rpcTimeoutMs ?? ms(playbook.rpcS);
  const rpcDeadlineMs = ms(cli.rpcDeadlineS) ?? base.rpcDeadlineMs ?? ms(playbook.rpcDeadlineS);
  const deadlineMs = ms(cli.hostDeadlineS) ?? ms(numberOf(host.vars.runbook_host_deadline)) ?? ms(playbook.hostDeadlineS) ?? DEFAULT_HOST_DEADLINE_MS;
  const limits: Record<string, number> = {};
  for (const key of Object.keys(LIMIT_SETTINGS) as (keyof SessionLimits)[]) {
    const n = cli[key] ?? base[key] ?? playbook[key];
    if (n !== undefined) limits[key] = n;
  }
  // Object.create keeps the inventory's masked string forms of secrets (see connection.ts).
  const options: ConnectOptions = Object.assign(Object.create(base) as ConnectOptions, {
    ...(connectTimeoutMs !== undefined ? { connectTimeoutMs } : {}),
    ...(rpcTimeoutMs !== undefined ? { rpcTimeoutMs } : {}),
    ...(rpcDeadlineMs !== undefined ? { rpcDeadlineMs } : {}),
    ...limits,
  });
  return { options, deadlineMs };
}

/** -e values by name, as the plan artifact records them. */
export function extraVarsRecord(extra: readonly ExtraVar[]): Record<string, unknown> {
  return Object.fromEntries(extra.map((e) => [e.name, e.value]));
}
