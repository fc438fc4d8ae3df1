/**
 * Faults a lab device can be told to show, so tests and demos see every failure path
 * over real sockets. Reply faults apply to every RPC except close-session, or only to
 * those named in `rpcs`.
 */
export interface LabFaults {
  /** Nothing listens on the device's port: connection refused. */
  readonly refuse?: boolean;
  /** The device presents a host key other than the one in the lab's known_hosts. */
  readonly wrongHostKey?: boolean;
  /** Every authentication attempt is rejected. */
  readonly rejectAuth?: boolean;
  /** Waits this long before each reply. */
  readonly slowMs?: number;
  /** Drops the connection once this many bytes of a reply have been sent. */
  readonly dropAfterBytes?: number;
  /** Answers these RPCs with an `<rpc-error>` (e.g. the clears). */
  readonly rpcErrorOn?: readonly string[];
  /** Sends a reply that is cut short (`truncated`) or has a tag mismatch (`malformed`). */
  readonly badXml?: 'truncated' | 'malformed';
  /** Limits slowMs, dropAfterBytes and badXml to these RPCs. */
  readonly rpcs?: readonly string[];
  /**
   * Commits that would change the running configuration (commit-configuration without
   * `<check/>`, NETCONF commit) fail with a daemon's rpc-error in `<commit-results>`;
   * `commit check` still passes, so a dry run sees nothing wrong.
   */
  readonly rejectCommit?: boolean;
}

export const FAULT_NAMES = ['refuse', 'wrong-host-key', 'reject-auth', 'slow', 'drop', 'rpc-error-on-clear', 'truncated', 'malformed', 'reject-commit'] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

/** The CLI's short fault names (`--fault lab-srx-02=drop`) as LabFaults. */
export function faultFromName(name: string): LabFaults | undefined {
  switch (name as FaultName) {
    case 'refuse':
      return { refuse: true };
    case 'wrong-host-key':
      return { wrongHostKey: true };
    case 'reject-auth':
      return { rejectAuth: true };
    case 'slow':
      return { slowMs: 5_000 };
    case 'drop':
      return { dropAfterBytes: 4096, rpcs: ['get-flow-session-information'] };
    case 'rpc-error-on-clear':
      return { rpcErrorOn: ['clear-ike-security-association', 'clear-ipsec-security-association', 'clear-flow-session'] };
    case 'truncated':
      return { badXml: 'truncated', rpcs: ['get-flow-session-information'] };
    case 'malformed':
      return { badXml: 'malformed', rpcs: ['get-flow-session-information'] };
    case 'reject-commit':
      return { rejectCommit: true };
    default:
      return undefined;
  }
}

export function appliesTo(faults: LabFaults, rpc: string): boolean {
  if (rpc === 'close-session') return false;
  return faults.rpcs === undefined || faults.rpcs.includes(rpc);
}
