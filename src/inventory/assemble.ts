/**
 * Turns the gathered definitions into the inventory the engine uses: group membership
 * with ancestors, variables merged with Ansible's precedence, lab hosts recognised.
 * Pure: no I/O, so precedence is tested with in-memory definitions.
 *
 * Precedence, lowest first (Ansible's, with its default `precedence` setting):
 *   1. group `vars:` from inventory files, groups sorted by (depth, ansible_group_priority,
 *      name): `all` (depth 0) first, then parents before children, and groups at the same
 *      depth in alphabetical order, later winning (Ansible's sort_groups);
 *   2. group_vars/ files next to the inventory, `all` first, then the groups sorted as above;
 *   3. the host's own variables from inventory files;
 *   4. host_vars/ files.
 * Within one level the last definition read wins, so a later -i file overrides an earlier one.
 */
import type { Definitions, GroupDef, VarLayer } from './definitions.ts';
import { isLabHost, labRequest } from './lab-request.ts';
import type { Inventory, InventoryHost, InventoryIssue } from './types.ts';
import type { SourceSpan } from '../contracts/source-span.ts';

export function assembleInventory(
  defs: Definitions,
  files: readonly string[],
  warnings: readonly InventoryIssue[],
): { inventory: Inventory; issues: InventoryIssue[] } {
  const issues: InventoryIssue[] = [];
  const children = childMap(defs);
  const parents = parentMap(children);
  const depth = depths(parents);
  const order = (a: GroupDef, b: GroupDef): number =>
    depth.get(a.name)! - depth.get(b.name)! || a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

  const hosts: InventoryHost[] = [];
  for (const def of defs.hosts.values()) {
    const names = ancestors([...def.groups], parents);
    names.delete('ungrouped');
    // Like Ansible's reconcile_inventory: 'ungrouped' holds exactly the hosts in no other group.
    if (names.size === 1) names.add('ungrouped');
    const groups = [...names].map((n) => defs.groups.get(n)!).sort(order);
    const layers: VarLayer[] = [
      ...groups.map((g) => g.vars),
      ...groups.map((g) => g.dirVars),
      def.vars,
      def.dirVars,
    ];
    const vars: Record<string, unknown> = {};
    const varsAt: Record<string, SourceSpan> = {};
    const secret = new Set<string>();
    for (const layer of layers) {
      for (const [k, v] of layer) {
        vars[k] = v.value;
        varsAt[k] = v.at;
        if (v.secret) secret.add(k);
        else secret.delete(k);
      }
    }
    let host: InventoryHost = { name: def.name, groups: groups.map((g) => g.name), vars, varsAt, at: def.at };
    if (secret.size > 0) host = { ...host, secretVars: [...secret] };
    if (isLabHost(vars)) host = { ...host, lab: labRequest(vars, layers) };
    hosts.push(host);
  }

  const groups = new Map<string, string[]>([...defs.groups.keys()].map((g) => [g, []]));
  for (const h of hosts) for (const g of h.groups) groups.get(g)!.push(h.name);
  const members = new Map([...defs.groups.values()].map((g) => [g.name, [...g.hosts]]));
  // 'ungrouped' lists exactly the hosts in no other group, as Ansible reconciles it.
  members.set('ungrouped', hosts.filter((h) => h.groups.includes('ungrouped')).map((h) => h.name));
  return { inventory: { hosts, groups, children, members, files, warnings }, issues };
}

/** Direct children, with every group that has no parent made a child of `all`, as Ansible does. */
function childMap(defs: Definitions): Map<string, string[]> {
  const children = new Map<string, string[]>([...defs.groups.values()].map((g) => [g.name, [...g.children]]));
  const hasParent = new Set([...children.values()].flat());
  const all = children.get('all')!;
  for (const name of children.keys()) if (name !== 'all' && !hasParent.has(name)) all.push(name);
  // Ansible makes 'ungrouped' the first child of 'all' before reading any file.
  children.set('all', ['ungrouped', ...all.filter((c) => c !== 'ungrouped')]);
  return children;
}

function parentMap(children: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const parents = new Map<string, string[]>([...children.keys()].map((g) => [g, []]));
  for (const [p, cs] of children) for (const c of cs) parents.get(c)!.push(p);
  return parents;
}

/** A group's depth is its longest path from `all`; children are checked acyclic when added. */
function depths(parents: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  const depth = new Map<string, number>();
  const of = (g: string): number => {
    let d = depth.get(g);
    if (d === undefined) {
      d = Math.max(0, ...parents.get(g)!.map((p) => of(p) + 1));
      depth.set(g, d);
    }
    return d;
  };
  for (const g of parents.keys()) of(g);
  return depth;
}

function ancestors(direct: readonly string[], parents: ReadonlyMap<string, readonly string[]>): Set<string> {
  const out = new Set<string>(['all']);
  const todo = [...direct];
  while (todo.length > 0) {
    const g = todo.pop()!;
    if (out.has(g) && g !== 'all') continue;
    out.add(g);
    todo.push(...parents.get(g)!);
  }
  return out;
}
