/**
 * The normalised form of a playbook: what the engine runs. The YAML a user writes (the
 * written form, described by schemas/playbook.schema.json) is validated, defaults are
 * filled in, expressions are compiled and references checked before this exists; the
 * engine never reads YAML.
 */
import type { CheckOperator, CompareOperator, SingleOperator } from '../contracts/checks.ts';
import type { SourceSpan } from '../contracts/source-span.ts';
import type { Expression, Template } from '../expr/types.ts';
import type { TableField, TableListField } from '../junos/table.ts';

export type VarType = 'integer' | 'number' | 'string' | 'boolean';

export interface Bounds {
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
}

export interface VarSpec {
  readonly name: string;
  readonly type: VarType;
  readonly default: string | number | boolean;
  readonly description?: string;
  /** Checked on every value, wherever it comes from. */
  readonly bounds: Bounds;
  /** Checked in addition on values given with -e, as the seed checks its command-line arguments. */
  readonly overrideBounds: Bounds;
  readonly enum?: readonly (string | number)[];
  /** Another number var this one's value must be below, wherever either value comes from. */
  readonly lessThan?: string;
}

/** One line of step output: a template, or a template said once per element of a list. */
export type LogLine =
  | { readonly kind: 'say'; readonly text: Template; readonly level: number }
  | { readonly kind: 'each'; readonly each: Expression; readonly as: string; readonly text: Template; readonly level: number };

interface StepBase {
  /** 0-based position in the playbook's steps. */
  readonly index: number;
  readonly name: string;
  readonly at: SourceSpan;
  /** Skip the step when this is false. */
  readonly when?: Expression;
  /** The name its output is known by to later steps. */
  readonly register?: string;
  readonly log: readonly LogLine[];
  readonly syslog?: Template;
}

/** string is taken as it is; integer, number and address are checked on every record (junos/table.ts). */
export type FieldType = 'string' | 'integer' | 'number' | 'address';

/**
 * A field of a collected record: a path inside the item, or the item's context; the table
 * reader's own type (junos/table.ts). Collected records are flat: no list fields.
 */
export type FieldSpec = Exclude<TableField, TableListField>;

/** One step of a field path: `flow-information[direction='In']` is name + predicate. */
export interface PathStep {
  readonly name: string;
  readonly where?: { readonly child: string; readonly equals: string };
}

/** Argument values are templates so they can come from vars, items or registered data. */
export type ArgTemplates = Readonly<Record<string, Template>>;

export interface CollectStep extends StepBase {
  readonly kind: 'collect';
  readonly rpc: string;
  readonly args: ArgTemplates;
  /** The element each record is read from: a local name, or alternatives `a | group/b` (see TableSpec.item). */
  readonly item: string;
  readonly fields: readonly FieldSpec[];
}

export type PipelineOp =
  | { readonly op: 'filter'; readonly test: Expression }
  | { readonly op: 'count_by'; readonly field: string }
  | { readonly op: 'sort'; readonly by: string; readonly order: 'asc' | 'desc' }
  | { readonly op: 'limit'; readonly count: Expression }
  | { readonly op: 'set'; readonly fields: Readonly<Record<string, Expression>> }
  | {
      readonly op: 'join';
      /** The list joined with. */
      readonly with: Expression;
      /** Our field → their field. */
      readonly on: { readonly left: string; readonly right: string };
      /** Their field collected into a list on each of our records. */
      readonly collect: string;
      readonly as: string;
      readonly distinct: boolean;
    };

interface AnalyzeBase extends StepBase {
  readonly kind: 'analyze';
  /**
   * Named expressions recorded in the host's evidence as soon as the step has run (a
   * pipeline's own register is readable), so they are there whatever stops the host later,
   * this step's require included.
   */
  readonly evidence: Readonly<Record<string, Expression>>;
}

export type AnalyzeStep =
  | (AnalyzeBase & { readonly mode: 'pipeline'; readonly from: Expression; readonly pipeline: readonly PipelineOp[] })
  | (AnalyzeBase & { readonly mode: 'require'; readonly require: Expression; readonly otherwise: Template });

/** An action template: one RPC, or a loop of them. */
export interface RpcActionTemplate {
  readonly kind: 'rpc';
  readonly rpc: string;
  readonly args: ArgTemplates;
  readonly forEach?: Expression;
  readonly as: string;
  /** `all: true`: the playbook states the wide form; a clear may go out with no narrowing argument. */
  readonly wide: boolean;
}

/** Configuration statements (`set ...`, `delete ...`), one template per line. */
export interface ConfigActionTemplate {
  readonly kind: 'config';
  readonly lines: readonly Template[];
}

export type ActionTemplate = RpcActionTemplate | ConfigActionTemplate;

