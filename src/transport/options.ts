import type { SecretRef } from '../contracts/secrets.ts';
import type { SessionLimits } from './limits.ts';

/** How to reach and authenticate to one NETCONF server, and the bounds on what it may send (limits.ts). */
export interface ConnectOptions extends SessionLimits {
  /** The name used in errors and results (the inventory name); defaults to `address`. */
  readonly name?: string;
  readonly address: string;
  /** Default 830, the NETCONF-over-SSH port. */
  readonly port?: number;
  readonly username: string;
  readonly password?: string;
  /** A private key (PEM or OpenSSH format). */
  readonly privateKey?: Buffer;
  readonly passphrase?: string;
  /** An ssh-agent socket path; defaults to none. */
  readonly agent?: string;
  /** OpenSSH known_hosts file used to verify the server's host key. */
  readonly knownHostsFile: string;
  /** Trust and record a host key that known_hosts does not list yet (never a changed one). */
  readonly acceptNewHostKey?: boolean;
  /** TCP connect, SSH handshake, authentication, the netconf subsystem and hello, together. Default 20 s. */
  readonly connectTimeoutMs?: number;
  /** Longest wait for reply data on an RPC before it times out (an idle timer: Junos sends keep-alives). Default 120 s. */
  readonly rpcTimeoutMs?: number;
  /** Longest time one RPC may take from request to the end of its reply, however steadily data comes. Default 30 min. */
  readonly rpcDeadlineMs?: number;
  /** SSH keepalive interval. Default 15 s; 0 turns keepalives off. */
  readonly keepaliveIntervalMs?: number;
  /** Offer only base:1.0 in our hello (for servers that mishandle 1.1). */
  readonly base10Only?: boolean;
  /** SSH jump hosts to go through, first hop first (OpenSSH's ProxyJump). */
  readonly jumps?: readonly JumpHost[];
  /** A command whose stdin/stdout is the connection (OpenSSH's ProxyCommand, %h %p %r %% expanded). */
  readonly proxyCommand?: string;
  /**
   * Where the secrets above were read from, when another runner can read them again: an
   * environment variable, a key file. A host job names these instead of holding the value.
   */
  readonly secretSources?: SecretSources;
}

export interface SecretSources {
  readonly password?: SecretRef;
  readonly privateKey?: SecretRef;
  readonly passphrase?: SecretRef;
  /** Per jump host, in order: where its key was read from. */
  readonly jumps?: readonly { readonly privateKey?: SecretRef }[];
}

/** One hop of a ProxyJump chain: its own address, user, credentials and host-key check. */
export interface JumpHost {
  readonly address: string;
  /** Default 22. */
  readonly port: number;
  readonly username: string;
  readonly privateKey?: Buffer;
  readonly passphrase?: string;
  readonly agent?: string;
}

export const DEFAULT_NETCONF_PORT = 830;
export const DEFAULTS = {
  connectTimeoutMs: 20_000,
  rpcTimeoutMs: 120_000,
  // A 1M-session flow table (~2.7 GB) is read in ~20 s on a quiet machine: 30 min leaves room for a loaded one.
  rpcDeadlineMs: 30 * 60_000,
  keepaliveIntervalMs: 15_000,
} as const;
