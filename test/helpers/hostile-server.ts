/**
 * A NETCONF-over-SSH server written to misbehave, for the failure-path tests (issue 10).
 *
 * By default it answers like a lab device (the lab's backend renders the replies, so a
 * playbook runs normally against it); each test overrides what it needs:
 * - `subsystem: 'hang'`: authenticates, then never answers the netconf subsystem request;
 * - `hello(channel)`: writes its own hello bytes (endless, huge, none at all...);
 * - `onRpc(rpc, reply)`: answers one RPC its own way, or returns false to let the lab answer.
 *
 * Every RPC received is recorded in `received` (name, message-id and the whole `<rpc>`),
 * so a test can assert on exactly what the device got on the wire. The server offers only
 * base:1.0 (end-of-message framing), which keeps the hostile replies easy to write.
 */
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { Connection, ServerChannel } from 'ssh2';
import { stringify } from 'yaml';
import { createLabBackend, type DeviceBackend } from '../../src/lab/backend.ts';
import { parseString } from '../../src/xml/element-stream.ts';
import type { XmlNode } from '../../src/xml/node.ts';
import { createDecoder, messageWriter } from '../../src/transport/framing.ts';
import { drainedOrClosed } from '../../src/lab/netconf-server-session.ts';
import { NETCONF_NS } from '../../src/transport/hello.ts';
import { ed25519KeyPair } from './keys.ts';

export const HOSTILE_USER = 'lab';
export const HOSTILE_PASSWORD = 'hostile-pw';
/** The environment variable the inventory names for the password. */
export const HOSTILE_PASSWORD_ENV = 'RUNBOOK_HOSTILE_PASSWORD';

export interface ReceivedRpc {
  /** The element inside `<rpc>`, e.g. `clear-ipsec-security-association`. */
  readonly name: string;
  readonly messageId: string;
  /** The whole `<rpc>` message as received. */
  readonly xml: string;
  /** The parsed `<rpc>` element. */
  readonly node: XmlNode;
}

/** How the server answers one RPC; all writes are end-of-message framed for you. */
export interface HostileReply {
  /** The usual `<rpc-reply …>` open tag echoing the message-id, with the Junos namespaces. */
  readonly open: string;
  readonly close: string;
  /** Writes bytes inside the current message (no framing end). */
  part(text: string): Promise<void>;
  /** Ends the current message (`]]>]]>`). */
  end(): void;
  /** part(text) then end(). */
  whole(text: string): Promise<void>;
  /** Writes raw bytes to the channel, bypassing the framing. */
  raw(bytes: string | Buffer): void;
  /** Drops the SSH connection at once. */
  drop(): void;
  /** The lab's own answer to this RPC, as the lab device would send it. */
  lab(): Promise<void>;
  /**
   * The content the lab would put inside `<rpc-reply>` for this RPC, as one string, for a
   * test to alter and send with `whole(open + text + close)`; undefined for an rpc-error.
   */
  labText(): string | undefined;
  /** True once the client went away (stop streaming). */
  readonly gone: boolean;
}

export interface HostileOptions {
  /** Lab scenario for the default answers (default `three-peers`). */
  readonly scenario?: string;
  readonly seed?: number;
  /** `hang`: authenticate, then never answer the subsystem request. */
  readonly subsystem?: 'accept' | 'hang';
  /** Writes the hello; default a Junos-like hello (base:1.0 only). */
  readonly hello?: (channel: ServerChannel, defaultHello: string) => void;
  /** Answers an RPC; return false (or nothing after calling nothing) to let the lab answer. */
  readonly onRpc?: (rpc: ReceivedRpc, reply: HostileReply) => Promise<boolean | void> | boolean | void;
}

export class HostileServer {
  readonly received: ReceivedRpc[] = [];
  /** TCP connections accepted. */
  accepted = 0;
  /** SSH channel data packets received from clients (each a 'data' event of the netconf channel). */
  dataPackets = 0;
  private readonly server: ssh2.Server;
  private readonly connections = new Set<Connection>();
  readonly backend: DeviceBackend;
  readonly hostKeyPublic: string;
  private sessionIds = 27000;
  port = 0;

  private constructor(private readonly opts: HostileOptions, hostKey: string, hostKeyPublic: string) {
    this.hostKeyPublic = hostKeyPublic;
    this.backend = createLabBackend({ name: 'hostile-srx', scenario: opts.scenario ?? 'three-peers', seed: opts.seed ?? 1 });
    this.server = new ssh2.Server({ hostKeys: [hostKey], ident: 'SSH-2.0-OpenSSH_7.5' }, (conn) => this.onConnection(conn));
    this.server.on('error', () => undefined);
  }

