import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { ParsedKey } from 'ssh2';
import { DeviceServer } from './device-server.ts';
import type { LabFaults } from './faults.ts';
import type { LabBackend } from './netconf-server-session.ts';
import { LAB_PASSWORD, LAB_USER } from './credentials.ts';

// In a module of their own so that the CLI can name them without loading the simulator.
export { LAB_PASSWORD, LAB_PASSWORD_ENV, LAB_USER } from './credentials.ts';

export interface LabHostSpec {
  readonly name: string;
  readonly scenario: string;
  readonly seed: number;
  readonly overrides?: ScenarioOverrides;
  readonly faults?: LabFaults;
  /** Offer base:1.1 in the hello (Junos offers base:1.0 only unless told otherwise). */
  readonly base11?: boolean;
  /**
   * Milliseconds in a minute of `commit confirmed`'s confirm-timeout (default 60000).
   * Tests set about 200 so an unconfirmed commit rolls back while they watch.
   */
  readonly confirmMinuteMs?: number;
}

export interface ScenarioOverrides {
  readonly ahSessions?: number;
  readonly peers?: number;
  readonly spus?: number;
  readonly cluster?: boolean;
}

export interface LabOptions {
  readonly hosts: readonly LabHostSpec[];
  /** First port; hosts take consecutive ports from it. 0 (the default) lets each pick a free one. */
  readonly port?: number;
  readonly address?: string;
  /** Where host keys, known_hosts and the client key are kept. */
  readonly dir: string;
  /** Builds the simulated device behind a host. */
  readonly backend: (spec: LabHostSpec) => LabBackend;
  /** confirmMinuteMs for every host that does not set its own. */
  readonly confirmMinuteMs?: number;
}

export interface RunningLabHost {
  readonly spec: LabHostSpec;
  readonly address: string;
  readonly port: number;
  readonly backend: LabBackend;
  readonly server: DeviceServer | undefined;
}

/**
 * A set of simulated SRX devices, each a real NETCONF-over-SSH server on loopback with
 * its own host key. Host keys persist in `dir`, so a known_hosts file stays valid
 * across restarts of `runbook lab serve`.
 */
export class Lab {
  private constructor(
    readonly hosts: readonly RunningLabHost[],
    readonly dir: string,
    readonly knownHostsFile: string,
    readonly clientKeyFile: string,
  ) {}

  static async start(opts: LabOptions): Promise<Lab> {
    const address = opts.address ?? '127.0.0.1';
    await mkdir(join(opts.dir, 'host-keys'), { recursive: true, mode: 0o700 });
    const clientKeyFile = join(opts.dir, 'client_ed25519');
    const clientKey = await loadOrCreateKey(clientKeyFile);
    const authorizedKeys = [parse(clientKey)];
    const hosts: RunningLabHost[] = [];
    const knownHosts: string[] = [];
    try {
      for (const [i, given] of opts.hosts.entries()) {
        const confirmMinuteMs = given.confirmMinuteMs ?? opts.confirmMinuteMs;
        const spec: LabHostSpec = confirmMinuteMs === undefined ? given : { ...given, confirmMinuteMs };
        const backend = opts.backend(spec);
        const wantedPort = opts.port ? opts.port + i : 0;
        const hostKey = await loadOrCreateKey(join(opts.dir, 'host-keys', `${safeName(spec.name)}.key`));
        if (spec.faults?.refuse) {
          // Nothing listens here: take a free port and let it go, so connecting is refused.
          const port = wantedPort || (await freePort(address));
          hosts.push({ spec, address, port, backend, server: undefined });
          knownHosts.push(knownHostsLine(address, port, hostKey));
          continue;
        }
        const presented = spec.faults?.wrongHostKey ? newKey() : hostKey;
        const server = new DeviceServer({
          address,
          port: wantedPort,
          hostKey: presented,
          username: LAB_USER,
          password: LAB_PASSWORD,
          authorizedKeys,
          faults: spec.faults ?? {},
          offerBase11: spec.base11 ?? false,
          backend,
        });
        const port = await server.listen();
        hosts.push({ spec, address, port, backend, server });
        knownHosts.push(knownHostsLine(address, port, hostKey));
      }
    } catch (err) {
      await Promise.all(hosts.map((h) => h.server?.close()));
      for (const h of hosts) h.backend.close?.();
      throw err;
    }
    const knownHostsFile = join(opts.dir, 'known_hosts');
    await writeFile(knownHostsFile, knownHosts.join('\n') + '\n', { mode: 0o600 });
    return new Lab(hosts, opts.dir, knownHostsFile, clientKeyFile);
  }

  host(name: string): RunningLabHost {
    const h = this.hosts.find((x) => x.spec.name === name);
    if (!h) throw new RangeError(`no lab host named '${name}' (have: ${this.hosts.map((x) => x.spec.name).join(', ')})`);
    return h;
  }

  async stop(): Promise<void> {
    await Promise.all(this.hosts.map((h) => h.server?.close()));
    for (const h of this.hosts) h.backend.close?.();
  }
}

async function loadOrCreateKey(file: string): Promise<string> {
  try {
    const existing = await readFile(file, 'utf8');
    if (!(ssh2.utils.parseKey(existing) instanceof Error)) return existing;
  } catch {
    // No key yet: make one below.
  }
  const key = newKey();
  await writeFile(file, key, { mode: 0o600 });
  return key;
}

/**
 * ssh2's ed25519 generator sometimes drops a leading zero byte of the public key, and
 * about one key in 256 then does not parse (mscdex/ssh2#1390): draw again when that happens.
 */
function newKey(): string {
  for (;;) {
    const key = ssh2.utils.generateKeyPairSync('ed25519').private;
    if (!(ssh2.utils.parseKey(key) instanceof Error)) return key;
  }
}

function parse(privateKey: string): ParsedKey {
  const k = ssh2.utils.parseKey(privateKey);
  if (k instanceof Error) throw k;
  return Array.isArray(k) ? k[0] : k;
}

function knownHostsLine(address: string, port: number, privateKey: string): string {
  const k = parse(privateKey);
  return `[${address}]:${port} ${k.type} ${k.getPublicSSH().toString('base64')}`;
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}

async function freePort(address: string): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, address, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
