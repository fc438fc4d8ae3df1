import { fileURLToPath } from 'node:url';
import type { EngineHost } from '../engine/host-run.ts';
import { connectionFor } from '../inventory/connection.ts';
import { formatIssue } from '../inventory/errors.ts';
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
import { NetconfSession } from '../transport/session.ts';
import { asUsageError } from './input-errors.ts';
import { checkLabHosts, startInventoryLab, type InProcessLab } from './lab-wiring.ts';

/** The built-in lab inventory, found relative to runbook itself so it works from any directory. */
export const DEFAULT_INVENTORY = fileURLToPath(new URL('../../inventory/lab.yml', import.meta.url));

/** What apply and plan share on the command line about which hosts and how to reach them. */
export interface TargetOptions {
  readonly inventoryFiles: readonly string[];
  readonly limit?: string;
  readonly extraVars: readonly string[];
  readonly knownHosts: string;
  readonly acceptNew?: boolean;
}

export interface Targets {
  readonly inventory: Inventory;
  readonly extra: readonly ExtraVar[];
  readonly hosts: readonly { readonly host: InventoryHost; readonly vars: Record<string, string | number | boolean> }[];
  readonly connections: Map<string, ConnectOptions>;
}

/**
 * Everything that can be wrong with the input is found here, before any connection:
 * vars, inventory, host patterns and credentials. Errors become UsageErrors (exit 2).
 */
export async function resolveTargets(playbook: Playbook, opts: TargetOptions): Promise<Targets> {
  return asUsageError(async () => {
    const extra = await parseExtraVars([...opts.extraVars]);
    const inventory = await loadInventory([...opts.inventoryFiles]);
    checkLabHosts(inventory);
    const { hosts, warnings } = resolveSelection(inventory, playbook.hosts, opts.limit);
    for (const w of inventory.warnings) process.stderr.write(`warning: ${formatIssue(w)}\n`);
    for (const w of warnings) process.stderr.write(`warning: ${w.message}\n`);
    const resolved = hosts.map((h) => ({ host: h, vars: resolveVars(playbook, { inventory: h.vars, inventoryAt: `${h.at.file}:${h.at.line}`, extra }) }));
    const connections = new Map<string, ConnectOptions>();
    for (const h of hosts) {
      if (!h.lab) connections.set(h.name, await connectionFor(h, process.env, { knownHostsFile: opts.knownHosts, ...(opts.acceptNew ? { acceptNew: true } : {}) }));
    }
    return { inventory, extra, hosts: resolved, connections };
  });
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
 * Starts lab hosts (if any) and gives the engine its hosts. Timeouts, deadlines and
 * bounds: playbook, then the inventory's runbook_* variables, then the command line.
 */
export async function engineHosts(
  targets: Targets,
  dryRun: (vars: Record<string, string | number | boolean>) => boolean,
  timeouts: TimeoutLayers = { playbook: {}, cli: {} },
): Promise<{ hosts: EngineHost[]; lab: InProcessLab | undefined }> {
  const lab = await startInventoryLab(targets.hosts.map((t) => t.host));
  const connectionOf = (name: string): ConnectOptions => lab?.connections.get(name) ?? targets.connections.get(name)!;
  const hosts = targets.hosts.map(({ host, vars }) => {
    const { options, deadlineMs } = layeredSettings(connectionOf(host.name), host, timeouts);
    return {
      name: host.name,
      groups: host.groups,
      vars,
      dryRun: dryRun(vars),
      deadlineMs,
      connect: () => NetconfSession.connect(options),
    };
  });
  return { hosts, lab };
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
