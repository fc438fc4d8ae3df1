/**
 * An `<rpc-error>` of the configuration RPCs. Richer than the operational LabRpcError:
 * Junos gives configuration errors an error-path (`[edit security flow tcp-session]`),
 * warnings without type or tag ("statement not found"), and lock errors the session-id
 * of the holder in error-info.
 */
export interface ConfigRpcError {
  readonly severity: 'error' | 'warning';
  readonly type?: 'protocol' | 'application' | 'rpc';
  readonly tag?: string;
  readonly path?: string;
  readonly message: string;
  readonly badElement?: string;
  readonly sessionId?: number;
}

/** A statement the schema does not know, or a token where none fits. */
export function syntaxError(path: string, badElement: string, message = 'syntax error'): ConfigRpcError {
  return { severity: 'error', type: 'protocol', tag: 'operation-failed', path, message, badElement };
}

/** A value outside its statement's range or type. */
export function valueError(path: string, statement: string, message: string): ConfigRpcError {
  return { severity: 'error', type: 'protocol', tag: 'operation-failed', path, message, badElement: statement };
}

/** Junos's warning for deleting what is not there (load-configuration-results-warnings-ok.xml). */
export const STATEMENT_NOT_FOUND: ConfigRpcError = { severity: 'warning', message: '\nstatement not found\n' };

export function isError(e: ConfigRpcError): boolean {
  return e.severity === 'error';
}
