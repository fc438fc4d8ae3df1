import { flatCopy } from '../xml/flat-string.ts';
import type { XmlNode } from '../xml/node.ts';
import type { Extractor } from './extractor.ts';
import { NodeTracker } from './node-context.ts';
import { SpuTracker } from './spu.ts';

/** One step of a field path: `flow-information[direction='In']` is a name and a predicate. */
export interface TablePathStep {
  readonly name: string;
  readonly where?: { readonly child: string; readonly equals: string };
}

/** A field of a table record: text at a path inside the item, or the item's context. */
export type TableField =
  | { readonly name: string; readonly kind: 'path'; readonly path: readonly TablePathStep[]; readonly type: 'string' | 'integer' | 'number' }
  | { readonly name: string; readonly kind: 'context'; readonly context: 'node' | 'spu' };

/** What a table step declares, as PyEZ Tables/Views do: the item element and its fields. */
export interface TableSpec {
  readonly item: string;
  readonly fields: readonly TableField[];
}

export type TableValue = string | number | null;
export type TableRecord = Record<string, TableValue>;

export interface TableResult {
  /** Items seen over every SPU block and every cluster node. */
  readonly count: number;
  readonly records: TableRecord[];
  /** Cluster nodes that answered, in order; empty on a standalone device. */
  readonly nodes: string[];
}

export interface TableOptions {
  /** Called every `progressEvery` items, for live progress on long collects. */
  readonly onProgress?: (count: number) => void;
  readonly progressEvery?: number;
}

/**
 * A declarative extractor: each `item` element becomes a record of the declared fields.
 * The node and SPU an item sat in are tracked from the elements Junos puts before each
 * block, so every SPU and every cluster node counts.
 */
export function tableExtractor(spec: TableSpec, options: TableOptions = {}): Extractor<TableResult> {
  const nodes = new NodeTracker();
  const spus = new SpuTracker();
  const records: TableRecord[] = [];
  const every = options.progressEvery ?? 5000;
  const pools = spec.fields.map(() => new ValuePool());
  const NewRecord = recordConstructor();
  let count = 0;
  return {
    items: new Set([spec.item, ...NodeTracker.ITEMS, ...SpuTracker.ITEMS]),
    keep: pathNames(spec.fields),
    onOpen(name) {
      nodes.open(name);
      spus.open(name);
    },
    onClose(name) {
      nodes.close(name);
    },
    onElement(el) {
      if (el.name !== spec.item) {
        if (!nodes.take(el)) spus.take(el);
        return;
      }
      count++;
      const record = new NewRecord();
      for (let i = 0; i < spec.fields.length; i++) {
        const f = spec.fields[i];
        record[f.name] = f.kind === 'context' ? ((f.context === 'node' ? nodes.node : spus.spu) ?? null) : readField(el, f.path, f.type, pools[i]);
      }
      records.push(record);
      if (options.onProgress && count % every === 0) options.onProgress(count);
    },
    result: () => ({ count, records, nodes: nodes.seen }),
  };
}

/** Everything a table's paths name: the parts of an item the table reads (see ElementHandler.keep). */
function pathNames(fields: readonly TableField[]): Set<string> {
  const names = new Set<string>();
  for (const f of fields) {
    if (f.kind !== 'path') continue;
    for (const step of f.path) {
      names.add(step.name);
      if (step.where) names.add(step.where.child);
    }
  }
  return names;
}

/**
 * A constructor of plain records (their prototype is Object.prototype, like a literal's).
 * V8 sizes the objects a constructor makes to the fields they end up holding, about 40
 * bytes for a one-field record against 64 for `{}`: a million records notice. One per
 * table, so each is sized for its own fields.
 */
function recordConstructor(): new () => TableRecord {
  const NewRecord = function (this: TableRecord) {} as unknown as new () => TableRecord;
  NewRecord.prototype = Object.prototype;
  return NewRecord;
}

/**
 * The values of one field, so a value repeated over a million records (a peer address,
 * an interface) is stored once, as a flat copy that pins no reply chunk. Bounded: a
 * field whose values are all different (a session id) stops being pooled.
 */
class ValuePool {
  private static readonly MAX = 100_000;
  private readonly seen = new Map<string, string>();

  take(text: string): string {
    const known = this.seen.get(text);
    if (known !== undefined) return known;
    const copy = flatCopy(text);
    if (this.seen.size < ValuePool.MAX) this.seen.set(copy, copy);
    return copy;
  }
}

function readField(item: XmlNode, path: readonly TablePathStep[], type: 'string' | 'integer' | 'number', pool: ValuePool): TableValue {
  let cur: XmlNode | undefined = item;
  for (const step of path) {
    cur = cur.children.find((c) => c.name === step.name && (!step.where || childText(c, step.where.child) === step.where.equals));
    if (!cur) return null;
  }
  const text = cur.text.trim();
  if (type === 'string') return text === '' ? null : pool.take(text);
  const n = type === 'integer' ? (/^-?\d+$/.test(text) ? Number(text) : NaN) : Number(text);
  return text === '' || Number.isNaN(n) ? null : n;
}

function childText(node: XmlNode, name: string): string | undefined {
  return node.children.find((c) => c.name === name)?.text.trim();
}

/** Parses `a/b[c='v']/d` into steps; undefined with a reason when it is not a path. */
export function parseTablePath(source: string): { steps: TablePathStep[] } | { error: string } {
  const steps: TablePathStep[] = [];
  for (const part of source.split('/')) {
    const m = /^([A-Za-z_][\w.-]*)(?:\[\s*([A-Za-z_][\w.-]*)\s*=\s*(?:'([^']*)'|"([^"]*)"|([^\]'"\s]+))\s*\])?$/.exec(part.trim());
    if (!m) return { error: `'${part}' is not an element name or name[child='value']` };
    const equals = m[3] ?? m[4] ?? m[5];
    steps.push(m[2] !== undefined && equals !== undefined ? { name: m[1], where: { child: m[2], equals } } : { name: m[1] });
  }
  return { steps };
}
