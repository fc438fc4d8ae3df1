import { FailureError } from '../contracts/failure.ts';
import { flatCopy } from '../xml/flat-string.ts';
import { checkArgValue } from './catalog.ts';
import type { XmlNode } from '../xml/node.ts';
import type { Extractor } from './extractor.ts';
import { NodeTracker } from './node-context.ts';
import { SpuTracker } from './spu.ts';
import { parseUint } from './values.ts';

/**
 * One step of a field path: `flow-information[direction='In']` is a name and a predicate.
 * The name `..` is the element an item was read from inside (see TableSpec.item's `group/item`).
 */
export interface TablePathStep {
  readonly name: string;
  readonly where?: { readonly child: string; readonly equals: string };
}

/** Another place a field's value may be, read when the places before it give no text. */
export interface TableAlternative {
  readonly path: readonly TablePathStep[];
  /** As TablePathField.pattern, for the text found here. */
  readonly pattern?: string;
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
  /** Where else the value may be, tried in order when `path` gives no text (`a | ../a`). */
  readonly or?: readonly TableAlternative[];
  /** A regular expression the text is matched with: its first group (or the whole match) is the text read; no match reads as null. */
  readonly pattern?: string;
  /** Text (lower-cased) → value: "<" → "inbound". Text not listed reads as null. */
  readonly map?: Readonly<Record<string, string>>;
  /** Text not of the type, or out of bounds, reads as null instead of failing the table ("N/A" for a timeout). */
  readonly lenient?: boolean;
  /** A record without this field (absent, or not of its type) is left out of the records and counted in `skipped`. */
  readonly key?: boolean;
}

/** A list field: one sub-record per element at `path` (the last step names the repeated element). */
export interface TableListField {
  readonly name: string;
  readonly kind: 'list';
  readonly path: readonly TablePathStep[];
  readonly fields: readonly TableField[];
}

/** Where an item sat: its cluster node, its SPU, or the item element's own name (for a table of several items). */
export type TableContext = 'node' | 'spu' | 'item';

/** A field of a table record: text at a path inside the item, a list of sub-records, or the item's context. */
export type TableField = TablePathField | TableListField | { readonly name: string; readonly kind: 'context'; readonly context: TableContext };

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
  /**
   * The element each record is read from. Alternatives are separated by `|`; `group/item`
   * reads every `item` child of a `group` element, whose own children the fields reach as `../name`
   * (`ike-security-associations-block/ike-security-associations | ike-security-associations`).
   */
  readonly item: string;
  readonly fields: readonly TableField[];
  /**
   * Elements outside the items, read in the same pass: `values` collects each one's integer
   * text with its cluster node, `opened` counts how many open (`flow-session-information` blocks).
   */
  readonly values?: readonly string[];
  readonly opened?: readonly string[];
}

export type TableValue = string | number | null;
export type TableRecord = Record<string, TableValue>;
/** A record of a table with list fields (the named tables' views); a playbook's records are flat. */
export type TableRow = { [field: string]: TableValue | TableRow[] };

/** One integer a table's `values` element held, and the cluster node it sat in. */
export interface TableTally {
  readonly value: number;
  readonly node?: string;
}

export interface TableResult<R extends TableRow = TableRecord> {
  /** Items seen over every SPU block and every cluster node. */
  readonly count: number;
  readonly records: R[];
  /** Cluster nodes that answered, in order; empty on a standalone device. */
  readonly nodes: string[];
  /** Items left out for want of a key field; only for tables with a key field. */
  readonly skipped?: number;
  /** The spec's `values` and `opened` elements; only for specs declaring them. */
  readonly values?: Readonly<Record<string, readonly TableTally[]>>;
  readonly opened?: Readonly<Record<string, number>>;
}

export interface TableOptions<R extends TableRow = TableRecord> {
  /** Called every `progressEvery` items, for live progress on long collects. */
  readonly onProgress?: (count: number) => void;
  readonly progressEvery?: number;
  /** Receives each record instead of keeping it, so a reply of a million items is read in constant memory. */
  readonly onRecord?: (record: R) => void;
}

