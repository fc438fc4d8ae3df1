/**
 * Walks one YAML inventory file into the definitions, as Ansible's `yaml` inventory
 * plugin reads it: top-level keys are groups (`all` among them); a group has `hosts`,
 * `vars` and `children`; children are groups, nested to any depth, and a group may be
 * written in several places. Where Ansible would only warn and skip (a group that is
 * not a mapping, an unknown key in a group) this is an error: a runbook acts on
 * firewalls and must not quietly lose hosts to a typo.
 */
import { isMap, isScalar, type Node } from 'yaml';
import type { Definitions, GroupDef, VarLayer } from './definitions.ts';
import { expandHostKey } from './host-range.ts';
import { readVar, readVars } from './read-vars.ts';
import { describeNode, type MapEntry, type YamlSource } from './yaml-source.ts';

/** The line of a first line like `[webservers]` (an INI inventory, which reads as broken YAML), or 0. */
export function iniHeaderLine(text: string): number {
  const lines = text.split(/\r?\n/);
  const i = lines.findIndex((l) => l.trim() !== '' && !/^\s*[#;]/.test(l));
  return i >= 0 && /^\s*\[[^\]]+\]\s*$/.test(lines[i]!) ? i + 1 : 0;
}

export function readInventoryDocument(source: YamlSource, root: Node | undefined, defs: Definitions): void {
  const top = source.deref(root);
  if (!top) {
    source.report(root ? source.span(root) : { file: source.file, line: 1, column: 1 }, 'the file is empty: an inventory is a mapping of groups (all:, or groups at the top level)');
    return;
  }
  if (!isMap(top)) {
    source.report(source.span(top), `an inventory is a mapping of groups (all:, or groups at the top level), not ${describeNode(top)}`);
    return;
  }
  const entries = source.entries(top);
  const plugin = entries.find((e) => e.key === 'plugin');
  if (plugin) {
    source.report(plugin.keyAt, 'this is the configuration of an inventory plugin, which runbook does not run; give a YAML inventory');
    return;
  }
  const walker = new GroupWalker(source, defs);
  for (const e of entries) walker.group(e, undefined);
}

class GroupWalker {
  /** Group mappings being walked, so an alias cannot make a group contain itself forever. */
  private readonly stack = new Set<Node>();

  constructor(
    private readonly source: YamlSource,
    private readonly defs: Definitions,
  ) {}

  group(e: MapEntry, parent: string | undefined): void {
    const { source } = this;
    const name = e.key;
    const node = source.deref(e.value);
    if (name === 'all' && parent !== undefined) {
      source.report(e.keyAt, `'all' cannot be a child of '${parent}': every group is already in 'all'`);
      return;
    }
    if (node && !isMap(node)) {
      source.report(source.span(node), `group '${name}' must be a mapping (hosts, vars, children) or empty, not ${describeNode(node)}`);
      return;
    }
    const group = this.defs.group(name, e.keyAt);
    if (parent !== undefined) {
      const cycle = this.defs.addChild(parent, name);
      if (cycle) {
        source.report(e.keyAt, `group '${name}' under '${parent}' makes a cycle of children: ${cycle.join(' → ')}`);
        return;
      }
    }
    if (!node) return;
    if (this.stack.has(node)) {
      source.report(e.keyAt, `group '${name}' contains itself through an alias`);
      return;
    }
    this.stack.add(node);
    for (const section of source.entries(node)) {
      switch (section.key) {
        case 'hosts':
          this.hosts(group, section);
          break;
        case 'vars':
          readVars(source, section.value, { layer: group.vars, setPriority: (p) => (group.priority = p) }, `vars of group '${name}'`);
          break;
        case 'children':
          this.children(group, section);
          break;
        default:
          source.report(section.keyAt, `group '${name}' has an unknown key '${section.key}': a group has hosts, vars and children`);
      }
    }
    this.stack.delete(node);
  }

  private hosts(group: GroupDef, section: MapEntry): void {
    for (const e of this.namedEntries(section, `hosts of group '${group.name}'`, 'host names')) this.host(group, e);
  }

  private children(group: GroupDef, section: MapEntry): void {
    for (const e of this.namedEntries(section, `children of group '${group.name}'`, 'group names')) this.group(e, group.name);
  }

  /** A `hosts` or `children` section: a mapping, empty, or (as Ansible allows) a single name. */
  private namedEntries(section: MapEntry, what: string, names: string): MapEntry[] {
    const { source } = this;
    const node = source.deref(section.value);
    if (!node) return [];
    if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')) {
      return [{ key: node.source ?? String(node.value), keyAt: source.span(node), value: undefined }];
    }
    if (!isMap(node)) {
      source.report(source.span(node), `${what} must be a mapping of ${names}, each followed by ':', not ${describeNode(node)}`);
      return [];
    }
    return source.entries(node);
  }

  private host(group: GroupDef, e: MapEntry): void {
    const { source } = this;
    const unprintable = UNPRINTABLE.exec(e.key);
    if (unprintable) {
      // A name is printed in every recap and log line: a newline in it could forge one.
      const code = `U+${unprintable[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      source.report(e.keyAt, `a host name cannot hold ${code} (a line break, control or bidi character), found at character ${unprintable.index + 1} of the name`);
      return;
    }
    const expanded = expandHostKey(e.key);
    if ('error' in expanded) {
      source.report(e.keyAt, expanded.error);
      return;
    }
    const node = source.deref(e.value);
    if (node && !isMap(node)) {
      source.report(source.span(node), `host '${e.key}' must be a mapping of variables or empty, not ${describeNode(node)}`);
      return;
    }
    // Read once for all the hosts a range expands to, so a bad value is reported once.
    const own: VarLayer = new Map();
    for (const v of node ? source.entries(node) : []) readVar(source, v, { layer: own });
    for (const name of expanded.hosts) {
      const host = this.defs.host(name, e.keyAt);
      host.groups.add(group.name);
      group.hosts.add(name);
      // `name:port` sets ansible_port below any ansible_port written for the host.
      if (expanded.port !== undefined) host.vars.set('ansible_port', { value: expanded.port, at: e.keyAt });
      for (const [k, v] of own) host.vars.set(k, v);
    }
  }
}

/** C0 and C1 controls, DEL, and the bidi embeddings, overrides and isolates. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
