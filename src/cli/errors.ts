import { InputError } from '../contracts/input-error.ts';

/** A mistake in how runbook was called; printed without a stack and exits with InvalidInput. */
export class UsageError extends InputError {
  override readonly name = 'UsageError';
}
