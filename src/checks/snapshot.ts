/**
 * The snapshot file (`runbook-snapshot/1`): one host's collected tables at one moment,
 * named (pre, post, ...), with the playbook it was taken with. It holds what the device
 * answered to read-only RPCs and nothing of how the device was reached: no address,
 * user, key or password.
 */
import { InputError } from '../contracts/input-error.ts';
import type { CheckRecord, SnapshotTables } from './types.ts';

export const SNAPSHOT_FORMAT = 'runbook-snapshot/1';

export interface SnapshotTable {
  /** The collect step's RPC. */
  readonly rpc: string;
  readonly count: number;
  readonly records: readonly CheckRecord[];
}

export interface Snapshot {
  readonly format: typeof SNAPSHOT_FORMAT;
  /** The name it was taken under (`--name pre`). */
  readonly name: string;
  readonly host: string;
  /** ISO time the first RPC was sent. */
  readonly takenAt: string;
  readonly runbook: string;
  readonly playbook: { readonly file: string; readonly name: string; readonly sha256: string };
  /** Collected tables by register name. */
  readonly tables: Readonly<Record<string, SnapshotTable>>;
  /** Collect steps not run, by register name, and why (their arguments read what only a full run computes). */
  readonly skipped: Readonly<Record<string, string>>;
}

/** The records of each table, as the checks read them. */
export function tablesOf(snapshot: Snapshot): SnapshotTables {
  return Object.fromEntries(Object.entries(snapshot.tables).map(([name, t]) => [name, t.records]));
}

/** A snapshot file that cannot be read: the file, where in it, and what is wrong. */
export class SnapshotError extends InputError {
  override readonly name = 'SnapshotError';
}

/**
 * Parsed JSON → a Snapshot, or a SnapshotError naming the file and the JSON path of the
 * first thing that is not as `runbook snapshot` writes it.
 */
export function snapshotFromData(data: unknown, file: string): Snapshot {
  const fail = (path: string, message: string): never => {
    throw new SnapshotError(`${file}: ${path === '' ? '' : `${path}: `}${message}`);
  };
  if (!isObject(data)) return fail('', 'not a runbook snapshot (expected a JSON object)');
  if (data.format !== SNAPSHOT_FORMAT) return fail('format', `not a runbook snapshot: format is ${JSON.stringify(data.format ?? null)}, expected "${SNAPSHOT_FORMAT}"`);
  for (const key of ['name', 'host', 'takenAt', 'runbook'] as const) if (typeof data[key] !== 'string') fail(key, 'must be a string');
  const playbook = data.playbook;
  if (!isObject(playbook)) return fail('playbook', 'must be an object');
  for (const key of ['file', 'name', 'sha256'] as const) if (typeof playbook[key] !== 'string') fail(`playbook.${key}`, 'must be a string');
  if (!isObject(data.tables)) return fail('tables', 'must be an object');
  for (const [name, table] of Object.entries(data.tables)) {
    const at = `tables.${name}`;
    if (!isObject(table)) return fail(at, 'must be an object');
    if (typeof table.rpc !== 'string') fail(`${at}.rpc`, 'must be a string');
    if (typeof table.count !== 'number') fail(`${at}.count`, 'must be a number');
    if (!Array.isArray(table.records)) return fail(`${at}.records`, 'must be a list');
    table.records.forEach((record: unknown, i) => {
      if (!isObject(record)) return fail(`${at}.records[${i}]`, 'must be an object');
      for (const [field, value] of Object.entries(record)) {
        if (value !== null && typeof value !== 'string' && typeof value !== 'number') fail(`${at}.records[${i}].${field}`, 'must be a string, a number or null');
      }
    });
  }
  if (data.skipped !== undefined && !isObject(data.skipped)) fail('skipped', 'must be an object');
  return { ...(data as unknown as Snapshot), skipped: (data.skipped as Snapshot['skipped'] | undefined) ?? {} };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
