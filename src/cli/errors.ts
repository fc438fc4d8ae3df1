/** A mistake in how runbook was called; printed without a stack and exits with InvalidInput. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
