/**
 * An `<rpc-error>` a simulated device answers with, in the words Junos uses. Junos reports
 * request problems as error-type protocol, error-tag operation-failed, with the token it
 * stumbled on as bad-element (see the rpc-error-*.xml fixtures).
 */
export interface LabRpcError {
  readonly type: 'protocol' | 'application' | 'rpc' | 'transport';
  readonly tag: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly badElement?: string;
}

/** An RPC the device does not know: Junos's own words (PyEZ tests quote them). */
export function unknownRpcError(rpc: string): LabRpcError {
  return { type: 'protocol', tag: 'operation-failed', severity: 'error', message: 'syntax error, expecting <command>', badElement: rpc };
}

/** An argument element the RPC does not take, given twice, or holding elements instead of text. */
export function syntaxError(badElement: string): LabRpcError {
  return { type: 'protocol', tag: 'operation-failed', severity: 'error', message: 'syntax error', badElement };
}

/** A value the argument does not accept; bad-element is the value, the token Junos stops at. */
export function invalidValueError(arg: string, value: string, reason: string): LabRpcError {
  return {
    type: 'protocol',
    tag: 'operation-failed',
    severity: 'error',
    message: `invalid value for ${arg}: ${reason}`,
    badElement: value === '' ? arg : value,
  };
}
