import type { XmlNode } from '../xml/node.ts';
import type { Extractor } from './extractor.ts';
import { NodeTracker } from './node-context.ts';
import { SpuTracker } from './spu.ts';
import { detach } from './values.ts';

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
  let count = 0;
  return {
    items: new Set([spec.item, ...NodeTracker.ITEMS, ...SpuTracker.ITEMS]),
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
      const record: TableRecord = {};
      for (const f of spec.fields) {
        record[f.name] = f.kind === 'context' ? ((f.context === 'node' ? nodes.node : spus.spu) ?? null) : readField(el, f.path, f.type);
      }
      records.push(record);
      if (options.onProgress && count % every === 0) options.onProgress(count);
    },
    result: () => ({ count, records, nodes: nodes.seen }),
  };
}

function readField(item: XmlNode, path: readonly TablePathStep[], type: 'string' | 'integer' | 'number'): TableValue {
  let cur: XmlNode | undefined = item;
  for (const step of path) {
    cur = cur.children.find((c) => c.name === step.name && (!step.where || childText(c, step.where.child) === step.where.equals));
    if (!cur) return null;
  }
  const text = cur.text.trim();
  if (type === 'string') return text === '' ? null : detach(text);
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
