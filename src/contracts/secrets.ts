/**
 * Secrets travel as references, never as values: a host job (engine/job.ts) may be
 * serialised, queued and run on another machine, so a password or a key in it would be
 * a password in a queue. Whoever runs the job resolves each reference through its own
 * secrets port: an environment variable, a file, or a value it holds in memory.
 */
import { FailureError } from './failure.ts';
import type { FailureKind } from './results.ts';

export type SecretRef =
  /** The value of this environment variable where the job runs. */
  | { readonly env: string }
  /** The bytes of this file where the job runs (a private key). */
  | { readonly file: string }
  /** A value the runner holds in memory under this id (a vault-decrypted password, a key the CLI read). */
  | { readonly secret: string };

/** The secrets port: a reference's value, or a SecretUnavailableError. */
export interface SecretsPort {
  resolve(ref: SecretRef): Promise<string | Uint8Array>;
}

/** A reference the runner cannot resolve (an unset variable, an unreadable file, an unknown id); names the reference, never a value. */
export class SecretUnavailableError extends FailureError {
  override readonly name = 'SecretUnavailableError';
  readonly kind: FailureKind = 'input';
  constructor(
    readonly ref: SecretRef,
    why: string,
  ) {
    super(`the credential ${describeRef(ref)} cannot be read: ${why}`);
  }
}

export function describeRef(ref: SecretRef): string {
  if ('env' in ref) return `in the environment variable ${ref.env}`;
  if ('file' in ref) return `in the file ${ref.file}`;
  return `held by the runner as ${ref.secret}`;
}
