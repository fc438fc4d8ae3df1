/**
 * A small element tree built for one selected element of a streamed document.
 * Names are local names: a prefix such as `junos:` is dropped from element names
 * (Junos uses default namespaces that differ by release), attribute names keep theirs.
 */
export interface XmlNode {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlNode[];
  /** The element's own character data (text and CDATA), not that of its children. */
  text: string;
}

/** The first child with this local name, if any. */
export function child(node: XmlNode, name: string): XmlNode | undefined {
  return node.children.find((c) => c.name === name);
}

/** Trimmed text of the first child with this local name; undefined when there is no such child. */
export function childText(node: XmlNode, name: string): string | undefined {
  const c = child(node, name);
  return c === undefined ? undefined : c.text.trim();
}

/** All children with this local name. */
export function childrenNamed(node: XmlNode, name: string): XmlNode[] {
  return node.children.filter((c) => c.name === name);
}

/** Text of a path of child names, e.g. ['error-info', 'bad-element']. */
export function pathText(node: XmlNode, path: readonly string[]): string | undefined {
  let cur: XmlNode | undefined = node;
  for (const name of path) {
    if (cur === undefined) return undefined;
    cur = child(cur, name);
  }
  return cur?.text.trim();
}

/** The local part of a qualified name (`junos:style` → `style`). */
export function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}
