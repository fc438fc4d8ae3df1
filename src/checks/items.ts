import { COUNT_FIELD } from '../playbook/types.ts';
import { CHECK_ITEMS_KEPT, type CheckItem } from '../contracts/checks.ts';
import type { CheckRecord, CheckValue } from './types.ts';

/** Records that share a key: one item of a check, matched across snapshots by its key. */
export interface Item {
  readonly key: Readonly<Record<string, CheckValue>>;
  readonly records: readonly CheckRecord[];
}

/**
 * Records grouped by their key fields, in order of first appearance. With no key
 * fields the whole table is one item (what `$count` reads as the table's size).
 */
export function groupByKey(records: readonly CheckRecord[], key: readonly string[]): Map<string, Item> {
  const items = new Map<string, { key: Record<string, CheckValue>; records: CheckRecord[] }>();
  for (const record of records) {
    const values = key.map((k) => record[k] ?? null);
    const id = JSON.stringify(values);
    let item = items.get(id);
    if (!item) {
      item = { key: Object.fromEntries(key.map((k, i) => [k, values[i] ?? null])), records: [] };
      items.set(id, item);
    }
    item.records.push(record);
  }
  return items;
}

/**
 * The items a single-snapshot check looks at: each record, named by its key fields (or
 * by its position, `#`, without a key); for `$count`, the groups of records by key.
 */
export function singleItems(records: readonly CheckRecord[], key: readonly string[], field: string | undefined): Item[] {
  // Without a key, $count is the table's size: an empty table is one item of 0 records.
  if (field === COUNT_FIELD) return key.length === 0 && records.length === 0 ? [{ key: {}, records: [] }] : [...groupByKey(records, key).values()];
  return records.map((record, i) => ({
    key: key.length > 0 ? Object.fromEntries(key.map((k) => [k, record[k] ?? null])) : { '#': i + 1 },
    records: [record],
  }));
}

/** The item's values of the field: the record count for `$count`, else one value per record. */
export function valuesOf(item: Item, field: string): CheckValue[] {
  if (field === COUNT_FIELD) return [item.records.length];
  return item.records.map((r) => r[field] ?? null);
}

/** One value, or the list when several records share the key: what a failure shows. */
export function shown(values: readonly CheckValue[]): CheckValue | readonly CheckValue[] {
  return values.length === 1 ? (values[0] ?? null) : values;
}

/** A number, or a string that is exactly one (`" 42 "`, `1e3`); anything else is not a number. */
export function numeric(value: CheckValue): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** Equal as numbers when both are numbers, else as text; null equals only null. */
export function sameValue(a: CheckValue, b: CheckValue): boolean {
  if (a === null || b === null) return a === b;
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined && y !== undefined) return x === y;
  return String(a) === String(b);
}

/** The first CHECK_ITEMS_KEPT items a result keeps, and how many it left out. */
export function keptItems(items: readonly CheckItem[]): { items: CheckItem[]; truncated?: number } {
  const left = items.length - CHECK_ITEMS_KEPT;
  return { items: items.slice(0, CHECK_ITEMS_KEPT), ...(left > 0 ? { truncated: left } : {}) };
}

/** An item's figures on the sides it has, and post − pre when both are one number. */
export function itemFigures(key: Item['key'], pre: readonly CheckValue[] | undefined, post: readonly CheckValue[] | undefined): CheckItem {
  const a = pre?.length === 1 ? numeric(pre[0] ?? null) : undefined;
  const b = post?.length === 1 ? numeric(post[0] ?? null) : undefined;
  return { key, ...(pre ? { pre: shown(pre) } : {}), ...(post ? { post: shown(post) } : {}), ...(a !== undefined && b !== undefined ? { delta: b - a } : {}) };
}
