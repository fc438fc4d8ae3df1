import { Client, type ClientChannel, type ConnectConfig, type ParsedKey } from 'ssh2';
import { sharedClientKey } from './client-key.ts';
import { TransportError } from './errors.ts';
import { openTunnel } from './jump.ts';
import { KnownHosts } from './known-hosts.ts';
import { DEFAULT_NETCONF_PORT, DEFAULTS, type ConnectOptions } from './options.ts';

export interface SshLink {
  readonly client: Client;
  readonly channel: ClientChannel;
}

/**
 * Opens an SSH connection, verifies the host key against known_hosts, authenticates and
 * starts the `netconf` subsystem, all before `deadline`. Every failure becomes a TransportError naming the phase.
 */
export async function openNetconfChannel(opts: ConnectOptions, deadline: number): Promise<SshLink> {
  const name = opts.name ?? opts.address;
  const port = opts.port ?? DEFAULT_NETCONF_PORT;
  const knownHosts = await KnownHosts.load(opts.knownHostsFile);
  const client = new Client();
  // Set when our verifier refused the key, so the handshake error is reported as ours.
  let hostKeyFailure: TransportError | undefined;

  const config: ConnectConfig = {
    host: opts.address,
    port,
    username: opts.username,
    readyTimeout: Math.max(1, deadline - Date.now()),
    keepaliveInterval: opts.keepaliveIntervalMs ?? DEFAULTS.keepaliveIntervalMs,
    keepaliveCountMax: 3,
    // Junos asks for passwords through keyboard-interactive as often as through "password".
    tryKeyboard: opts.password !== undefined,
    hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
      const verdict = knownHosts.check(opts.address, port, key);
      switch (verdict.kind) {
        case 'match':
          return verify(true);
        case 'unknown':
          if (opts.acceptNewHostKey) {
            knownHosts.add(opts.address, port, key).then(
              () => verify(true),
              (err: unknown) => {
                hostKeyFailure = new TransportError(name, 'hostkey', `could not record new host key in ${opts.knownHostsFile}: ${String(err)}`);
                verify(false);
              },
            );
            return;
          }
          hostKeyFailure = new TransportError(
            name,
            'hostkey',
            `host key ${verdict.keyType} ${verdict.fingerprint} for ${hostLabel(opts.address, port)} is not in ${opts.knownHostsFile}; ` +
              `check it and add it, or connect once with --accept-new to trust it`,
          );
          return verify(false);
        case 'mismatch':
          hostKeyFailure = new TransportError(
            name,
            'hostkey',
            `HOST KEY MISMATCH for ${hostLabel(opts.address, port)}: server offered ${verdict.keyType} ${verdict.fingerprint}, ` +
              `known_hosts has ${verdict.known.map((k) => `${k.keyType} ${k.fingerprint} (${k.file}:${k.line})`).join(', ')}; refusing to connect`,
          );
          return verify(false);
        case 'revoked':
          hostKeyFailure = new TransportError(name, 'hostkey', `host key ${verdict.keyType} ${verdict.fingerprint} is revoked (${verdict.file}:${verdict.line})`);
          return verify(false);
      }
    },
  };
  if (opts.password !== undefined) config.password = opts.password;
  if (opts.agent !== undefined) config.agent = opts.agent;
  let key: ParsedKey | undefined;
  try {
    key = opts.privateKey !== undefined ? sharedClientKey(opts.privateKey, opts.passphrase) : undefined;
  } catch (err) {
    throw new TransportError(name, 'connect', `bad connection settings: ${(err as Error).message}`, { cause: err });
  }
  config.authHandler = authOrder(opts, key);
  // Through jump hosts or a ProxyCommand: the device's session runs over that stream.
  const tunnel = await openTunnel(opts, deadline);
  if (tunnel) {
    config.sock = tunnel.sock;
    client.once('close', () => tunnel.close());
  }

  await new Promise<void>((resolve, reject) => {
    const fail = (err: TransportError) => {
      client.removeAllListeners('ready');
      client.end();
      tunnel?.close();
      reject(err);
    };
    client.once('ready', () => {
      client.removeAllListeners('error');
      client.on('error', () => {
        /* later errors surface through the channel's close */
      });
      resolve();
    });
    client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => {
      finish(prompts.map(() => opts.password ?? ''));
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => fail(hostKeyFailure ?? classifySshError(name, opts, port, err)));
    try {
      client.connect(config);
    } catch (err) {
      fail(new TransportError(name, 'connect', `bad connection settings: ${(err as Error).message}`, { cause: err }));
    }
  });

  // A server may authenticate and then never answer the subsystem request: the connect deadline covers it too.
  const channel = await new Promise<ClientChannel>((resolve, reject) => {
    const timeoutMs = Math.max(1, deadline - Date.now());
    const timer = setTimeout(() => {
      client.destroy();
      reject(new TransportError(name, 'timeout', `the server did not start the netconf subsystem within the connect timeout of ${opts.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs} ms (--connect-timeout, runbook_connect_timeout)`));
    }, timeoutMs);
    client.subsys('netconf', (err, ch) => {
      clearTimeout(timer);
      if (err) {
        client.end();
        reject(new TransportError(name, 'connect', `server refused the netconf subsystem: ${err.message}`, { cause: err }));
      } else resolve(ch);
    });
  });
  return { client, channel };
}

/**
 * The methods ssh2 would try by itself, in its order, with the key already parsed (see
 * client-key.ts): given as text, ssh2 would parse it again for every connection.
 */
function authOrder(opts: ConnectOptions, key: ParsedKey | undefined): ConnectConfig['authHandler'] {
  const methods: unknown[] = ['none'];
  if (opts.password !== undefined) methods.push('password');
  if (key) methods.push({ type: 'publickey', username: opts.username, key });
  if (opts.agent !== undefined) methods.push('agent');
  if (opts.password !== undefined) methods.push('keyboard-interactive');
  return methods as ConnectConfig['authHandler'];
}

function hostLabel(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

function classifySshError(name: string, opts: ConnectOptions, port: number, err: Error & { level?: string; code?: string }): TransportError {
  const where = `${opts.address}:${port}`;
  switch (err.level) {
    case 'client-authentication':
      return new TransportError(name, 'auth', `authentication as '${opts.username}' failed (methods tried: ${authMethods(opts)})`, { cause: err });
    case 'client-timeout':
      return new TransportError(name, 'timeout', `no SSH session with ${where} within ${opts.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs} ms`, { cause: err });
    case 'client-socket':
      return new TransportError(name, 'connect', `${where}: ${err.code === 'ECONNREFUSED' ? 'connection refused' : err.message}`, { cause: err });
    default:
      return new TransportError(name, 'connect', `${where}: ${err.message}`, { cause: err });
  }
}

function authMethods(opts: ConnectOptions): string {
  const m: string[] = [];
  if (opts.privateKey) m.push('publickey');
  if (opts.agent) m.push('agent');
  if (opts.password !== undefined) m.push('password', 'keyboard-interactive');
  return m.length ? m.join(', ') : 'none';
}