/**
 * A declarative extractor: each `item` element becomes a record of the declared fields.
 * The node and SPU an item sat in are tracked from the elements Junos puts before each
 * block, so every SPU and every cluster node counts.
 */
export function tableExtractor<R extends TableRow = TableRecord>(spec: TableSpec, options: TableOptions<R> = {}): Extractor<TableResult<R>> {
  const nodes = new NodeTracker();
  const spus = new SpuTracker();
  const records: R[] = [];
  const every = options.progressEvery ?? 5000;
  const onRecord = options.onRecord;
  const fields = compileFields(spec.fields);
  const hasKey = spec.fields.some((f) => f.kind === 'path' && f.key === true);
  const alternatives = parseItem(spec.item);
  // The common case, one plain item element, is told by one comparison per element.
  const single = alternatives.size === 1 ? [...alternatives.values()][0] : undefined;
  const singleName = single && single.child === undefined ? [...alternatives.keys()][0] : undefined;
  const loose = looseBlocks(alternatives, spec.fields);
  /** The loose children of the loose block open now, gathered into one item. */
  let gathered: XmlNode | undefined;
  const values = new Map((spec.values ?? []).map((name) => [name, [] as TableTally[]]));
  const opened = new Map((spec.opened ?? []).map((name) => [name, 0]));
  const NewRecord = recordConstructor();
  let count = 0;
  let skipped = 0;
  let invalid: TableValueError | undefined;
  let invalidCount = 0;

  /** A field whose text does not fit, kept until the record is known to be kept (a keyless record is left out whole). */
  const misfit = (record: number, field: string, path: string, p: Problem) => new TableValueError(spec.item, record, field, path, p.text, p.problem);

  const readItem = (el: XmlNode, group: XmlNode | undefined): void => {
    count++;
    const record = new NewRecord();
    let keyless = false;
    let bad: TableValueError | undefined;
    let badCount = 0;
    for (let i = 0; i < fields.length && !keyless; i++) {
      const c = fields[i];
      const f = c.field;
      if (f.kind === 'context') {
        record[f.name] = f.context === 'node' ? (nodes.node ?? null) : f.context === 'spu' ? (spus.spu ?? null) : (group ?? el).name;
        continue;
      }
      if (f.kind === 'list') {
        const read = readList(el, group, f, c.sub!, nodes.node, spus.spu);
        if (Array.isArray(read)) record[f.name] = read;
        else {
          badCount++;
          bad ??= misfit(count, `${f.name}.${read.field}`, read.path, read);
          record[f.name] = null;
        }
        continue;
      }
      const read = c.plain ? readField(el, f, c.pool) : readExtended(el, group, c);
      if (f.key === true && (read === null || typeof read === 'object')) keyless = true;
      else if (typeof read === 'object' && read !== null) {
        badCount++;
        bad ??= misfit(count, f.name, pathText(f.path), read);
        record[f.name] = null;
      } else record[f.name] = read;
    }
    if (keyless) skipped++;
    else if (bad !== undefined) {
      // Read on to the end of the reply (the session stays usable), then fail: result() throws.
      invalidCount += badCount;
      invalid ??= bad;
    } else if (onRecord) onRecord(record as R);
    else records.push(record as R);
    if (options.onProgress && count % every === 0) options.onProgress(count);
  };

  return {
    items: new Set([...[...alternatives].filter(([, a]) => a.child !== '*').map(([name]) => name), ...loose.children, ...values.keys(), ...NodeTracker.ITEMS, ...SpuTracker.ITEMS]),
    keep: keptNames(spec.fields, alternatives),
    textOf: textNames(spec, alternatives),
    onOpen(name) {
      nodes.open(name);
      spus.open(name);
      if (loose.blocks.has(name)) gathered = undefined;
      const n = opened.get(name);
      if (n !== undefined) opened.set(name, n + 1);
    },
    onClose(name) {
      if (gathered !== undefined && loose.blocks.has(name)) {
        readItem(gathered, undefined);
        gathered = undefined;
      }
      nodes.close(name);
    },
    onElement(el, path) {
      if (singleName !== undefined) {
        if (el.name === singleName) return readItem(el, undefined);
      } else {
        const alt = alternatives.get(el.name);
        if (alt !== undefined) return readAlternative(el, alt);
      }
      if (nodes.take(el) || spus.take(el)) return;
      if (loose.children.has(el.name) && loose.blocks.has(path[path.length - 1])) {
        gathered ??= { name: path[path.length - 1], attrs: {}, children: [], text: '' };
        gathered.children.push(el);
        return;
      }
      const list = values.get(el.name);
      const n = list && parseUint(el.text);
      if (list && n !== undefined) list.push(nodes.node === undefined ? { value: n } : { value: n, node: nodes.node });
    },
    result: () => {
      if (invalid) throw new TableValueError(invalid.item, invalid.record, invalid.field, invalid.path, invalid.value, invalid.reason, invalidCount - 1);
      return {
        count,
        records,
        nodes: nodes.seen,
        ...(hasKey ? { skipped } : {}),
        ...(values.size > 0 ? { values: Object.fromEntries(values) } : {}),
        ...(opened.size > 0 ? { opened: Object.fromEntries(opened) } : {}),
      };
    },
  };

  function readAlternative(el: XmlNode, alt: ItemAlternative): void {
    if (alt.child === undefined) return readItem(el, undefined);
    for (const c of el.children) if (c.name === alt.child) readItem(c, el);
  }
}

