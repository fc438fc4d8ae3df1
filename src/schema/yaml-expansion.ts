import { isAlias, isMap, isNode, isPair, isScalar, isSeq, visit, type Alias, type Document, type Node } from 'yaml';

/**
 * Nodes that aliases may add when a document is turned into plain data: this many, or
 * ALIAS_EXPANSION_PER_NODE times the document's own nodes when that is more. A real
 * inventory repeats a small mapping per host with `<<: *defaults`, less than it writes;
 * a "billion laughs" document (aliases of aliases of lists) expands to billions of nodes
 * from a few lines.
 */
export const MAX_ALIAS_EXPANSION = 100_000;
export const ALIAS_EXPANSION_PER_NODE = 10;

/** Where a document's aliases expand past the limit: the alias that crosses it. */
export interface AliasExpansionProblem {
  /** Offset of the alias in the text. */
  readonly offset: number;
  readonly message: string;
}

/**
 * Counts what the document's aliases expand to, before anything expands them, so a
 * document built to exhaust memory is refused at the alias that crosses the limit
 * (the yaml package's own guard throws an untyped error with no position). Pure.
 */
export function aliasExpansionProblem(doc: Document, limit = MAX_ALIAS_EXPANSION): AliasExpansionProblem | undefined {
  const { targets, nodes } = aliasTargets(doc);
  const allowed = Math.max(limit, ALIAS_EXPANSION_PER_NODE * nodes);
  const sizes = new Map<Node, number>();
  const inProgress = new Set<Node>();

  /** Nodes `node` stands for when expanded, aliases included; a cycle counts once. */
  const sizeOf = (node: unknown): number => {
    if (!node || typeof node !== 'object') return 0;
    if (isPair(node)) return sizeOf(node.key) + sizeOf(node.value);
    const n = node as Node;
    const known = sizes.get(n);
    if (known !== undefined) return known;
    if (inProgress.has(n)) return 1;
    inProgress.add(n);
    let size = 1;
    if (isAlias(n)) size = sizeOf(targets.get(n));
    else if (isMap(n) || isSeq(n)) for (const item of n.items) size = Math.min(Number.MAX_SAFE_INTEGER, size + sizeOf(item));
    inProgress.delete(n);
    sizes.set(n, size);
    return size;
  };

  let expanded = 0;
  let problem: AliasExpansionProblem | undefined;
  /** Walks the document in order, adding each alias's expansion, until one crosses the limit. */
  const walk = (node: unknown): void => {
    if (problem || !node || typeof node !== 'object') return;
    if (isPair(node)) {
      walk(node.key);
      walk(node.value);
    } else if (isAlias(node)) {
      expanded += sizeOf(targets.get(node));
      if (expanded > allowed) {
        problem = {
          offset: node.range?.[0] ?? 0,
          message: `aliases expand this document to more than ${allowed.toLocaleString('en-US')} values (an alias of aliases, as in a "billion laughs" attack); refusing to expand it`,
        };
      }
    } else if (isMap(node) || isSeq(node)) {
      for (const item of node.items) walk(item);
    } else if (isScalar(node)) {
      return;
    }
  };
  walk(doc.contents);
  return problem;
}

/**
 * Each alias's node, and how many nodes the document writes, found in one pass in
 * document order: an alias names the latest anchor before it. (The yaml package's
 * Alias.resolve searches the whole document for each alias: quadratic in a large
 * inventory of `<<: *defaults`.)
 */
function aliasTargets(doc: Document): { targets: Map<Alias, Node>; nodes: number } {
  const anchors = new Map<string, Node>();
  const targets = new Map<Alias, Node>();
  let nodes = 0;
  visit(doc, (_key, node) => {
    nodes++;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target) targets.set(node, target);
    } else if (isNode(node) && node.anchor) {
      anchors.set(node.anchor, node);
    }
  });
  return { targets, nodes };
}

/**
 * A parse error's text for a person: the yaml package catches its own stack running out
 * on a document nested thousands of levels deep and reports V8's words; say what it means.
 */
export function yamlErrorText(message: string): string {
  if (/Maximum call stack size exceeded/.test(message)) return 'nested too deeply to read (more levels of [ ] { } or indentation than the parser can follow)';
  return message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim();
}
