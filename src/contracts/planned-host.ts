import type { CheckResult } from './checks.ts';
import type { Failure, HostStatus, PlannedAction } from './results.ts';

/** One host's entry in a reviewed plan (plan/artifact.ts): a host job carries it to the runner that acts on it. */
export interface PlannedHost {
  readonly host: string;
  /** ok: nothing to change; changed: actions planned; skipped/failed/unreachable as in a run. */
  readonly status: HostStatus;
  readonly reason?: string;
  readonly error?: Failure;
  readonly vars: Readonly<Record<string, string | number | boolean>>;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly actions: readonly PlannedAction[];
  /** The configuration change as the device showed it: apply commits only this diff. */
  readonly config?: { readonly diff: string; readonly result: 'unchanged' | 'checked' | 'failed' };
  /** The log lines the planning run said (the seed's messages). */
  readonly log: readonly string[];
  /** The playbook's pre checks as the planning run found them; absent when none ran. */
  readonly checks?: readonly CheckResult[];
}
