import type { ElementHandler } from '../xml/element-stream.ts';

/**
 * What steps need from a device connection: the session port. The transport's
 * NetconfSession provides it (structurally); steps never import ssh2 or know how the
 * connection was made. The port owns its request and reply types.
 */
export interface RpcSession {
  rpc(body: string, options?: RpcOptions): Promise<RpcReply>;
  close(): Promise<void>;
  /** Ends the connection at once, failing an RPC in flight (the host deadline). */
  destroy?(): void;
}

export interface RpcOptions {
  /** Receives the reply's elements as they stream by (an Extractor, typically). */
  readonly handler?: ElementHandler;
  /** Receives the reply's text as it arrives (for printing raw XML without holding it). */
  readonly onText?: (text: string) => void;
  /** Overrides the session's longest wait for reply data. */
  readonly timeoutMs?: number;
  /** Overrides the session's longest time for the whole RPC. */
  readonly deadlineMs?: number;
  /** Keep going when the reply has error-severity rpc-errors (the caller reads them). */
  readonly allowErrors?: boolean;
}

export interface RpcReply {
  readonly rpc: string;
  readonly ok: boolean;
  readonly errors: readonly RpcErrorInfo[];
  /** Warning-severity rpc-errors: they do not fail the RPC but are kept. */
  readonly warnings: readonly RpcErrorInfo[];
  readonly bytes: number;
  readonly ms: number;
}

/** One `<rpc-error>` as the device sent it. */
export interface RpcErrorInfo {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly type?: string;
  readonly tag?: string;
  readonly path?: string;
  readonly badElement?: string;
  readonly sourceDaemon?: string;
}
