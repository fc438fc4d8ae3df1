import type { ChangeAudit } from '../contracts/audit.ts';
import type { BackupRef, ConfigBackup } from '../contracts/backup.ts';
import type { CheckResult } from '../contracts/checks.ts';
import type { TableResult } from '../junos/table.ts';
import type { ActionResult, ConfigOutcome, Failure, LogEntry, PlannedAction, StepOutcome } from '../contracts/results.ts';
import type { RunIds } from '../contracts/run-ids.ts';
import type { RpcSession } from '../contracts/session.ts';
import type { Step } from '../playbook/types.ts';
import type { Scope } from './scope.ts';

/**
 * What one step did, as plain data. A runner returns it instead of changing shared
 * state; the host run folds the results, in order, into the HostResult (engine/host-fold.ts).
 */
export interface StepResult {
  /** The step's line in HostResult.steps. */
  readonly status: StepOutcome['status'];
  /** Items a collect read, records an analyze produced, actions a plan made, RPCs an act sent. */
  readonly count?: number;
  /** Names the step binds for the steps after it: its register; after a verify, the re-collected tables and `before`. */
  readonly bind?: Readonly<Record<string, unknown>>;
  /** Named values for the host's evidence (a plan's evidence, a collect's count). */
  readonly evidence?: Readonly<Record<string, unknown>>;
  /** What the step said, in order. */
  readonly log: readonly LogEntry[];
  /** The step's syslog line, rendered. */
  readonly syslog?: string;
  /** The host failed here; with status 'done' (an act whose RPC or verify failed) the run goes on. */
  readonly failure?: Failure;
  /** The host ends here, skipped (a `require` gate, a refused or drifted reviewed plan). */
  readonly stop?: { readonly reason?: string };
  /** A plan step's actions, and with apply --plan the configuration diff that was reviewed. */
  readonly plan?: { readonly actions: readonly PlannedAction[]; readonly reviewedDiff?: string };
  /** An act step's outcome. */
  readonly act?: ActStepData;
  /** False for an act that sent nothing: its syslog line says something was done, so it is not sent. */
  readonly acted?: boolean;
}

export interface ActStepData {
  readonly actions: readonly ActionResult[];
  readonly config?: ConfigOutcome;
  /** Before and after counts of the re-collected tables, when verify ran. */
  readonly verify?: Readonly<Record<string, { before: number; after: number }>>;
  /** Where the running configuration was kept before anything was sent. */
  readonly backup?: BackupRef;
  /** The post checks' results, when verify ran them. */
  readonly checks?: readonly CheckResult[];
}

/** The playbook's post checks, as the act step's verify runs them (engine/host-checks.ts). */
export interface PostChecks {
  /** The collect registers they read after acting: verify re-collects these too. */
  readonly tables: readonly string[];
  /** The checks over the re-collected tables (by register), against the tables before acting; problem: the failed ones in a sentence. */
  run(after: Readonly<Record<string, TableResult>>): Promise<{ readonly results: readonly CheckResult[]; readonly problem?: string }>;
}

/** What a runner may use: the data so far, the session, and ports to tell the outside as it goes. */
export interface StepContext {
  readonly scope: Scope;
  readonly session: RpcSession;
  readonly playbook: { readonly file: string; readonly name: string; readonly steps: readonly Step[] };
  readonly dryRun: boolean;
  /** The time read for an action's ms (default: Date.now), so a worker or a test can set it. */
  readonly now?: () => number;
  /** The run's id and ticket: every commit's comment carries them. */
  readonly ids?: RunIds;
  readonly audit: ChangeAudit;
  /** Keeps the running configuration before the first state-changing RPC; none: no backup (tests, the plan command). */
  readonly backup?: ConfigBackup;
  /** The plan the act step sends (the last plan step's, as the reviewed plan let it through). */
  readonly plan: readonly PlannedAction[];
  /** apply --plan: the configuration diff the reviewer read. */
  readonly reviewedDiff?: string;
  /** A collect's items read so far. */
  readonly progress: (count: number) => void;
  /** A phase inside the step starts (verify, after acting). */
  readonly phaseStart: (phase: 'verify', label: string) => void;
  /** The act step: the playbook's post checks, run by its verify; absent when there are none. */
  readonly postChecks?: PostChecks;
}
