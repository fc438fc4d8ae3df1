import { InputError } from '../contracts/input-error.ts';
import type { LocatedIssue } from '../contracts/source-span.ts';

/** One problem found in a playbook: where, at which key, and what is wrong. */
export interface PlaybookIssue extends LocatedIssue {
  /** Where in the written form, like steps[2].collect.rpc; '' for the whole document. */
  readonly path: string;
}

/** A playbook that cannot run: every problem found, in file order. */
export class PlaybookError extends InputError {
  override readonly name = 'PlaybookError';
  readonly issues: readonly PlaybookIssue[];

  constructor(issues: readonly PlaybookIssue[]) {
    const sorted = sortIssues(issues);
    const first = sorted[0];
    const more = sorted.length > 1 ? ` (and ${sorted.length - 1} more)` : '';
    super(first ? `${formatIssue(first)}${more}` : 'invalid playbook');
    this.issues = sorted;
  }

  /** One "file:line:col: path: message" line per issue. */
  override format(): string {
    return this.issues.map(formatIssue).join('\n');
  }
}

export function formatIssue(issue: PlaybookIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.column}`;
  return issue.path === '' ? `${where}: ${issue.message}` : `${where}: ${issue.path}: ${issue.message}`;
}

export function sortIssues(issues: readonly PlaybookIssue[]): PlaybookIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.column - b.column || a.path.localeCompare(b.path));
}
