import { childByName, type ParentSchema, type StatementSchema } from './schema.ts';

/**
 * A configuration as an ordered tree of statements, the way Junos keeps it: children in
 * schema order, entries of one list in the order they were created. Plain data, so a
 * candidate is a deep copy of the running configuration and two trees compare by value.
 */
export interface ConfigNode {
  /** The schema statement's name (`aging`, `application`, `interface` for an implicit list). */
  readonly name: string;
  /** A list entry's keys (`['trust', 'untrust']` for `from-zone trust to-zone untrust`). */
  readonly keys?: readonly string[];
  /** A leaf's value. */
  value?: string;
  /** A leaf-list's values, in the order given. */
  values?: string[];
  /** A container's or list entry's statements. */
  children?: ConfigNode[];
}

export function emptyConfig(): ConfigNode {
  return { name: 'configuration', children: [] };
}

export function cloneConfig(node: ConfigNode): ConfigNode {
  return structuredClone(node);
}

/** Same statements, values and order. */
export function configEquals(a: ConfigNode, b: ConfigNode): boolean {
  if (a.name !== b.name || !sameList(a.keys, b.keys) || a.value !== b.value || !sameList(a.values, b.values)) return false;
  const [ca, cb] = [a.children ?? [], b.children ?? []];
  return ca.length === cb.length && ca.every((c, i) => configEquals(c, cb[i]));
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Whether two nodes are the same statement (same name and keys), whatever they hold. */
export function sameStatement(a: ConfigNode, b: { name: string; keys?: readonly string[] }): boolean {
  return a.name === b.name && sameList(a.keys ?? [], b.keys ?? []);
}

export function findChild(parent: ConfigNode, name: string, keys?: readonly string[]): ConfigNode | undefined {
  return parent.children?.find((c) => sameStatement(c, { name, keys }));
}

/** A statement below `node` by keywords (`security`, `flow`, `aging`), if every level is there. */
export function descend(node: ConfigNode, ...names: string[]): ConfigNode | undefined {
  let at: ConfigNode | undefined = node;
  for (const n of names) at = at && findChild(at, n);
  return at;
}

/** The schema of a parent's child statement, implicit lists included. */
export function schemaOf(parent: ParentSchema, name: string): StatementSchema | undefined {
  return childByName(parent, name) ?? parent.children.find((c) => c.name === name);
}

/**
 * The child statement, created where Junos would put it when missing: after the
 * statements that come before it in the schema and after the entries of its own list.
 */
export function ensureChild(parent: ConfigNode, parentSchema: ParentSchema, schema: StatementSchema, keys?: readonly string[]): ConfigNode {
  const found = findChild(parent, schema.name, keys);
  if (found) return found;
  const node: ConfigNode = { name: schema.name, ...(keys ? { keys: [...keys] } : {}), ...(schema.kind === 'container' || schema.kind === 'list' ? { children: [] } : {}) };
  const children = (parent.children ??= []);
  const rank = (n: ConfigNode) => parentSchema.children.findIndex((s) => s.name === n.name);
  const mine = parentSchema.children.indexOf(schema);
  let at = children.length;
  while (at > 0 && rank(children[at - 1]) > mine) at--;
  children.splice(at, 0, node);
  return node;
}

export function removeChild(parent: ConfigNode, child: ConfigNode): void {
  const i = parent.children?.indexOf(child) ?? -1;
  if (i >= 0) parent.children?.splice(i, 1);
}

/** The words a statement adds to an edit path: `aging`, `application web`, `from-zone a to-zone b`, `ge-0/0/0`. */
export function pathWords(schema: StatementSchema, node: { keys?: readonly string[] }): string[] {
  if (schema.kind !== 'list') return [schema.name];
  const words = schema.implicit ? [] : [schema.name];
  schema.keys.forEach((k, i) => {
    if (k.word) words.push(k.word);
    words.push(node.keys?.[i] ?? '');
  });
  return words;
}

/** `[edit security flow tcp-session]` from a list of path words. */
export function editPath(words: readonly string[]): string {
  return words.length === 0 ? '[edit]' : `[edit ${words.join(' ')}]`;
}
