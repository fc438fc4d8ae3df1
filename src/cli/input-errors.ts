import { InputError } from '../contracts/input-error.ts';
import { UsageError } from './errors.ts';

/**
 * Runs input handling and turns the typed input errors into a UsageError whose message
 * is the error's own located text (one line per issue where it has several).
 */
export async function asUsageError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof InputError && !(err instanceof UsageError)) throw new UsageError(err.format());
    throw err;
  }
}