  static async start(opts: HostileOptions = {}): Promise<HostileServer> {
    const keys = ed25519KeyPair();
    const priv = keys.private;
    const pub = keys.public.trim().split(/\s+/).slice(0, 2).join(' ');
    const s = new HostileServer(opts, priv, pub);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', () => resolve()));
    s.port = (s.server.address() as AddressInfo).port;
    return s;
  }

  /** The device's running configuration in text form, as `show configuration` gives it (read from the backend, not over the wire). */
  runningText(): string {
    let rpc: XmlNode | undefined;
    parseString({ items: new Set(['get-configuration']), onElement: (n) => (rpc ??= n) }, '<get-configuration database="committed" format="text"/>');
    const a = this.backend.answer(rpc!, { id: 999, user: 'lab' });
    if (a.kind !== 'content') throw new Error('the lab answered get-configuration with no content');
    let text = '';
    parseString({ items: new Set(['configuration-text']), onElement: (n) => (text = n.text) }, [...(a as { chunks: Iterable<string> }).chunks].join(''));
    return text.replace(/^\n/, '');
  }

  /** The RPC names received, in order. */
  get rpcNames(): string[] {
    return this.received.map((r) => r.name);
  }

  /**
   * Writes an inventory (one host, `hostile-srx` unless named) and its known_hosts into
   * `dir`. The password comes from HOSTILE_PASSWORD_ENV: pass `env()` to the CLI.
   */
  async writeInventory(dir: string, hostName = 'hostile-srx', hostVars: Record<string, unknown> = {}): Promise<string> {
    const knownHosts = join(dir, 'hostile_known_hosts');
    await writeFile(knownHosts, `[127.0.0.1]:${this.port} ${this.hostKeyPublic}\n`);
    const file = join(dir, 'hostile-inventory.yml');
    const doc = {
      all: {
        vars: { ansible_user: HOSTILE_USER, ansible_password: `{{ lookup('env', '${HOSTILE_PASSWORD_ENV}') }}`, runbook_known_hosts: knownHosts },
        hosts: { [hostName]: { ansible_host: '127.0.0.1', ansible_port: this.port, ...hostVars } },
      },
    };
    await writeFile(file, stringify(doc));
    return file;
  }

  /** Environment for a CLI run against this server. */
  env(): Record<string, string> {
    return { [HOSTILE_PASSWORD_ENV]: HOSTILE_PASSWORD };
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.end();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.backend.close?.();
  }

