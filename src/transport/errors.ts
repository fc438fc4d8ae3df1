/**
 * Typed errors of the NETCONF client. Each names the host and the phase it failed in,
 * so a run result can say "lab-srx-03: auth: ..." without parsing messages.
 */

import { FailureError } from '../contracts/failure.ts';
import type { Failure, Phase, TransportPhase } from '../contracts/results.ts';
import type { RpcErrorInfo } from '../contracts/session.ts';

/** Where in the life of a session something went wrong: defined with the failure kinds it is one of. */
export type { TransportPhase } from '../contracts/results.ts';

const PHASES: ReadonlySet<string> = new Set<TransportPhase>(['connect', 'auth', 'hostkey', 'timeout', 'closed', 'protocol', 'parse', 'limit']);

/** Whether a failure's kind is a transport phase: the session cannot carry another RPC. */
export function isTransportPhase(kind: string): kind is TransportPhase {
  return PHASES.has(kind);
}

export class TransportError extends FailureError {
  override readonly name = 'TransportError';
  /** A transport failure's kind is the phase it failed in. */
  readonly kind: TransportPhase;
  constructor(
    readonly host: string,
    readonly phase: TransportPhase,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${host}: ${phase}: ${message}`, options);
    this.kind = phase;
  }
}

/** The device answered an RPC with one or more `<rpc-error>` of severity error. */
export class RpcError extends FailureError {
  override readonly name = 'RpcError';
  readonly kind = 'rpc-error';
  constructor(
    readonly host: string,
    readonly rpc: string,
    readonly errors: readonly RpcErrorInfo[],
    readonly warnings: readonly RpcErrorInfo[] = [],
  ) {
    super(`${host}: rpc-error: ${rpc}: ${errors.map(describeRpcError).join('; ')}`);
  }

  /**
   * With the device's own errors. An action's failure sits in a list of actions, so it
   * keeps the host's name; a step's failure sits under its host, so it starts at the RPC.
   */
  override failureIn(phase: Phase): Failure {
    const message = phase === 'act' ? this.message : `${this.rpc}: ${this.errors.map(describeRpcError).join('; ')}`;
    return { phase, kind: this.kind, message, deviceErrors: this.errors.map((e) => ({ ...e })) };
  }
}

/** One line for a person: the device's message, then where it points. */
export function describeRpcError(e: RpcErrorInfo): string {
  const where = [e.badElement && `bad-element ${e.badElement}`, e.path && `path ${e.path}`].filter(Boolean).join(', ');
  return where ? `${e.message} (${where})` : e.message;
}