/**
 * One alternative of a table's item: the element selected; for `group/item` the child read;
 * for `block/*` (child '*') the block's loose children, gathered as one item until it closes.
 */
interface ItemAlternative {
  readonly child?: string;
}

/** `a | g/b | c/*` → a: {}, g: {child: b}, c: {child: *}, keyed by the element named first. */
function parseItem(item: string): Map<string, ItemAlternative> {
  const alternatives = new Map<string, ItemAlternative>();
  for (const part of item.split('|')) {
    const [first, child] = part.trim().split('/');
    alternatives.set(first, child !== undefined ? { child } : {});
  }
  return alternatives;
}

/**
 * The loose blocks of a table (`block/*`) and the children gathered from them: the first
 * element of every field path. The filtered flow summary writes its counters straight
 * into `<flow-session-information>`, which on other releases wraps everything.
 */
function looseBlocks(alternatives: ReadonlyMap<string, ItemAlternative>, fields: readonly TableField[]): { blocks: ReadonlySet<string>; children: ReadonlySet<string> } {
  const blocks = new Set([...alternatives].filter(([, a]) => a.child === '*').map(([name]) => name));
  const children = new Set<string>();
  if (blocks.size === 0) return { blocks, children };
  for (const f of fields) {
    if (f.kind === 'context') continue;
    for (const p of [f.path, ...(f.kind === 'path' ? (f.or ?? []).map((a) => a.path) : [])]) if (p.length > 0 && p[0].name !== '..') children.add(p[0].name);
  }
  return { blocks, children };
}

/** A field made ready to read: its value pool, its compiled patterns, its sub-fields. */
interface CompiledField {
  readonly field: TableField;
  readonly pool: ValuePool;
  /** A path field with nothing but a path, a type and checks: read by the fast reader. */
  readonly plain: boolean;
  /** The patterns of the path and of each alternative, in order. */
  readonly patterns: readonly (RegExp | undefined)[];
  readonly sub?: readonly CompiledField[];
}

function compileFields(fields: readonly TableField[]): CompiledField[] {
  return fields.map((field) => {
    if (field.kind !== 'path') return { field, pool: new ValuePool(), plain: false, patterns: [], ...(field.kind === 'list' ? { sub: compileFields(field.fields) } : {}) };
    const plain = field.or === undefined && field.pattern === undefined && field.map === undefined && field.lenient !== true && field.key !== true && !field.path.some((s) => s.name === '..');
    const compile = (p: string | undefined) => (p === undefined ? undefined : new RegExp(p));
    return { field, pool: new ValuePool(), plain, patterns: [compile(field.pattern), ...(field.or ?? []).map((a) => compile(a.pattern))] };
  });
}