  private onConnection(conn: Connection): void {
    this.accepted++;
    this.connections.add(conn);
    conn.on('close', () => this.connections.delete(conn));
    conn.on('error', () => undefined);
    conn.on('authentication', (ctx) => {
      if (ctx.username === HOSTILE_USER && ctx.method === 'password' && ctx.password === HOSTILE_PASSWORD) return ctx.accept();
      if (ctx.username === HOSTILE_USER && ctx.method === 'keyboard-interactive') {
        return ctx.prompt([{ prompt: 'Password:', echo: false }], (a) => (a[0] === HOSTILE_PASSWORD ? ctx.accept() : ctx.reject(['password'])));
      }
      ctx.reject(['password', 'keyboard-interactive']);
    });
    conn.on('ready', () => {
      conn.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('subsystem', (accept, reject, info) => {
          if (info.name !== 'netconf') return reject();
          if (this.opts.subsystem === 'hang') return; // never accept, never reject
          this.serve(accept(), conn, this.sessionIds++);
        });
      });
    });
  }

  private serve(channel: ServerChannel, conn: Connection, sessionId: number): void {
    let gone = false;
    channel.on('close', () => (gone = true));
    channel.on('error', () => (gone = true));
    const hello =
      `<!-- No zombies were killed during the creation of this user interface -->\n` +
      `<!-- user ${HOSTILE_USER}, class super-user -->\n` +
      `<hello xmlns="${NETCONF_NS}">\n  <capabilities>\n` +
      `    <capability>urn:ietf:params:netconf:base:1.0</capability>\n` +
      `    <capability>urn:ietf:params:netconf:capability:candidate:1.0</capability>\n` +
      `    <capability>urn:ietf:params:netconf:capability:confirmed-commit:1.0</capability>\n` +
      `    <capability>http://xml.juniper.net/netconf/junos/1.0</capability>\n` +
      `  </capabilities>\n  <session-id>${sessionId}</session-id>\n</hello>\n]]>]]>`;
    if (this.opts.hello) this.opts.hello(channel, hello);
    else channel.write(hello);

    let helloSeen = false;
    let parts: Buffer[] = [];
    const queue: string[] = [];
    let busy = false;
    const drain = async () => {
      if (busy) return;
      busy = true;
      try {
        for (let xml = queue.shift(); xml !== undefined && !gone; xml = queue.shift()) await this.answer(xml, channel, conn, () => gone, sessionId);
      } finally {
        busy = false;
      }
    };
    const decoder = createDecoder('eom', {
      data: (b) => parts.push(Buffer.from(b)),
      end: () => {
        const xml = Buffer.concat(parts).toString('utf8');
        parts = [];
        if (!helloSeen) {
          helloSeen = true;
          return;
        }
        queue.push(xml);
        void drain();
      },
    });
    channel.on('data', (b: Buffer) => {
      this.dataPackets++;
      try {
        decoder.push(b);
      } catch {
        channel.close();
      }
    });
  }

  private async answer(xml: string, channel: ServerChannel, conn: Connection, isGone: () => boolean, sessionId: number): Promise<void> {
    let root: XmlNode | undefined;
    try {
      parseString({ items: new Set(['rpc']), onElement: (n) => (root ??= n) }, xml);
    } catch {
      return;
    }
    if (!root) return;
    const body = root.children[0];
    const messageId = root.attrs['message-id'] ?? '';
    const rpc: ReceivedRpc = { name: body?.name ?? '', messageId, xml, node: root };
    this.received.push(rpc);
    const open = `<rpc-reply xmlns="${NETCONF_NS}" xmlns:junos="http://xml.juniper.net/junos/${this.backend.junosVersion}/junos" message-id="${messageId}">\n`;
    const close = '</rpc-reply>\n';
    let writable = true;
    const w = { current: messageWriter('eom', (b) => (writable = channel.write(b))) };
    const part = async (text: string) => {
      if (isGone()) return;
      w.current.write(text);
      if (!writable) await drainedOrClosed(channel);
    };
    const reply: HostileReply = {
      open,
      close,
      part,
      end: () => {
        w.current.end();
        w.current = messageWriter('eom', (b) => (writable = channel.write(b)));
      },
      whole: async (text) => {
        await part(text);
        reply.end();
      },
      raw: (bytes) => void channel.write(bytes),
      drop: () => conn.end(),
      lab: async () => {
        if (!body) return reply.whole(open + this.backend.rpcError('syntax error, expecting <command>') + close);
        if (body.name === 'close-session') {
          await reply.whole(`${open}<ok/>\n${close}`);
          channel.end();
          return;
        }
        const a = this.backend.answer(body, { id: sessionId, user: HOSTILE_USER });
        if (a.kind === 'error') return reply.whole(open + a.xml + close);
        await part(open);
        for (const chunk of a.chunks) {
          if (isGone()) return;
          await part(chunk);
        }
        await reply.whole(close);
      },
      labText: () => {
        if (!body) return undefined;
        const a = this.backend.answer(body, { id: sessionId, user: HOSTILE_USER });
        return a.kind === 'error' ? undefined : [...a.chunks].join('');
      },
      get gone() {
        return isGone();
      },
    };
    const handled = this.opts.onRpc ? await this.opts.onRpc(rpc, reply) : false;
    if (handled === true) return;
    await reply.lab();
  }
}

/**
 * Writes one inventory naming several servers (inventory name → server) and one
 * known_hosts for all of them into `dir`. The password comes from HOSTILE_PASSWORD_ENV:
 * pass `env()` of any of them to the CLI.
 */
export async function writeFleetInventory(
  dir: string,
  servers: Readonly<Record<string, HostileServer>>,
  hostVars: Readonly<Record<string, Record<string, unknown>>> = {},
): Promise<string> {
  const knownHosts = join(dir, 'hostile_known_hosts');
  await writeFile(knownHosts, Object.values(servers).map((s) => `[127.0.0.1]:${s.port} ${s.hostKeyPublic}\n`).join(''));
  const file = join(dir, 'hostile-inventory.yml');
  const hosts = Object.fromEntries(Object.entries(servers).map(([name, s]) => [name, { ansible_host: '127.0.0.1', ansible_port: s.port, ...hostVars[name] }]));
  const doc = {
    all: {
      vars: { ansible_user: HOSTILE_USER, ansible_password: `{{ lookup('env', '${HOSTILE_PASSWORD_ENV}') }}`, runbook_known_hosts: knownHosts },
      hosts,
    },
  };
  await writeFile(file, stringify(doc));
  return file;
}
