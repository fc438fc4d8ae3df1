/**
 * What `ansible-inventory` shows, from a loaded inventory: `--list` (groups with their
 * direct hosts and children, every host's merged variables under `_meta.hostvars`),
 * `--graph` (the group tree) and `--host` (one host's variables). Pure. Values decrypted
 * from Vault are shown as `<redacted>`.
 */
import type { Inventory, InventoryHost } from './types.ts';

export const REDACTED = '<redacted>';

/** A host's variables with every vault-decrypted value replaced by `<redacted>`. */
export function shownVars(host: InventoryHost): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(host.vars).sort()) out[k] = host.secretVars?.includes(k) ? REDACTED : host.vars[k];
  return out;
}

export function inventoryList(inv: Inventory): Record<string, unknown> {
  const hostvars: Record<string, unknown> = {};
  for (const h of inv.hosts) if (Object.keys(h.vars).length > 0) hostvars[h.name] = shownVars(h);
  const out: Record<string, unknown> = { _meta: { hostvars } };
  for (const name of inv.groups.keys()) {
    const hosts = directHosts(inv, name);
    const children = inv.children.get(name) ?? [];
    const group: Record<string, unknown> = {};
    if (children.length > 0) group.children = [...children];
    if (hosts.length > 0) group.hosts = hosts;
    if (Object.keys(group).length > 0) out[name] = group;
  }
  return out;
}

/** `ansible-inventory --graph [GROUP]`: child groups first, then hosts, in inventory order. */
export function inventoryGraph(inv: Inventory, root = 'all'): string[] {
  const lines = [`@${root}:`];
  const walk = (group: string, indent: string, seen: ReadonlySet<string>): void => {
    for (const child of inv.children.get(group) ?? []) {
      if (seen.has(child)) continue;
      lines.push(`${indent}|--@${child}:`);
      walk(child, `${indent}|  `, new Set([...seen, child]));
    }
    for (const h of directHosts(inv, group)) lines.push(`${indent}|--${h}`);
  };
  walk(root, '  ', new Set([root]));
  return lines;
}

function directHosts(inv: Inventory, group: string): string[] {
  // Ansible shows the hosts written under `all:` in `ungrouped` (or their other groups).
  if (group === 'all') return [];
  if (inv.members) return [...(inv.members.get(group) ?? [])];
  // Hosts built in code: those of the group not reached through a child.
  const viaChildren = new Set((inv.children.get(group) ?? []).flatMap((c) => inv.groups.get(c) ?? []));
  return (inv.groups.get(group) ?? []).filter((h) => !viaChildren.has(h));
}
