import { createHash } from 'node:crypto';
import { canonicalJson } from './digest.ts';

/** Where a targeted host is reached: never a secret, only what says which device it is. */
export interface ConnectionTarget {
  readonly host: string;
  readonly address: string;
  /** The NETCONF port; 0 for a lab host, which gets a free port when it starts. */
  readonly port: number;
  readonly user: string;
  /** For a simulated lab host: its scenario and seed, which say what device it is. */
  readonly lab?: string;
}

/**
 * What a plan was made against: every host the inventory resolved to, and each targeted
 * host's connection target, with a sha256 over both. apply --plan refuses any other, so
 * a plan reviewed on one inventory cannot be committed on the devices of another.
 */
export interface InventoryBinding {
  /** Every host name the inventory holds, sorted (the order of a file's entries does not matter). */
  readonly inventoryHosts: readonly string[];
  /** The targeted hosts, in target order. */
  readonly connections: readonly ConnectionTarget[];
  /** sha256 over the canonical JSON of inventoryHosts and connections, lowercase hex. */
  readonly sha256: string;
}

export function inventoryBinding(inventoryHosts: readonly string[], connections: readonly ConnectionTarget[]): InventoryBinding {
  const sorted = [...inventoryHosts].sort();
  return { inventoryHosts: sorted, connections: connections.map((c) => ({ ...c })), sha256: bindingHash(sorted, connections) };
}

export function bindingHash(inventoryHosts: readonly string[], connections: readonly ConnectionTarget[]): string {
  return createHash('sha256').update(canonicalJson({ inventoryHosts, connections }), 'utf8').digest('hex');
}

/** "ops@192.0.2.1:830", or "lab busy seed 3" for a simulated host. */
export function targetText(c: ConnectionTarget): string {
  return c.lab !== undefined ? `simulated lab host (${c.lab})` : `${c.user}@${c.address}:${c.port}`;
}

/**
 * Pure. How the inventory now differs from the one reviewed, a sentence per difference
 * (JSON.stringify quotes names, so an odd one cannot break the line); empty when the two
 * are the same.
 */
export function bindingDifferences(reviewed: InventoryBinding, now: InventoryBinding): string[] {
  const out: string[] = [];
  if (bindingHash(reviewed.inventoryHosts, reviewed.connections) !== reviewed.sha256) {
    out.push(`the plan's binding sha256 ${reviewed.sha256.slice(0, 12)} does not match the hosts and targets it lists: it was edited after it was made`);
  }
  const was = new Map(reviewed.connections.map((c) => [c.host, c]));
  const is = new Map(now.connections.map((c) => [c.host, c]));
  for (const [host, c] of was) {
    const n = is.get(host);
    if (!n) out.push(`${JSON.stringify(host)} was targeted when reviewed (${targetText(c)}) and is not now`);
    else if (targetText(n) !== targetText(c)) out.push(`${JSON.stringify(host)} was ${targetText(c)} when reviewed, and is ${targetText(n)} now`);
  }
  for (const [host, n] of is) if (!was.has(host)) out.push(`${JSON.stringify(host)} (${targetText(n)}) is targeted now and was not reviewed`);
  const before = new Set(reviewed.inventoryHosts);
  const after = new Set(now.inventoryHosts);
  // Targets already named above are not named again.
  const gone = reviewed.inventoryHosts.filter((h) => !after.has(h) && !was.has(h));
  const added = now.inventoryHosts.filter((h) => !before.has(h) && !is.has(h));
  if (gone.length > 0) out.push(`the inventory no longer has ${names(gone)}`);
  if (added.length > 0) out.push(`the inventory now also has ${names(added)}`);
  if (out.length === 0 && canonicalJson(reviewed.connections.map((c) => c.host)) !== canonicalJson(now.connections.map((c) => c.host))) {
    out.push('the targeted hosts come in another order');
  }
  return out;
}

function names(list: readonly string[], max = 5): string {
  const shown = list.slice(0, max).map((h) => JSON.stringify(h)).join(', ');
  return list.length > max ? `${shown} and ${list.length - max} more` : shown;
}
