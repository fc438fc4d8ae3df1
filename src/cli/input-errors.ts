import { UsageError } from './errors.ts';

/** Names of the typed errors that mean "your input is wrong": exit 2, no stack trace. */
const INPUT_ERRORS = new Set(['PlaybookError', 'VarsError', 'InventoryError', 'LimitError', 'CredentialError', 'SyslogTargetError', 'ExpressionError', 'PlanFileError']);

/**
 * Runs input handling and turns the typed input errors into a UsageError whose message
 * is the error's own located text (one line per issue where it has several).
 */
export async function asUsageError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof Error && INPUT_ERRORS.has(err.name)) {
      const formatted = (err as Error & { format?: () => string }).format?.();
      throw new UsageError(formatted ?? err.message);
    }
    throw err;
  }
}
