import type { RpcOptions, RpcReply } from '../transport/session.ts';

/**
 * What steps need from a device connection. NetconfSession provides it; steps never
 * import ssh2 or know how the connection was made.
 */
export interface RpcSession {
  rpc(body: string, options?: RpcOptions): Promise<RpcReply>;
  close(): Promise<void>;
  /** Ends the connection at once, failing an RPC in flight (the host deadline). */
  destroy?(): void;
}
