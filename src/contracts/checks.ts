/**
 * What a JSNAPy-style check found, as plain data: the host result, the report, the plan
 * and `runbook check` carry these (checks/ computes them).
 */

/** Operators that read two snapshots, items matched by key: pre against post. */
export type CompareOperator = 'no-diff' | 'delta' | 'list-not-less' | 'list-not-more';
/** Operators that read one snapshot (pre, post or each). */
export type SingleOperator = 'in-range' | 'is-equal' | 'not-equal' | 'is-gt' | 'is-lt' | 'all-same' | 'exists' | 'not-exists';
export type CheckOperator = CompareOperator | SingleOperator;

export type CheckValue = string | number | null;

/** Which snapshot a result is about: one of them, or pre compared with post. */
export type CheckPhase = 'pre' | 'post' | 'pre-post';

/** One item that failed: which (by key), what it held and, for delta, by how much. */
export interface ItemFailure {
  /** The item's key fields and values; `#N` (1-based record position) when the check has no key. */
  readonly key: Readonly<Record<string, CheckValue>>;
  /** The field's value(s) in pre and post; a list when several records share the key. */
  readonly pre?: CheckValue | readonly CheckValue[];
  readonly post?: CheckValue | readonly CheckValue[];
  /** delta: post − pre, and that as a % of pre (absent when pre is 0). */
  readonly delta?: number;
  readonly deltaPercent?: number;
  /** delta: the bound as written and the range it allows; in-range: the range. */
  readonly bound?: string;
  readonly allowed?: { readonly min: number; readonly max: number };
  /** A sentence for a person: why this item failed. */
  readonly reason: string;
}

/** One item a check looked at, passed or not: its key and figures, so a passing check shows what it saw. */
export interface CheckItem {
  readonly key: Readonly<Record<string, CheckValue>>;
  /** The field's value(s) in pre and post (the snapshot(s) the check read); a list when several records share the key. */
  readonly pre?: CheckValue | readonly CheckValue[];
  readonly post?: CheckValue | readonly CheckValue[];
  /** post − pre, when both are one number. */
  readonly delta?: number;
}

export interface CheckResult {
  readonly name: string;
  readonly op: CheckOperator;
  readonly table: string;
  readonly field?: string;
  readonly key: readonly string[];
  readonly phase: CheckPhase;
  readonly passed: boolean;
  /** Items looked at. */
  readonly checked: number;
  /** Why the check failed as a whole (the table is missing or empty), when it did. */
  readonly reason?: string;
  readonly failures: readonly ItemFailure[];
  /** The items looked at with their figures, the first CHECK_ITEMS_KEPT of them. */
  readonly items: readonly CheckItem[];
  /** Items looked at but not kept in `items` (absent when none were left out). */
  readonly truncated?: number;
}

/** Items a result keeps figures for: enough for an auditor, bounded for a 1000-peer table. */
export const CHECK_ITEMS_KEPT = 50;

/** A host's checks in a run: pre before acting, post after (absent when they did not run). */
export interface HostChecks {
  readonly pre?: readonly CheckResult[];
  readonly post?: readonly CheckResult[];
}
