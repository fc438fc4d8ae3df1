import { TransportError } from '../transport/errors.ts';
import { HostDeadlineError } from './host-deadline.ts';
import type { RpcSession } from '../contracts/session.ts';

/** Waits `ms`, or less if the signal aborts first. Injected so tests never wait. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** How a host's connect is retried; the executor builds it from RunOptions. */
export interface ConnectRetry {
  /** Connect attempts in all, the first included (1 means no retry). */
  readonly attempts: number;
  /** The wait before the first retry; it doubles before each next one, with jitter. */
  readonly backoffMs: number;
  /** A number in [0, 1), as Math.random gives; seeded in tests (seededRandom). */
  readonly random: () => number;
  readonly sleep: Sleep;
  /** Once aborted, no new attempt starts: the host ends with its last connect error. */
  readonly signal?: AbortSignal;
}

/** How many connect attempts and the first wait: plain data, as a host job carries it. */
export interface RetrySpec {
  readonly attempts: number;
  readonly backoffMs: number;
}

/** A ConnectRetry from its data and the waits it uses; a RangeError names a spec that is not one. */
export function connectRetry(spec: RetrySpec, how: { readonly random?: () => number; readonly sleep?: Sleep; readonly signal?: AbortSignal }): ConnectRetry {
  const { attempts, backoffMs } = spec;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`retries.attempts: ${attempts} is not a whole number of attempts (1 or more)`);
  if (!Number.isFinite(backoffMs) || backoffMs < 0) throw new RangeError(`retries.backoffMs: ${backoffMs} is not a duration in ms (0 or more)`);
  return {
    attempts,
    backoffMs,
    random: how.random ?? Math.random,
    sleep: how.sleep ?? realSleep,
    ...(how.signal ? { signal: how.signal } : {}),
  };
}

export type ConnectOutcome =
  | { readonly ok: true; readonly session: RpcSession; readonly attempts: number }
  | { readonly ok: false; readonly error: unknown; readonly attempts: number };

/**
 * Only a refused/reset connection or a timer running out may pass on a second try. An auth
 * rejection will not (and repeating it can lock the account), nor will a host key mismatch
 * (retrying it would only make a possible interception look like a glitch).
 */
export function isTransient(err: unknown): boolean {
  return err instanceof TransportError && (err.phase === 'connect' || err.phase === 'timeout') && !(err instanceof HostDeadlineError);
}

/**
 * The wait before retry `n` (1-based): "equal jitter" from the AWS Architecture Blog's
 * "Exponential Backoff And Jitter" (M. Brooker, 2015): half of backoffMs * 2^(n-1) is
 * fixed, half random. The fixed half keeps a retry from coming straight back at a device
 * that just refused; the random half spreads a fleet's retries apart.
 */
export function backoffDelay(n: number, backoffMs: number, random: () => number): number {
  const ceiling = backoffMs * 2 ** (n - 1);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Connects, retrying transient failures. Never throws: the outcome carries the session or
 * the last error, and the attempts made either way.
 */
export async function connectWithRetry(
  connect: () => Promise<RpcSession>,
  retry: ConnectRetry | undefined,
  onRetry: (failedAttempt: number, delayMs: number, err: unknown) => void = () => undefined,
): Promise<ConnectOutcome> {
  const attempts = Math.max(1, retry?.attempts ?? 1);
  for (let n = 1; ; n++) {
    try {
      return { ok: true, session: await connect(), attempts: n };
    } catch (error) {
      if (!retry || n >= attempts || !isTransient(error) || retry.signal?.aborted) return { ok: false, error, attempts: n };
      const delayMs = backoffDelay(n, retry.backoffMs, retry.random);
      onRetry(n, delayMs, error);
      await retry.sleep(delayMs, retry.signal);
      if (retry.signal?.aborted) return { ok: false, error, attempts: n };
    }
  }
}

/** setTimeout as a promise that ends early on abort (the caller then stops retrying). */
export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/** mulberry32: a tiny seeded PRNG, so a test (or a reproducible run) gets the same jitter. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
