/**
 * The way to the device when it is not reached directly: through SSH jump hosts
 * (ProxyJump), each hop's host key checked against known_hosts like the device's and its
 * own login, with ssh2's own channel forwarding (no OpenSSH process); or through a
 * ProxyCommand, the one case that runs a subprocess (through /bin/sh, as ssh does).
 */
import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import { Client, type ConnectConfig } from 'ssh2';
import { TransportError } from './errors.ts';
import { KnownHosts } from './known-hosts.ts';
import { DEFAULT_NETCONF_PORT, DEFAULTS, type ConnectOptions, type JumpHost } from './options.ts';

export interface Tunnel {
  /** The stream the device's SSH session runs over. */
  readonly sock: Duplex;
  /** Closes the hops or ends the command. Idempotent. */
  close(): void;
}

export async function openTunnel(opts: ConnectOptions, deadline: number): Promise<Tunnel | undefined> {
  if (opts.proxyCommand !== undefined) return proxyCommand(opts);
  if (opts.jumps && opts.jumps.length > 0) return jumpChain(opts, opts.jumps, deadline);
  return undefined;
}

function proxyCommand(opts: ConnectOptions): Tunnel {
  const port = opts.port ?? DEFAULT_NETCONF_PORT;
  const command = opts.proxyCommand!.replace(/%(.)/g, (m, c: string) =>
    c === 'h' ? opts.address : c === 'p' ? String(port) : c === 'r' ? opts.username : c === '%' ? '%' : m,
  );
  const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'ignore'] });
  const sock = Duplex.from({ readable: child.stdout, writable: child.stdin });
  child.on('error', (err) => sock.destroy(err));
  return {
    sock,
    close: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}

async function jumpChain(opts: ConnectOptions, jumps: readonly JumpHost[], deadline: number): Promise<Tunnel> {
  const name = opts.name ?? opts.address;
  const knownHosts = await KnownHosts.load(opts.knownHostsFile);
  const clients: Client[] = [];
  const close = () => {
    for (const c of clients.reverse()) c.end();
  };
  let sock: Duplex | undefined;
  try {
    for (const [i, hop] of jumps.entries()) {
      const client = await connectHop(name, hop, sock, knownHosts, opts, deadline);
      clients.push(client);
      const next = jumps[i + 1];
      const to = next ? { address: next.address, port: next.port } : { address: opts.address, port: opts.port ?? DEFAULT_NETCONF_PORT };
      sock = await forward(name, hop, client, to);
    }
  } catch (err) {
    close();
    throw err;
  }
  return { sock: sock!, close };
}

function hopLabel(hop: JumpHost): string {
  return `jump host ${hop.username}@${hop.address}${hop.port === 22 ? '' : `:${hop.port}`}`;
}

function connectHop(name: string, hop: JumpHost, sock: Duplex | undefined, knownHosts: KnownHosts, opts: ConnectOptions, deadline: number): Promise<Client> {
  const client = new Client();
  let refused: TransportError | undefined;
  const config: ConnectConfig = {
    host: hop.address,
    port: hop.port,
    username: hop.username,
    readyTimeout: Math.max(1, deadline - Date.now()),
    keepaliveInterval: opts.keepaliveIntervalMs ?? DEFAULTS.keepaliveIntervalMs,
    // A jump host's key is checked like the device's, against the same known_hosts; it is
    // never learnt on the way (--accept-new is for the devices named in the inventory).
    hostVerifier: (key: Buffer) => {
      const verdict = knownHosts.check(hop.address, hop.port, key);
      if (verdict.kind === 'match') return true;
      const why =
        verdict.kind === 'unknown'
          ? `host key ${verdict.keyType} ${verdict.fingerprint} is not in ${opts.knownHostsFile}; check it and add it`
          : verdict.kind === 'mismatch'
            ? `HOST KEY MISMATCH: it offered ${verdict.keyType} ${verdict.fingerprint}, known_hosts has ${verdict.known.map((k) => `${k.keyType} ${k.fingerprint} (${k.file}:${k.line})`).join(', ')}; refusing to connect`
            : `host key ${verdict.keyType} ${verdict.fingerprint} is revoked`;
      refused = new TransportError(name, 'hostkey', `${hopLabel(hop)}: ${why}`);
      return false;
    },
  };
  if (sock) config.sock = sock;
  if (hop.privateKey) config.privateKey = hop.privateKey;
  if (hop.passphrase !== undefined) config.passphrase = hop.passphrase;
  if (hop.agent) config.agent = hop.agent;
  return new Promise((resolve, reject) => {
    client.once('ready', () => {
      client.removeAllListeners('error');
      client.on('error', () => {
        /* later errors surface through the forwarded channel's close */
      });
      resolve(client);
    });
    client.on('error', (err: Error & { level?: string }) => {
      client.end();
      if (refused) return reject(refused);
      const phase = err.level === 'client-authentication' ? 'auth' : err.level === 'client-timeout' ? 'timeout' : 'connect';
      const what = phase === 'auth' ? `authentication as '${hop.username}' failed` : err.message;
      reject(new TransportError(name, phase, `${hopLabel(hop)}: ${what}`, { cause: err }));
    });
    client.connect(config);
  });
}

function forward(name: string, hop: JumpHost, client: Client, to: { address: string; port: number }): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, to.address, to.port, (err, channel) => {
      if (err) reject(new TransportError(name, 'connect', `${hopLabel(hop)} could not open a channel to ${to.address}:${to.port}: ${err.message}`, { cause: err }));
      else resolve(channel);
    });
  });
}