/** Everything a table's paths and items name: the parts of an item the table reads (see ElementHandler.keep). */
function keptNames(fields: readonly TableField[], alternatives: ReadonlyMap<string, ItemAlternative>): Set<string> {
  const names = new Set<string>();
  const addPath = (path: readonly TablePathStep[]) => {
    for (const step of path) {
      if (step.name !== '..') names.add(step.name);
      if (step.where) names.add(step.where.child);
    }
  };
  eachFieldPath(fields, addPath);
  for (const alt of alternatives.values()) if (alt.child !== undefined && alt.child !== '*') names.add(alt.child);
  return names;
}

/**
 * The elements whose own text a table reads: the last element of every path, the child a
 * predicate compares, and the elements outside the items read for their text (cluster
 * node, SPU, `values`). Items and the elements on the way to a field keep only their
 * children (see ElementHandler.textOf).
 */
function textNames(spec: TableSpec, alternatives: ReadonlyMap<string, ItemAlternative>): Set<string> {
  const names = new Set<string>([...NodeTracker.ITEMS, ...SpuTracker.ITEMS, ...(spec.values ?? [])]);
  const addPath = (path: readonly TablePathStep[]) => {
    for (const step of path) if (step.where) names.add(step.where.child);
    const last = path[path.length - 1];
    if (last === undefined) return;
    // `..` alone reads the group's own text.
    if (last.name === '..') for (const name of alternatives.keys()) names.add(name);
    else names.add(last.name);
  };
  eachFieldPath(spec.fields, addPath);
  return names;
}

/** Every path a table's fields read: list fields' own fields and each field's alternatives (`or`) included. */
function eachFieldPath(list: readonly TableField[], visit: (path: readonly TablePathStep[]) => void): void {
  for (const f of list) {
    if (f.kind === 'context') continue;
    visit(f.path);
    if (f.kind === 'list') eachFieldPath(f.fields, visit);
    else for (const a of f.or ?? []) visit(a.path);
  }
}

/**
 * A constructor of plain records (their prototype is Object.prototype, like a literal's).
 * V8 sizes the objects a constructor makes to the fields they end up holding, about 40
 * bytes for a one-field record against 64 for `{}`: a million records notice. One per
 * table, so each is sized for its own fields.
 */
