import { yamlErrorText } from '../schema/yaml-expansion.ts';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { CompileOptions } from '../expr/placement.ts';
import { aliasExpansionProblem } from '../schema/yaml-expansion.ts';
import { PlaybookError, type PlaybookIssue } from './errors.ts';
import type { SourceSpan } from '../contracts/source-span.ts';

/** A key or index on the way from the document's root to a value. */
export type PathSegment = string | number;

/** Where an expression's text starts in the file, and whether its columns can be trusted. */
export interface TextPlacement extends CompileOptions {
  readonly at: SourceSpan;
}

/**
 * A parsed YAML document that still knows where everything was written, so every
 * problem found later (schema, references, expressions) can be reported at its line and
 * column.
 */
export class YamlSource {
  private constructor(
    readonly file: string,
    readonly text: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /** Parses `text`; YAML syntax errors are thrown as a PlaybookError, all of them, located. */
  static parse(text: string, file: string): YamlSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const source = new YamlSource(file, text, doc, lines);
    if (doc.errors.length > 0) {
      throw new PlaybookError(
        doc.errors.map((e): PlaybookIssue => ({ ...source.spanOf(e.pos[0]), path: '', message: `YAML syntax error: ${yamlMessage(e.message)}` })),
      );
    }
    const bomb = aliasExpansionProblem(doc);
    if (bomb) throw new PlaybookError([{ ...source.spanOf(bomb.offset), path: '', message: bomb.message }]);
    return source;
  }

  /** The document as plain data (what the schema validates). */
  data(): unknown {
    // parse() bounded what aliases expand to; the yaml package's own guard throws without a position.
    return this.doc.toJS({ maxAliasCount: -1 });
  }

  spanOf(offset: number): SourceSpan {
    const { line, col } = this.lines.linePos(Math.max(0, Math.min(offset, this.text.length)));
    return { file: this.file, line, column: col };
  }

  /** Where the value at `path` starts; the nearest written ancestor when it is missing. */
  valueSpan(path: readonly PathSegment[]): SourceSpan {
    const { value, key } = this.find(path);
    const node = value ?? key;
    return node?.range ? this.spanOf(node.range[0]) : this.nearest(path);
  }

  /** Where the key of the entry at `path` was written (the value's start for list items). */
  keySpan(path: readonly PathSegment[]): SourceSpan {
    const { key, value } = this.find(path);
    const node = key ?? value;
    return node?.range ? this.spanOf(node.range[0]) : this.nearest(path);
  }

  /**
   * Where a scalar's text starts (after its quote) and whether its characters sit one to
   * one on a line of the file: not for block scalars, escapes or folded lines.
   */
  textPlacement(path: readonly PathSegment[]): TextPlacement {
    const { value } = this.find(path);
    if (!isScalar(value) || !value.range) return { at: this.valueSpan(path), exact: false };
    const [start, end] = value.range;
    const raw = this.text.slice(start, end);
    const content = typeof value.value === 'string' ? value.value : String(value.value);
    switch (value.type) {
      case 'PLAIN':
        return { at: this.spanOf(start), exact: raw === content };
      case 'QUOTE_DOUBLE':
      case 'QUOTE_SINGLE':
        return { at: this.spanOf(start + 1), exact: raw.slice(1, -1) === content && !/[\r\n]/.test(raw) };
      default:
        return { at: this.spanOf(start), exact: false };
    }
  }

  private nearest(path: readonly PathSegment[]): SourceSpan {
    for (let n = path.length - 1; n >= 0; n--) {
      const { value, key } = this.find(path.slice(0, n));
      const node = key ?? value;
      if (node?.range) return this.spanOf(node.range[0]);
    }
    return this.spanOf(0);
  }

  private find(path: readonly PathSegment[]): { key?: Node; value?: Node } {
    let value: unknown = this.doc.contents;
    let key: Node | undefined;
    for (const segment of path) {
      key = undefined;
      if (isMap(value)) {
        const pair = value.items.find((p) => isPair(p) && String(isScalar(p.key) ? p.key.value : p.key) === String(segment));
        if (!pair) return {};
        key = isScalar(pair.key) ? pair.key : undefined;
        value = pair.value;
      } else if (isSeq(value) && typeof segment === 'number') {
        value = value.items[segment];
      } else {
        return {};
      }
    }
    return { key, value: isNodeLike(value) ? value : undefined };
  }
}

function isNodeLike(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value;
}

/** The yaml package's messages end with a location we report ourselves. */
function yamlMessage(message: string): string {
  return yamlErrorText(message);
}
