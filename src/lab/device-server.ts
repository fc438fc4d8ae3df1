import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import type { Connection, ParsedKey } from 'ssh2';
import type { LabFaults } from './faults.ts';
import { LabNetconfSession, type LabBackend } from './netconf-server-session.ts';

export interface DeviceServerOptions {
  readonly address: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The private host key (OpenSSH format) this device presents. */
  readonly hostKey: string;
  readonly username: string;
  readonly password: string;
  /** Public keys (parsed) allowed to log in without a password. */
  readonly authorizedKeys: readonly ParsedKey[];
  readonly faults: LabFaults;
  readonly offerBase11: boolean;
  readonly backend: LabBackend;
}

/**
 * One simulated device: an ssh2 Server that checks credentials (password, keyboard-
 * interactive as Junos asks, or public key) and offers only the `netconf` subsystem.
 */
export class DeviceServer {
  private readonly server: ssh2.Server;
  private readonly connections = new Set<Connection>();
  private nextSessionId = 19313;
  /** Connections dropped on purpose by a fault (for tests). */
  drops = 0;
  /** TCP connections accepted (for tests: "nothing connected"). */
  accepted = 0;

  constructor(private readonly opts: DeviceServerOptions) {
    this.server = new ssh2.Server({ hostKeys: [opts.hostKey], ident: 'SSH-2.0-OpenSSH_7.5' }, (conn) => this.onConnection(conn));
    this.server.on('error', () => undefined);
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.address, () => {
        this.server.removeListener('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.end();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(conn: Connection): void {
    this.accepted++;
    this.connections.add(conn);
    conn.on('close', () => this.connections.delete(conn));
    conn.on('error', () => undefined);
    conn.on('authentication', (ctx) => {
      const methods: Array<'password' | 'keyboard-interactive' | 'publickey'> = ['password', 'keyboard-interactive', 'publickey'];
      if (this.opts.faults.rejectAuth || ctx.username !== this.opts.username) return ctx.reject(methods);
      switch (ctx.method) {
        case 'password':
          return this.passwordOk(ctx.password) ? ctx.accept() : ctx.reject(methods);
        case 'keyboard-interactive':
          return ctx.prompt([{ prompt: 'Password:', echo: false }], (answers) =>
            this.passwordOk(answers[0] ?? '') ? ctx.accept() : ctx.reject(methods),
          );
        case 'publickey': {
          const key = this.opts.authorizedKeys.find((k) => k.type === ctx.key.algo && k.getPublicSSH().equals(ctx.key.data));
          if (!key) return ctx.reject(methods);
          // Without a signature the client is only asking whether the key would do.
          if (!ctx.signature || !ctx.blob) return ctx.accept();
          return key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true ? ctx.accept() : ctx.reject(methods);
        }
        default:
          return ctx.reject(methods);
      }
    });
    conn.on('ready', () => {
      conn.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('subsystem', (accept, reject, info) => {
          if (info.name !== 'netconf') return reject();
          const channel = accept();
          new LabNetconfSession(channel, this.opts.backend, this.opts.faults, {
            sessionId: this.nextSessionId++,
            user: this.opts.username,
            offerBase11: this.opts.offerBase11,
            onDrop: () => {
              this.drops++;
              conn.end();
            },
          });
        });
      });
    });
  }

  private passwordOk(given: string): boolean {
    const a = Buffer.from(given);
    const b = Buffer.from(this.opts.password);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