function recordConstructor(): new () => TableRow {
  const NewRecord = function (this: TableRow) {} as unknown as new () => TableRow;
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

type Scalar = string | number | null;

/** Why a device's text does not fit a field: the text (undefined when absent) and the reason. */
interface Problem {
  readonly text: string | undefined;
  readonly problem: string;
}

/** A record's value for one plain field, or why the device's text does not fit the field. */
function readField(item: XmlNode, f: TablePathField, pool: ValuePool): Scalar | Problem {
  let cur: XmlNode | undefined = item;
  for (const step of f.path) {
    cur = cur.children.find((c) => c.name === step.name && (!step.where || childText(c, step.where.child) === step.where.equals));
    if (!cur) return f.required ? { text: undefined, problem: `which the field requires (${f.type})` } : null;
  }
  const text = cur.text.trim();
  if (text === '') return f.required ? { text: cur.text, problem: `empty, which the field requires (${f.type})` } : null;
  return typedValue(text, f, pool);
}

/**
 * A field with alternatives, a pattern, a map, a group path (`..`) or leniency: the first
 * place with text gives it, its pattern and the map narrow it, then its type is checked.
 */
function readExtended(item: XmlNode, group: XmlNode | undefined, c: CompiledField): Scalar | Problem {
  const f = c.field as TablePathField;
  let text = textAt(item, group, f.path);
  let pattern = c.patterns[0];
  for (let j = 0; text === undefined && f.or !== undefined && j < f.or.length; j++) {
    text = textAt(item, group, f.or[j].path);
    pattern = c.patterns[j + 1];
  }
  if (text !== undefined && pattern !== undefined) {
    const m = pattern.exec(text);
    text = m ? (m[1] ?? m[0]).trim() || undefined : undefined;
  }
  if (text !== undefined && f.map !== undefined) {
    const key = text.toLowerCase();
    text = Object.hasOwn(f.map, key) ? f.map[key] : undefined;
  }
  if (text === undefined) return f.required ? { text: undefined, problem: `which the field requires (${f.type})` } : null;
  const value = typedValue(text, f, c.pool);
  return f.lenient === true && typeof value === 'object' ? null : value;
}

/** The trimmed text at a path inside an item (`..` is the item's group), or undefined when there is none. */
function textAt(item: XmlNode, group: XmlNode | undefined, path: readonly TablePathStep[]): string | undefined {
  let cur: XmlNode | undefined = item;
  for (const step of path) {
    cur = step.name === '..' ? (cur === item ? group : undefined) : cur.children.find((c) => c.name === step.name && (!step.where || childText(c, step.where.child) === step.where.equals));
    if (!cur) return undefined;
  }
  const text = cur.text.trim();
  return text === '' ? undefined : text;
}

/** A list field's sub-records, one per repeated element; or the first sub-field that does not fit. */
function readList(item: XmlNode, group: XmlNode | undefined, f: TableListField, sub: readonly CompiledField[], node: string | undefined, spu: string | undefined): TableRow[] | (Problem & { field: string; path: string }) {
  let parent: XmlNode | undefined = item;
  for (const step of f.path.slice(0, -1)) {
    parent = step.name === '..' ? (parent === item ? group : undefined) : parent.children.find((c) => c.name === step.name);
    if (!parent) return [];
  }
  const last = f.path[f.path.length - 1];
  const out: TableRow[] = [];
  for (const el of parent.children) {
    if (el.name !== last.name || (last.where && childText(el, last.where.child) !== last.where.equals)) continue;
    const record: TableRow = {};
    for (const c of sub) {
      const s = c.field;
      if (s.kind === 'context') record[s.name] = s.context === 'node' ? (node ?? null) : s.context === 'spu' ? (spu ?? null) : el.name;
      else if (s.kind === 'list') {
        const read = readList(el, undefined, s, c.sub!, node, spu);
        if (!Array.isArray(read)) return { ...read, field: `${s.name}.${read.field}` };
        record[s.name] = read;
      } else {
        const read = c.plain ? readField(el, s, c.pool) : readExtended(el, undefined, c);
        if (typeof read === 'object' && read !== null) return { ...read, field: s.name, path: pathText(s.path) };
        record[s.name] = read;
      }
    }
    out.push(record);
  }
  return out;
}

/** Text checked against a field's type: the value, or why it does not fit. */
function typedValue(text: string, f: TablePathField, pool: ValuePool): Scalar | Problem {
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

/** Parses `a/b[c='v']/d` (or `../a`: in the item's group) into steps; undefined with a reason when it is not a path. */
export function parseTablePath(source: string): { steps: TablePathStep[] } | { error: string } {
  const steps: TablePathStep[] = [];
  for (const [i, part] of source.split('/').entries()) {
    if (part.trim() === '..' && i === 0) {
      steps.push({ name: '..' });
      continue;
    }
    const m = /^([A-Za-z_][\w.-]*)(?:\[\s*([A-Za-z_][\w.-]*)\s*=\s*(?:'([^']*)'|"([^"]*)"|([^\]'"\s]+))\s*\])?$/.exec(part.trim());
    if (!m) return { error: `'${part}' is not an element name or name[child='value']` };
    const equals = m[3] ?? m[4] ?? m[5];
    steps.push(m[2] !== undefined && equals !== undefined ? { name: m[1], where: { child: m[2], equals } } : { name: m[1] });
  }
  return { steps };
}
