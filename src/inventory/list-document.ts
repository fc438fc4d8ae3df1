/**
 * Reads the JSON `ansible-inventory --list` prints (the format of inventory scripts):
 * top-level keys are groups, each `{"hosts": [...], "vars": {...}, "children": [...]}`
 * or just a list of hosts, and `_meta.hostvars` holds each host's variables, as
 * Ansible's `script` inventory plugin reads it.
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Definitions } from './definitions.ts';
import { readVars } from './read-vars.ts';
import { describeNode, type MapEntry, type YamlSource } from './yaml-source.ts';

/** Whether a parsed file is in the --list format rather than Ansible's YAML inventory format. */
export function isListFormat(source: YamlSource, root: Node | undefined): boolean {
  const top = source.deref(root);
  if (!top || !isMap(top) || top.has('plugin')) return false;
  return top.items.some((pair) => {
    if (isScalar(pair.key) && pair.key.value === '_meta') return true;
    const group = isSeq(pair.value) || !isMap(pair.value) ? pair.value : pair.value.get('hosts', true);
    return isSeq(group) || isSeq(isMap(pair.value) ? pair.value.get('children', true) : undefined);
  });
}

export function readListDocument(source: YamlSource, root: Node | undefined, defs: Definitions): void {
  const top = source.deref(root);
  if (!top || !isMap(top)) return;
  let hostvars: MapEntry | undefined;
  for (const e of source.entries(top)) {
    if (e.key === '_meta') hostvars = metaHostvars(source, e);
    else group(source, defs, e);
  }
  const node = source.deref(hostvars?.value);
  if (!node) return;
  if (!isMap(node)) {
    source.report(source.span(node), `_meta.hostvars must be a mapping of host names to variables, not ${describeNode(node)}`);
    return;
  }
  for (const h of source.entries(node)) {
    const host = defs.hosts.get(h.key);
    // Ansible reads hostvars only for hosts some group lists.
    if (!host) continue;
    readVars(source, h.value, { layer: host.vars }, `the variables of host '${h.key}'`);
  }
}

function metaHostvars(source: YamlSource, e: MapEntry): MapEntry | undefined {
  const meta = source.deref(e.value);
  if (!meta) return undefined;
  if (!isMap(meta)) {
    source.report(source.span(meta), `_meta must be a mapping with hostvars, not ${describeNode(meta)}`);
    return undefined;
  }
  return source.entries(meta).find((m) => m.key === 'hostvars');
}

function group(source: YamlSource, defs: Definitions, e: MapEntry): void {
  const g = defs.group(e.key, e.keyAt);
  const node = source.deref(e.value);
  if (!node) return;
  if (isSeq(node)) {
    addHosts(source, defs, e.key, node);
    return;
  }
  if (!isMap(node)) {
    source.report(source.span(node), `group '${e.key}' must be a mapping (hosts, vars, children) or a list of hosts, not ${describeNode(node)}`);
    return;
  }
  for (const section of source.entries(node)) {
    const value = source.deref(section.value);
    if (section.key === 'vars') {
      readVars(source, section.value, { layer: g.vars, setPriority: (p) => (g.priority = p) }, `vars of group '${e.key}'`);
    } else if (section.key === 'hosts' || section.key === 'children') {
      if (!value) continue;
      if (!isSeq(value)) {
        source.report(source.span(value), `${section.key} of group '${e.key}' must be a list, not ${describeNode(value)}`);
        continue;
      }
      if (section.key === 'hosts') addHosts(source, defs, e.key, value);
      else addChildren(source, defs, e.key, value);
    } else {
      source.report(section.keyAt, `group '${e.key}' has an unknown key '${section.key}': a group has hosts, vars and children`);
    }
  }
}

function names(source: YamlSource, list: Node, what: string): { name: string; node: Node }[] {
  const out: { name: string; node: Node }[] = [];
  if (!isSeq(list)) return out;
  for (const item of list.items) {
    const n = source.deref(item as Node);
    if (n && isScalar(n) && (typeof n.value === 'string' || typeof n.value === 'number')) out.push({ name: String(n.value), node: n });
    else source.report(source.span((n ?? list) as Node), `${what} must be names, not ${describeNode(n)}`);
  }
  return out;
}

function addHosts(source: YamlSource, defs: Definitions, groupName: string, list: Node): void {
  const g = defs.groups.get(groupName)!;
  for (const { name, node } of names(source, list, `hosts of group '${groupName}'`)) {
    const host = defs.host(name, source.span(node));
    host.groups.add(groupName);
    g.hosts.add(name);
  }
}

function addChildren(source: YamlSource, defs: Definitions, parent: string, list: Node): void {
  for (const { name, node } of names(source, list, `children of group '${parent}'`)) {
    const at = source.span(node);
    if (name === 'all') {
      source.report(at, `'all' cannot be a child of '${parent}': every group is already in 'all'`);
      continue;
    }
    defs.group(name, at);
    const cycle = defs.addChild(parent, name);
    if (cycle) source.report(at, `group '${name}' under '${parent}' makes a cycle of children: ${cycle.join(' → ')}`);
  }
}