export interface PlanStep extends StepBase {
  readonly kind: 'plan';
  readonly forEach?: Expression;
  readonly as: string;
  readonly actions: readonly ActionTemplate[];
  /** Named expressions whose values go into the plan as the evidence behind it. */
  readonly evidence: Readonly<Record<string, Expression>>;
}

export interface ActStep extends StepBase {
  readonly kind: 'act';
  /** What to do with the rest of the host's plan when an action fails. */
  readonly onError: 'continue' | 'stop';
  /** Re-run these collect steps (by register name) after acting, to show before/after. */
  readonly verify: readonly string[];
  /** Must all be true after acting (over the re-collected registers); otherwise the host fails and a configuration change is rolled back. */
  readonly verifyThat: readonly { readonly test: Expression; readonly text: string }[];
  /** Minutes for commit confirmed. */
  readonly confirmMinutes: number;
  readonly commitComment: Template;
  /** With `apply --plan`: a fresh plan that is the reviewed one minus some actions may act. */
  readonly allowPlanSubset: boolean;
}

export type Step = CollectStep | AnalyzeStep | PlanStep | ActStep;

export interface Playbook {
  readonly file: string;
  /** sha256 of the file's bytes, hex. */
  readonly sha256: string;
  readonly text: string;
  readonly name: string;
  readonly description?: string;
  /** The change ticket when neither --ticket nor the inventory's runbook_ticket gives one. */
  readonly ticket?: string;
  /** Ansible host pattern the playbook targets. */
  readonly hosts: string;
  readonly vars: readonly VarSpec[];
  readonly syslog: { readonly start?: Template; readonly end?: Template };
  /** Play-level rollout settings, as Ansible's; the CLI overrides each. */
  readonly rollout: Rollout;
  /** Where to POST a summary when a run ends; --notify adds more. */
  readonly notify: readonly PlaybookNotify[];
  readonly steps: readonly Step[];
  /** JSNAPy-style checks over collected tables, on a pre and a post snapshot (src/checks). */
  readonly checks: readonly Check[];
}

export type SerialSize = number | `${number}%`;

export interface Rollout {
  readonly forks?: number;
  readonly serial?: SerialSize | readonly SerialSize[];
  readonly maxFailPercentage?: number;
  readonly anyErrorsFatal?: boolean;
  readonly connectRetries?: number;
  readonly connectTimeoutS?: number;
  readonly rpcTimeoutS?: number;
  readonly rpcDeadlineS?: number;
  readonly hostDeadlineS?: number;
}

/** A notification target as the playbook gives it: a URL, or the environment variable that holds one (read when a run starts). */
export interface PlaybookNotify {
  readonly url?: string;
  readonly urlEnv?: string;
  /** Unset: the URL's scheme decides (slack+https://…), else generic. */
  readonly format?: 'generic' | 'slack' | 'teams';
  readonly on: 'always' | 'failure';
}

export type { CheckOperator, CompareOperator, SingleOperator };

/**
 * How far a value may move from pre to post: `-10%` falls by at most 10% of pre and does
 * not rise, `+5` rises by at most 5 and does not fall, `±20%` (or `20%`) either way.
 */
export interface DeltaBound {
  /** As written, for messages. */
  readonly text: string;
  readonly direction: 'down' | 'up' | 'both';
  readonly amount: number;
  readonly percent: boolean;
}

/** The record-count pseudo-field: the number of records sharing a key (the whole table without one). */
export const COUNT_FIELD = '$count';

interface CheckBase {
  readonly name: string;
  readonly at: SourceSpan;
  /** The register of the collect step whose table is checked. */
  readonly table: string;
  /** The fields that identify an item across snapshots; empty: items are records by position (single-snapshot operators) or the whole table ($count). */
  readonly key: readonly string[];
  /** A field of the table, or COUNT_FIELD; absent only for list-not-less/more (keys alone). */
  readonly field?: string;
  /** An empty table passes instead of failing with "no items". */
  readonly allowEmpty: boolean;
  /**
   * Only the records this holds for are checked, in pre and post alike: an expression over
   * the record's fields, vars, host and the registers before the act step (in a run, the
   * values they held before acting). `runbook check` cannot decide one that reads a
   * register other than the snapshot's tables.
   */
  readonly where?: Expression;
}

export type CompareCheck = CheckBase &
  (
    | { readonly op: 'no-diff' | 'list-not-less' | 'list-not-more' }
    | { readonly op: 'delta'; readonly bound: DeltaBound }
  );

export type SingleCheck = CheckBase & {
  /** Which snapshot(s) the check reads. */
  readonly on: 'pre' | 'post' | 'both';
} & (
    | { readonly op: 'in-range'; readonly min: number; readonly max: number }
    | { readonly op: 'is-equal' | 'not-equal'; readonly value: string | number }
    | { readonly op: 'is-gt' | 'is-lt'; readonly value: number }
    | { readonly op: 'all-same' | 'exists' | 'not-exists' }
  );

export type Check = CompareCheck | SingleCheck;
