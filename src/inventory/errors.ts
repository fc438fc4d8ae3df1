/**
 * Typed errors of the inventory: loading (located issues), host selection, and
 * connection settings. None of their messages ever contains a password: messages name
 * variables and environment variables, never values of password variables.
 */
import { InputError } from '../contracts/input-error.ts';
import type { InventoryIssue } from './types.ts';
import type { SourceSpan } from '../contracts/source-span.ts';

/** `file:line:column: message`, or `file: message` for a problem with the whole file. */
export function formatIssue(issue: InventoryIssue): string {
  return issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}: ${issue.message}` : `${issue.file}: ${issue.message}`;
}

export function formatSpan(at: SourceSpan): string {
  return at.line > 0 ? `${at.file}:${at.line}:${at.column}` : at.file;
}

/** The inventory could not be loaded; every problem found is listed, each where it was written. */
export class InventoryError extends InputError {
  override readonly name = 'InventoryError';
  constructor(readonly issues: readonly InventoryIssue[]) {
    super(
      issues.length === 1
        ? formatIssue(issues[0])
        : `${issues.length} problems in the inventory:\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`,
    );
  }
}

/** A host pattern or --limit that selects nothing, or cannot be read. */
export class LimitError extends InputError {
  override readonly name = 'LimitError';
  constructor(
    message: string,
    /** The patterns (with their ! or & prefix) that matched no host. */
    readonly unmatched: readonly string[] = [],
  ) {
    super(message);
  }
}

/**
 * A host's connection settings are missing or unusable: no user, a key file that cannot
 * be read, an environment variable that is not set, a password written in a file.
 */
export class CredentialError extends InputError {
  override readonly name = 'CredentialError';
  constructor(
    readonly host: string,
    /** The inventory variable involved, when one is; the message names it too. */
    readonly variable: string | undefined,
    message: string,
    /** Where that variable was set. */
    readonly at?: SourceSpan,
    options?: { cause?: unknown },
  ) {
    super(`${host}: ${at ? `${formatSpan(at)}: ` : ''}${message}`, options);
  }
}
