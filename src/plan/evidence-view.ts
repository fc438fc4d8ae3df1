import type { Table } from './view.ts';
import { visible } from './visible.ts';

/**
 * Evidence is whatever a playbook's plan step named, so it is shown by its shape, not by
 * its names: scalars in one name/value table, each list of records as a table of its own
 * with the records' keys as columns, each mapping as a name/value table.
 */
export function evidenceTables(evidence: Readonly<Record<string, unknown>>): Table[] {
  const scalars: unknown[][] = [];
  const others: Table[] = [];
  for (const [name, value] of Object.entries(evidence)) {
    if (isRecordList(value)) others.push(recordTable(name, value));
    else if (isRecord(value)) others.push(table(name, ['name', 'value'], Object.entries(value).map(([k, v]) => [k, v])));
    else scalars.push([name, value]);
  }
  const first = scalars.length > 0 ? [table('Evidence', ['name', 'value'], scalars)] : [];
  return [...first, ...others];
}

/**
 * The few values a reviewer scans the summary table for: the plan's named scalars (AH
 * sessions, unique peers) and, for each list of records, the first field of each (the
 * peers to clear). Collect counts (`ah.count`) stand in when the plan step never ran.
 */
export function keyEvidence(evidence: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(evidence);
  const named = entries.filter(([name]) => !name.includes('.'));
  const parts: string[] = [];
  const listed = new Set<string>();
  for (const [name, value] of named.length > 0 ? named : entries) {
    if (isRecordList(value)) {
      const firsts = value.map((r) => cell(Object.values(r)[0]));
      // Plans often list the same records twice, the second time enriched (top_peers,
      // then indexes per peer): the second would tell the reviewer nothing new.
      const id = JSON.stringify(firsts);
      if (listed.has(id)) continue;
      listed.add(id);
      parts.push(`${name} ${abbreviate(firsts)}`);
    } else if (Array.isArray(value) && value.length === 0) {
      parts.push(`${name} none`);
    } else if (!isRecord(value)) {
      parts.push(`${name} ${cell(value)}`);
    }
  }
  return parts.join('; ');
}

/** One value as a table cell: lists of scalars joined by spaces (tunnel indexes), anything deeper as JSON. */
export function cell(value: unknown): string {
  if (typeof value === 'string') return visible(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (value === undefined) return '';
  if (Array.isArray(value)) {
    if (value.length === 0) return '(none)';
    if (value.every((v) => !isRecord(v) && !Array.isArray(v))) return value.map(cell).join(' ');
  }
  return visible(JSON.stringify(value));
}

function recordTable(name: string, records: readonly Record<string, unknown>[]): Table {
  const keys: string[] = [];
  for (const r of records) for (const k of Object.keys(r)) if (!keys.includes(k)) keys.push(k);
  return table(name, keys, records.map((r) => keys.map((k) => r[k])));
}

/** Columns holding only numbers are right-aligned, as counts are easier compared that way. */
function table(title: string, names: readonly string[], rows: readonly (readonly unknown[])[]): Table {
  const columns = names.map((n, i) => {
    const values = rows.map((r) => r[i]).filter((v) => v !== undefined);
    return { name: visible(n), numeric: values.length > 0 && values.every((v) => typeof v === 'number') };
  });
  return { title: visible(title), columns, rows: rows.map((r) => names.map((_, i) => cell(r[i]))) };
}

function abbreviate(values: readonly string[], max = 3): string {
  const shown = values.slice(0, max).join(', ');
  return values.length > max ? `${shown} and ${values.length - max} more` : shown;
}

function isRecordList(value: unknown): value is Record<string, unknown>[] {
  return Array.isArray(value) && value.length > 0 && value.every(isRecord);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
