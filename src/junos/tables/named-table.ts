import type { Extractor } from '../extractor.ts';
import { parseTablePath, tableExtractor, type TableAlternative, type TableField, type TableListField, type TablePathField, type TableResult, type TableRow, type TableSpec } from '../table.ts';

/**
 * A named table, as PyEZ's Tables and Views: the RPC, the item each record is read from,
 * the fields with their declared types, all as data. Playbooks name it (`table:
 * flow-sessions`), `runbook rpc --format json` reads the RPC's reply with it, and the
 * fixture tests hold it to the captured replies.
 */
export interface NamedTable<V = unknown, R = unknown> {
  readonly name: string;
  /** One line: what the table reads. */
  readonly description: string;
  readonly rpc: string;
  /** Arguments that select this reply shape of the RPC (`summary`): a playbook's call gets them, and `rpc` picks the table by them. */
  readonly args?: Readonly<Record<string, true>>;
  readonly spec: TableSpec;
  /** The JSON `runbook rpc --format json` prints: the records under their plural, and what is summed from them. */
  readonly view: (result: TableResult<TableRow>) => V;
  /** One record as the view shows it (absent fields left out). */
  readonly viewRecord: (record: TableRow) => R;
}

/** Options of a path field, as a playbook writes them, plus the named tables' own. */
type PathOptions = Partial<Omit<TablePathField, 'name' | 'kind' | 'path' | 'or'>> & { readonly or?: readonly { readonly path: string; readonly pattern?: string }[] };

/**
 * A path field from its written form: `a | ../a` lists places tried in order (`..` is the
 * item's group); `options.pattern` applies to each of them, `options.or` adds places with
 * their own pattern.
 */
export function pathField(name: string, source: string, options: PathOptions = {}): TablePathField {
  const [first, ...rest] = source.split('|').map(steps);
  const { or, ...checks } = options;
  const alternatives: TableAlternative[] = [
    ...rest.map((path) => ({ path, ...(checks.pattern !== undefined ? { pattern: checks.pattern } : {}) })),
    ...(or ?? []).map((a) => ({ path: steps(a.path), ...(a.pattern !== undefined ? { pattern: a.pattern } : {}) })),
  ];
  return { name, kind: 'path', path: first, type: 'string', ...checks, ...(alternatives.length > 0 ? { or: alternatives } : {}) };
}

/** A non-negative count or id: text that is not one reads as null ("N/A"), as Junos pads many counters. */
export function countField(name: string, source: string, options: PathOptions = {}): TablePathField {
  return pathField(name, source, { type: 'integer', minimum: 0, lenient: true, ...options });
}

export function listField(name: string, source: string, fields: readonly TableField[]): TableListField {
  return { name, kind: 'list', path: steps(source), fields };
}

export function contextField(name: string, context: 'node' | 'spu' | 'item'): TableField {
  return { name, kind: 'context', context };
}

function steps(source: string) {
  const parsed = parseTablePath(source.trim());
  if ('error' in parsed) throw new Error(`table path '${source}': ${parsed.error}`);
  return parsed.steps;
}

/**
 * A reader of a named table's reply whose result is the table's view. With `onRecord`,
 * records are handed over as they stream by (in the view's form) instead of being kept.
 */
export function viewReader<V, R>(table: NamedTable<V, R>, options: { readonly onRecord?: (record: R) => void } = {}): Extractor<V> {
  const { onRecord } = options;
  const reader = tableExtractor<TableRow>(table.spec, onRecord ? { onRecord: (r) => onRecord(table.viewRecord(r)) } : {});
  return Object.assign(Object.create(reader) as Extractor<V>, { result: () => table.view(reader.result()) });
}

/** A record without its null fields, except those named: the view's form of a record. */
export function withoutNulls<T>(record: TableRow, keep: readonly string[] = []): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    const v = record[key];
    if (v !== null || keep.includes(key)) out[key] = v;
  }
  return out as T;
}
