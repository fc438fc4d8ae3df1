/**
 * Errors become data in one place. A typed error that a host run can meet says which
 * kind of failure it is by extending FailureError; failureOf turns any thrown value into
 * a Failure without knowing the classes above this layer.
 */
import type { Failure, FailureKind, Phase } from './results.ts';

/** A typed error that knows the kind of failure it stands for. */
export abstract class FailureError extends Error {
  abstract readonly kind: FailureKind;

  /** The Failure this error is in `phase`; subclasses add what they know (the device's own errors). */
  failureIn(phase: Phase): Failure {
    return { phase, kind: this.kind, message: this.message };
  }
}

/** Any thrown value as a Failure: a FailureError says its own kind; anything else is 'internal'. */
export function failureOf(phase: Phase, err: unknown): Failure {
  if (err instanceof FailureError) return err.failureIn(phase);
  return { phase, kind: 'internal', message: err instanceof Error ? err.message : String(err) };
}

/**
 * A connect that failed after reaching the device (the session closed, spoke badly, or
 * broke a limit) fails the host; any other connect failure leaves it unreachable.
 */
export function reachedDevice(kind: FailureKind): boolean {
  return kind === 'closed' || kind === 'protocol' || kind === 'parse' || kind === 'limit';
}
