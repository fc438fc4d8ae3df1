/**
 * What checks read and what they give: tables of records as a collect step registered
 * them, and results as plain data (the terminal, JSON output and, later, the report read
 * only these).
 */
import type { CheckValue } from '../contracts/checks.ts';

export type { CheckItem, CheckPhase, CheckResult, CheckValue, ItemFailure } from '../contracts/checks.ts';

export type CheckRecord = Readonly<Record<string, CheckValue>>;

/** One snapshot's tables by register name; a table absent here was not collected. */
export type SnapshotTables = Readonly<Record<string, readonly CheckRecord[]>>;
