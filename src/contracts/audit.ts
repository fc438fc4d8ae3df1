import type { Failure } from '../contracts/results.ts';

/** One RPC that can change a device's running or candidate configuration or its state (a clear, a load, a commit). */
export interface AuditedRpc {
  readonly rpc: string;
  /** What an operator would type for it. */
  readonly cli: string;
  readonly args?: Readonly<Record<string, string>>;
  /** The statements a `load set` carries. */
  readonly statements?: readonly string[];
  /** A clear sent in its wide form (`all: true`): what it clears. */
  readonly wide?: string;
}

/** How a state-changing RPC ended. */
export type RpcEnd =
  /** Answered without error. */
  | { readonly outcome: 'ok'; readonly reply?: { readonly cleared?: number; readonly messages: readonly string[]; readonly warnings: readonly string[] } }
  /** The device answered with an rpc-error. */
  | { readonly outcome: 'failed'; readonly error: Failure }
  /** Sent, and no answer came (the session broke or timed out): the device may or may not have done it. */
  | { readonly outcome: 'unknown'; readonly error: Failure };

/**
 * The audit trail of one host's state-changing RPCs. `sending` is called before the RPC
 * goes on the wire and must have recorded it when it returns (it throws if it cannot,
 * and then the RPC is not sent); the function it returns is called once when the RPC
 * ends. A reader can then tell "sent, outcome unknown" from "never sent".
 */
export interface ChangeAudit {
  sending(rpc: AuditedRpc): (end: RpcEnd) => void;
}

/** Records nothing: for callers that keep no audit trail (tests, the plan command). */
export const noAudit: ChangeAudit = { sending: () => () => undefined };

/** The device's rpc-error is an answer; anything else after sending leaves the outcome unknown. */
export function endOf(failure: Failure): RpcEnd {
  return failure.kind === 'rpc-error' ? { outcome: 'failed', error: failure } : { outcome: 'unknown', error: failure };
}
