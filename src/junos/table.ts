import { FailureError } from '../contracts/failure.ts';
import { flatCopy } from '../xml/flat-string.ts';
import { checkArgValue } from './catalog.ts';
import type { XmlNode } from '../xml/node.ts';
import type { Extractor } from './extractor.ts';
import { NodeTracker } from './node-context.ts';
import { SpuTracker } from './spu.ts';

/** One step of a field path: `flow-information[direction='In']` is a name and a predicate. */
export interface TablePathStep {
  readonly name: string;
  readonly where?: { readonly child: string; readonly equals: string };
}

/** How a field's text is read: string is taken as it is; the others are checked. */
export type TableFieldType = 'string' | 'integer' | 'number' | 'address';

/** A field read from a path: its type, and for a typed field the checks every record's value passes. */
export interface TablePathField {
  readonly name: string;
  readonly kind: 'path';
  readonly path: readonly TablePathStep[];
  readonly type: TableFieldType;
  /** Integer and number fields: the bounds a value must be within. */
  readonly minimum?: number;
  readonly maximum?: number;
  /** An absent or empty element is an error, not null. */
  readonly required?: boolean;
}

/** A field of a table record: text at a path inside the item, or the item's context. */
export type TableField = TablePathField | { readonly name: string; readonly kind: 'context'; readonly context: 'node' | 'spu' };

/**
 * A record whose value does not fit its field's declared type: which item (1-based, over
 * the whole reply), which field, what the device sent, and why it does not fit. A value
 * from a device is checked before any plan uses it: a tunnel index of "abc" read as null
 * once made a clear with no index, which Junos reads as "clear every IPsec SA".
 */
export class TableValueError extends FailureError {
  override readonly name = 'TableValueError';
  readonly kind = 'bad-value';
  constructor(
    readonly item: string,
    readonly record: number,
    readonly field: string,
    readonly path: string,
    /** The device's text; undefined when the element is absent. */
    readonly value: string | undefined,
    readonly reason: string,
    /** Further records that failed too. */
    readonly more = 0,
  ) {
    const sent = value === undefined ? 'the device sent no such element' : `the device's value is ${JSON.stringify(value)}`;
    super(`${item} record ${record}: field ${field} (${path}): ${sent}, ${reason}${more > 0 ? ` (and ${more} more ${more === 1 ? 'record' : 'records'} fail)` : ''}`);
  }

  /** Puts where the table was declared in front of the message: `file:line:col: step 'X'`. */
  locate(where: string): this {
    this.message = `${where}: ${this.message}`;
    return this;
  }
}

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
  let invalid: TableValueError | undefined;
  let invalidCount = 0;
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
        if (f.kind === 'context') {
          record[f.name] = (f.context === 'node' ? nodes.node : spus.spu) ?? null;
          continue;
        }
        const read = readField(el, f, pools[i]);
        if (typeof read === 'object' && read !== null) {
          // Read on to the end of the reply (the session stays usable), then fail: result() throws.
          invalidCount++;
          invalid ??= new TableValueError(spec.item, count, f.name, pathText(f.path), read.text, read.problem);
          record[f.name] = null;
          continue;
        }
        record[f.name] = read;
      }
      records.push(record);
      if (options.onProgress && count % every === 0) options.onProgress(count);
    },
    result: () => {
      if (invalid) throw new TableValueError(invalid.item, invalid.record, invalid.field, invalid.path, invalid.value, invalid.reason, invalidCount - 1);
      return { count, records, nodes: nodes.seen };
    },
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
  /** Values already checked against the field's type, so a million records check each peer once. */
  readonly checked = new Set<string>();

  take(text: string): string {
    const known = this.seen.get(text);
    if (known !== undefined) return known;
    const copy = flatCopy(text);
    if (this.seen.size < ValuePool.MAX) this.seen.set(copy, copy);
    return copy;
  }
}

/** A record's value for one field, or why the device's text does not fit the field. */
function readField(item: XmlNode, f: TablePathField, pool: ValuePool): TableValue | { readonly text: string | undefined; readonly problem: string } {
  let cur: XmlNode | undefined = item;
  for (const step of f.path) {
    cur = cur.children.find((c) => c.name === step.name && (!step.where || childText(c, step.where.child) === step.where.equals));
    if (!cur) return f.required ? { text: undefined, problem: `which the field requires (${f.type})` } : null;
  }
  const text = cur.text.trim();
  if (text === '') return f.required ? { text: cur.text, problem: `empty, which the field requires (${f.type})` } : null;
  switch (f.type) {
    case 'string':
      return pool.take(text);
    case 'address': {
      const value = pool.take(text);
      if (pool.checked.has(value)) return value;
      const why = checkArgValue('address', value);
      if (why !== undefined) return { text, problem: 'not an IPv4 or IPv6 address' };
      if (pool.checked.size < 100_000) pool.checked.add(value);
      return value;
    }
    case 'integer':
    case 'number': {
      const n = f.type === 'integer' ? (/^-?\d+$/.test(text) ? Number(text) : NaN) : Number(text);
      if (!Number.isFinite(n) || (f.type === 'integer' && !Number.isSafeInteger(n))) return { text, problem: `not ${f.type === 'integer' ? 'an integer' : 'a number'}` };
      if (f.minimum !== undefined && n < f.minimum) return { text, problem: `below the field's minimum ${f.minimum}` };
      if (f.maximum !== undefined && n > f.maximum) return { text, problem: `above the field's maximum ${f.maximum}` };
      return n;
    }
  }
}

/** A path as written: `flow-information[direction='In']/source-address`. */
function pathText(path: readonly TablePathStep[]): string {
  return path.map((s) => (s.where ? `${s.name}[${s.where.child}='${s.where.equals}']` : s.name)).join('/');
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
