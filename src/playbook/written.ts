/**
 * The written form: what a playbook's YAML holds once the schema accepted it
 * (schemas/playbook.schema.json). Only the loader reads it; everything else uses the
 * normalised form in types.ts.
 */
import type { FieldType, VarType } from './types.ts';

export type WrittenScalar = string | number | boolean;

export interface WrittenBounds {
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
}

export interface WrittenVarSpec extends WrittenBounds {
  readonly type?: VarType;
  readonly default: WrittenScalar;
  readonly description?: string;
  readonly enum?: readonly (string | number)[];
  readonly override?: WrittenBounds;
  /** The name of another number var this one must stay below (low_watermark below high_watermark). */
  readonly less_than?: string;
}

/** A bare value is the var's default. */
export type WrittenVar = WrittenScalar | WrittenVarSpec;

export type WrittenLogLine = string | { readonly say: string; readonly level?: number; readonly each?: string; readonly as?: string };

export type WrittenArgs = Readonly<Record<string, WrittenScalar>>;

export type WrittenField = string | { readonly path: string; readonly type?: FieldType; readonly minimum?: number; readonly maximum?: number; readonly required?: boolean };

/** A collect step: a named table (`table: flow-sessions`), or its own rpc, item and fields. */
export interface WrittenCollect {
  readonly table?: string;
  readonly rpc?: string;
  readonly args?: WrittenArgs;
  readonly item?: string;
  readonly fields?: Readonly<Record<string, WrittenField>>;
}

export interface WrittenJoin {
  readonly with: string;
  readonly on: Readonly<Record<string, string>>;
  readonly collect: string;
  readonly as: string;
  readonly distinct?: boolean;
}

/** One pipeline operation: exactly one of these keys is set. */
export interface WrittenOp {
  readonly filter?: string;
  readonly count_by?: string;
  readonly sort?: { readonly by: string; readonly order?: 'asc' | 'desc' };
  readonly limit?: string | number;
  readonly set?: Readonly<Record<string, string>>;
  readonly join?: WrittenJoin;
}

export interface WrittenAnalyze {
  readonly from?: string;
  readonly pipeline?: readonly WrittenOp[];
  readonly require?: string;
  readonly otherwise?: string;
  readonly evidence?: Readonly<Record<string, string>>;
}

/** One action: an RPC (`rpc`) or configuration statements (`config`); the schema allows exactly one. */
export interface WrittenAction {
  readonly rpc?: string;
  readonly config?: readonly string[];
  readonly args?: WrittenArgs;
  readonly for_each?: string;
  readonly as?: string;
  /** States the wide form of a clear (see the schema). */
  readonly all?: boolean;
}

export interface WrittenPlan {
  readonly for_each?: string;
  readonly as?: string;
  readonly actions: readonly WrittenAction[];
  readonly evidence?: Readonly<Record<string, string>>;
}

/** `act:` with nothing after it is null. */
export type WrittenAct = {
  readonly on_error?: 'continue' | 'stop';
  readonly verify?: readonly string[];
  readonly verify_that?: readonly string[];
  readonly confirm_timeout?: number;
  readonly commit_comment?: string;
  readonly allow_plan_subset?: boolean;
} | null;

export interface WrittenStep {
  readonly name: string;
  readonly when?: string;
  readonly register?: string;
  readonly log?: readonly WrittenLogLine[];
  readonly syslog?: string;
  readonly collect?: WrittenCollect;
  readonly analyze?: WrittenAnalyze;
  readonly plan?: WrittenPlan;
  readonly act?: WrittenAct;
}

export interface WrittenPlaybook {
  readonly name: string;
  readonly description?: string;
  readonly ticket?: string;
  readonly hosts?: string;
  readonly vars?: Readonly<Record<string, WrittenVar>>;
  readonly syslog?: { readonly start?: string; readonly end?: string };
  readonly notify?: readonly WrittenNotify[];
  readonly forks?: number;
  readonly serial?: number | string | readonly (number | string)[];
  readonly max_fail_percentage?: number;
  readonly any_errors_fatal?: boolean;
  readonly connect_retries?: number;
  readonly timeouts?: { readonly connect?: number; readonly rpc?: number; readonly rpc_deadline?: number; readonly host?: number };
  readonly steps: readonly WrittenStep[];
  readonly checks?: readonly WrittenCheck[];
}

/** A check: a table, a field, a key and exactly one operator key (the schema sees to that) holding its argument. */
export interface WrittenCheck {
  readonly name?: string;
  readonly table: string;
  readonly key?: string | readonly string[];
  readonly field?: string;
  readonly on?: 'pre' | 'post' | 'both';
  readonly allow_empty?: boolean;
  readonly where?: string;
  readonly 'no-diff'?: true;
  /** A string as the schema says; a number is refused by the loader, which says why (YAML drops +5's sign). */
  readonly delta?: string | number;
  readonly 'list-not-less'?: true;
  readonly 'list-not-more'?: true;
  readonly 'in-range'?: readonly [number, number];
  readonly 'is-equal'?: string | number;
  readonly 'not-equal'?: string | number;
  readonly 'is-gt'?: number;
  readonly 'is-lt'?: number;
  readonly 'all-same'?: true;
  readonly exists?: true;
  readonly 'not-exists'?: true;
}

export interface WrittenNotify {
  readonly url?: string;
  readonly url_env?: string;
  readonly format?: 'generic' | 'slack' | 'teams';
  readonly on?: 'always' | 'failure';
}
