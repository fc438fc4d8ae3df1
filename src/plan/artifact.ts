import type { CheckResult } from '../contracts/checks.ts';
import type { Failure, HostStatus, PlannedAction } from '../contracts/results.ts';
import type { InventoryBinding } from './binding.ts';

/** 2: the plan carries its digest and the inventory it is bound to. */
export const PLAN_FORMAT = 'runbook-plan/2';

/**
 * A plan as a reviewable artifact: what each host will get and the evidence behind it.
 * `runbook plan` writes it, a reviewer reads it (`runbook show`), and `runbook apply
 * --plan` acts only where a fresh plan equals it. Described by schemas/plan.schema.json.
 */
export interface PlanArtifact {
  readonly format: typeof PLAN_FORMAT;
  /**
   * sha256 over the canonical JSON of everything else in the plan (digest.ts). The ticket
   * prints it, apply prints it, and apply refuses a plan whose content no longer hashes to it.
   */
  readonly digest: string;
  readonly tool: { readonly name: 'runbook'; readonly version: string };
  readonly createdAt: string;
  readonly playbook: {
    readonly file: string;
    readonly name: string;
    /** sha256 of the playbook text, hex. */
    readonly sha256: string;
    /** The playbook itself, so the ticket carries what was reviewed. */
    readonly text: string;
  };
  /**
   * The -e values given (after parsing), by name, and `dry_run: false` when the playbook
   * has that var: apply --plan acts, so the plan is made with the vars it will act with.
   */
  readonly extraVars: Readonly<Record<string, unknown>>;
  readonly inventory: readonly string[];
  /** The hosts the inventory resolved to and where each target is reached: apply --plan refuses any other. */
  readonly binding: InventoryBinding;
  readonly limit?: string;
  /** Every host targeted, in order, whatever became of it. */
  /** The planning run was interrupted: these targets were not planned, and apply --plan refuses the plan. */
  readonly incomplete?: { readonly notPlanned: readonly string[] };
  readonly targets: readonly string[];
  readonly hosts: readonly PlannedHost[];
}

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
