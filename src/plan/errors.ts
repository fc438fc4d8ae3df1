import { InputError } from '../contracts/input-error.ts';

/** What was wrong with a plan file, in the order a reader meets the problems. */
export type PlanFileProblem =
  /** The file could not be read at all (missing, a directory, no permission). */
  | 'unreadable'
  /** Not JSON: `line` and `column` say where parsing stopped. */
  | 'syntax'
  /** JSON, but not a runbook plan, or a plan in a format this runbook does not read. */
  | 'not-a-plan'
  /** A runbook plan that breaks schemas/plan.schema.json. */
  | 'schema'
  /** Valid by the schema, but its parts disagree (a host twice, a playbook text its sha256 does not match). */
  | 'inconsistent';

/** One problem inside the plan: where (a JSON path like hosts[1].status, '' for the whole plan), and a sentence. */
export interface PlanIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * A plan file apply cannot trust. Apply acts only on what a reviewer saw, so a plan
 * that cannot be read exactly as written is refused as a whole, never half-used.
 */
export class PlanFileError extends InputError {
  override readonly name = 'PlanFileError';
  readonly file: string;
  readonly problem: PlanFileProblem;
  readonly line?: number;
  readonly column?: number;
  readonly issues: readonly PlanIssue[];

  constructor(init: { file: string; problem: PlanFileProblem; issues: readonly PlanIssue[]; line?: number; column?: number }) {
    const where = init.line !== undefined ? `${init.file}:${init.line}:${init.column ?? 1}` : init.file;
    const first = init.issues[0];
    const more = init.issues.length > 1 ? ` (and ${init.issues.length - 1} more)` : '';
    super(`${where}: ${first ? issueText(first) : 'not a valid plan'}${more}`);
    this.file = init.file;
    this.problem = init.problem;
    if (init.line !== undefined) this.line = init.line;
    if (init.column !== undefined) this.column = init.column;
    this.issues = init.issues;
  }

  /** One "file: path message" line per issue, for a terminal. */
  override format(): string {
    const where = this.line !== undefined ? `${this.file}:${this.line}:${this.column ?? 1}` : this.file;
    return this.issues.map((i) => `${where}: ${issueText(i)}`).join('\n');
  }
}

function issueText(issue: PlanIssue): string {
  return issue.path === '' ? issue.message : `${issue.path} ${issue.message}`;
}
