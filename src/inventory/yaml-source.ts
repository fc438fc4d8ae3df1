import { yamlErrorText } from '../schema/yaml-expansion.ts';
/**
 * One YAML file parsed with positions, and the few ways the inventory loader walks it.
 * Parsed as YAML 1.1, as PyYAML (and so Ansible) reads it: `yes`/`no` are booleans,
 * `<<` merge keys work, `0755` is octal. Duplicate keys are errors here, where PyYAML
 * silently keeps the last one.
 */
import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type YAMLMap } from 'yaml';
import { aliasExpansionProblem } from '../schema/yaml-expansion.ts';
import type { InventoryIssue } from './types.ts';
import { VaultKeyring } from './vault.ts';
import type { SourceSpan } from '../contracts/source-span.ts';

/** A key of a mapping with its value node (undefined for `key:` with nothing after it). */
export interface MapEntry {
  readonly key: string;
  readonly keyAt: SourceSpan;
  readonly value: Node | undefined;
}

/** The yaml package's message, except where it quotes part of a value. */
function syntaxMessage(code: string, message: string): string {
  if (code === 'BAD_DQ_ESCAPE') return 'invalid escape sequence in a double-quoted string';
  if (message.startsWith('Block scalar header includes extra characters')) return 'block scalar header (| or >) followed by other characters';
  return yamlErrorText(message);
}

export class YamlSource {
  /** Passwords for `!vault` values; set by the loader. */
  vault: VaultKeyring = new VaultKeyring([]);
  /** The whole file was vault-encrypted: every value in it is a secret. */
  secret = false;

  private constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
    readonly issues: InventoryIssue[],
    readonly warnings: InventoryIssue[],
  ) {}

  /**
   * Parses `text`. Syntax errors land in `issues` and `root` is then undefined. The
   * messages never quote the file: pretty errors would show the line (which may be a
   * password's), and a bad escape's message shows the characters of the string.
   */
  static parse(file: string, text: string): { source: YamlSource; root: Node | undefined } {
    const lines = new LineCounter();
    const doc = parseDocument(text, { version: '1.1', merge: true, uniqueKeys: false, prettyErrors: false, lineCounter: lines });
    const source = new YamlSource(file, doc, lines, [], []);
    for (const e of doc.errors) source.issues.push(source.issueAt(e.pos[0], `YAML syntax: ${syntaxMessage(e.code, e.message)}`));
    if (doc.errors.length > 0) return { source, root: undefined };
    const bomb = aliasExpansionProblem(doc);
    if (bomb) {
      source.issues.push(source.issueAt(bomb.offset, bomb.message));
      return { source, root: undefined };
    }
    return { source, root: isNode(doc.contents) ? doc.contents : undefined };
  }

  span(node: Node | undefined): SourceSpan {
    return node?.range ? this.spanAt(node.range[0]) : { file: this.file, line: 0, column: 0 };
  }

  spanAt(offset: number): SourceSpan {
    const p = this.lines.linePos(offset);
    return { file: this.file, line: p.line, column: p.col };
  }

  issueAt(offset: number, message: string): InventoryIssue {
    return { ...this.spanAt(offset), message };
  }

  report(at: SourceSpan, message: string): void {
    this.issues.push({ ...at, message });
  }

  warn(at: SourceSpan, message: string): void {
    this.warnings.push({ ...at, message });
  }

  /** Follows aliases; `undefined` for an absent value or an explicit null. */
  deref(node: Node | undefined): Node | undefined {
    const seen = new Set<Node>();
    let n = node;
    while (n && isAlias(n)) {
      if (seen.has(n)) return undefined;
      seen.add(n);
      n = n.resolve(this.doc);
    }
    if (n && isScalar(n) && n.value === null) return undefined;
    return n;
  }

  /** The plain value of a node: strings, numbers, booleans, lists, objects, null. */
  value(node: Node | undefined): unknown {
    // parse() bounded what aliases expand to; the yaml package's own guard, off here, throws without a position.
    return node ? (node.toJS(this.doc, { maxAliasCount: -1 }) as unknown) : null;
  }

  /**
   * The keys of a mapping in order, with `<<` merges expanded (explicit keys win, then
   * earlier merged maps, as YAML 1.1 says). Duplicate and non-scalar keys are reported.
   */
  entries(map: YAMLMap, stack: Set<Node> = new Set()): MapEntry[] {
    const out = new Map<string, MapEntry>();
    const merged: MapEntry[] = [];
    stack.add(map);
    for (const pair of map.items) {
      const keyNode = isNode(pair.key) ? pair.key : undefined;
      const value = isNode(pair.value) ? pair.value : undefined;
      if (keyNode && isScalar(keyNode) && typeof keyNode.value === 'symbol') {
        merged.push(...this.mergeSources(value, stack));
        continue;
      }
      if (!keyNode || !isScalar(keyNode) || keyNode.value === null) {
        this.report(this.span(keyNode ?? map), 'a key must be a plain name');
        continue;
      }
      const key = keyNode.source ?? String(keyNode.value);
      const keyAt = this.span(keyNode);
      const first = out.get(key);
      if (first) {
        this.report(keyAt, `duplicate key '${key}' (first at line ${first.keyAt.line})`);
        continue;
      }
      out.set(key, { key, keyAt, value });
    }
    for (const e of merged) if (!out.has(e.key)) out.set(e.key, e);
    stack.delete(map);
    return [...out.values()];
  }

  private mergeSources(value: Node | undefined, stack: Set<Node>): MapEntry[] {
    const target = this.deref(value);
    const maps = target && isSeq(target) ? target.items.map((i) => (isNode(i) ? this.deref(i) : undefined)) : [target];
    const out: MapEntry[] = [];
    for (const m of maps) {
      if (!m || !isMap(m)) {
        this.report(this.span(m ?? value), '<< must merge a mapping or a list of mappings');
        continue;
      }
      if (stack.has(m)) {
        this.report(this.span(value), '<< merges a mapping into itself');
        continue;
      }
      out.push(...this.entries(m, stack));
    }
    return out;
  }

  /** The YAML tag written on a value (`!vault`, `!unsafe`), if any. */
  tagOf(node: Node | undefined): string | undefined {
    return node && !isAlias(node) ? node.tag : undefined;
  }
}

/** What a node is, for messages: "a list", "a string". */
export function describeNode(node: Node | undefined): string {
  if (!node) return 'empty';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    return typeof v === 'string' ? 'a string' : typeof v === 'number' ? 'a number' : typeof v === 'boolean' ? 'a boolean' : 'a scalar';
  }
  return 'an alias';
}
