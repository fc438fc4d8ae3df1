import type { ServerChannel } from 'ssh2';
import { XmlParseError } from '../xml/errors.ts';
import { parseString } from '../xml/element-stream.ts';
import type { XmlNode } from '../xml/node.ts';
import { createDecoder, messageWriter, type FrameDecoder, type Framing } from '../transport/framing.ts';
import { CAP_BASE_11, NETCONF_NS } from '../transport/hello.ts';
import { appliesTo, type LabFaults } from './faults.ts';

/** One RPC's answer from a simulated device: reply content, or rpc-errors. */
export type LabAnswer = { kind: 'content'; chunks: Iterable<string> } | { kind: 'error'; xml: string };

/** The NETCONF session an RPC arrived on: configuration locks and changes belong to it. */
export interface LabSessionInfo {
  /** The session-id of the hello (Junos shows it as the pid of a lock holder). */
  readonly id: number;
  readonly user: string;
}

/** What the NETCONF layer needs from a simulated device. */
export interface LabBackend {
  readonly junosVersion: string;
  /** One line about the device for `lab serve` (model, SPUs, sessions, peers). */
  readonly summary: string;
  answer(rpc: XmlNode, session?: LabSessionInfo): LabAnswer;
  /** An rpc-error in Junos form, for faults and for requests that are not XML. */
  rpcError(message: string, badElement?: string): string;
  /** A NETCONF session closed or its connection dropped: its lock and uncommitted changes go. */
  sessionEnded?(sessionId: number): void;
  /** The lab is stopping: timers (a pending commit confirmed) stop with it. */
  close?(): void;
}

/** Requests are small; anything larger is a broken or hostile client. */
const MAX_REQUEST_BYTES = 1 << 20;

/**
 * The device side of one NETCONF session, framed and spoken like Junos: a hello with
 * the two leading comments and no XML declaration, replies echoing the rpc's attributes,
 * written with backpressure so a multi-GB reply streams in bounded memory.
 */
export class LabNetconfSession {
  private decoder: FrameDecoder;
  private framing: Framing = 'eom';
  private helloSeen = false;
  private request: Buffer[] = [];
  private requestBytes = 0;
  private readonly work: XmlNode[] = [];
  private busy = false;
  private ended = false;
  private released = false;

  constructor(
    private readonly channel: ServerChannel,
    private readonly backend: LabBackend,
    private readonly faults: LabFaults,
    private readonly opts: { sessionId: number; user: string; offerBase11: boolean; onDrop: () => void },
  ) {
    this.decoder = this.makeDecoder('eom');
    channel.on('data', (b: Buffer) => this.onBytes(b));
    channel.on('close', () => this.end());
    channel.on('error', () => this.end());
    this.sendHello();
  }

  /** However the session ends (close-session, the client going away, a dropped connection), the device hears of it once. */
  private end(): void {
    this.ended = true;
    if (this.released) return;
    this.released = true;
    this.backend.sessionEnded?.(this.opts.sessionId);
  }

  private sendHello(): void {
    const caps = [
      'urn:ietf:params:netconf:base:1.0',
      ...(this.opts.offerBase11 ? [CAP_BASE_11] : []),
      'urn:ietf:params:netconf:capability:candidate:1.0',
      'urn:ietf:params:netconf:capability:confirmed-commit:1.0',
      'urn:ietf:params:netconf:capability:validate:1.0',
      'urn:ietf:params:netconf:capability:url:1.0?scheme=http,ftp,file',
      'urn:ietf:params:xml:ns:netconf:base:1.0',
      'urn:ietf:params:xml:ns:netconf:capability:candidate:1.0',
      'urn:ietf:params:xml:ns:netconf:capability:confirmed-commit:1.0',
      'urn:ietf:params:xml:ns:netconf:capability:validate:1.0',
      'urn:ietf:params:xml:ns:netconf:capability:url:1.0?protocol=http,ftp,file',
      'urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring',
      'http://xml.juniper.net/netconf/junos/1.0',
      'http://xml.juniper.net/dmi/system/1.0',
    ];
    const hello =
      `<!-- No zombies were killed during the creation of this user interface -->\n` +
      `<!-- user ${this.opts.user}, class super-user -->\n` +
      `<hello xmlns="${NETCONF_NS}">\n  <capabilities>\n` +
      caps.map((c) => `    <capability>${c}</capability>\n`).join('') +
      `  </capabilities>\n  <session-id>${this.opts.sessionId}</session-id>\n</hello>\n`;
    const w = messageWriter('eom', (b) => this.channel.write(b));
    w.write(hello);
    w.end();
  }

  private makeDecoder(framing: Framing): FrameDecoder {
    return createDecoder(framing, {
      data: (bytes) => {
        this.requestBytes += bytes.length;
        if (this.requestBytes > MAX_REQUEST_BYTES) {
          this.channel.close();
          return;
        }
        this.request.push(Buffer.from(bytes));
      },
      end: () => this.onMessage(Buffer.concat(this.request).toString('utf8')),
    });
  }

  private onBytes(bytes: Buffer): void {
    try {
      this.decoder.push(bytes);
    } catch {
      // Junos drops a session whose framing it cannot read.
      this.channel.close();
    }
  }

  private onMessage(xml: string): void {
    this.request = [];
    this.requestBytes = 0;
    let root: XmlNode | undefined;
    try {
      parseString({ items: new Set(['hello', 'rpc']), onElement: (n) => (root ??= n) }, xml);
    } catch (err) {
      if (err instanceof XmlParseError && this.helloSeen) {
        this.work.push({ name: '#bad', attrs: {}, children: [], text: err.message });
        void this.drain();
        return;
      }
      this.channel.close();
      return;
    }
    if (!this.helloSeen) {
      if (root?.name !== 'hello') return void this.channel.close();
      this.helloSeen = true;
      const caps = root.children.find((c) => c.name === 'capabilities')?.children.map((c) => c.text.trim()) ?? [];
      if (this.opts.offerBase11 && caps.includes(CAP_BASE_11)) {
        this.framing = 'chunked';
        this.decoder = this.makeDecoder('chunked');
      }
      return;
    }
    if (root?.name !== 'rpc') return;
    this.work.push(root);
    void this.drain();
  }

  /** Answers queued RPCs one at a time, in order, as Junos does. */
  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (let rpc = this.work.shift(); rpc && !this.ended; rpc = this.work.shift()) await this.answer(rpc);
    } finally {
      this.busy = false;
    }
  }

  private async answer(rpc: XmlNode): Promise<void> {
    const attrs = Object.entries(rpc.attrs)
      .filter(([k]) => k !== 'xmlns' && !k.startsWith('xmlns:'))
      .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
      .join('');
    const open = `<rpc-reply xmlns="${NETCONF_NS}" xmlns:junos="http://xml.juniper.net/junos/${this.backend.junosVersion}/junos"${attrs}>\n`;
    const close = '</rpc-reply>\n';
    const out = this.writer();

    if (rpc.name === '#bad') {
      await out.whole(open + this.backend.rpcError(`syntax error: ${rpc.text}`) + close);
      return;
    }
    const body = rpc.children[0];
    if (!body) {
      await out.whole(open + this.backend.rpcError('syntax error, expecting <command>') + close);
      return;
    }
    if (body.name === 'close-session') {
      await out.whole(`${open}<ok/>\n${close}`);
      this.channel.end();
      this.channel.close();
      return;
    }
    const faulty = appliesTo(this.faults, body.name);
    if (faulty && this.faults.slowMs) await sleep(this.faults.slowMs);
    if (this.ended) return;
    if (this.faults.rpcErrorOn?.includes(body.name)) {
      await out.whole(open + this.backend.rpcError(`${body.name}: operation failed (lab fault)`, body.name) + close);
      return;
    }
    const answer = this.backend.answer(body, { id: this.opts.sessionId, user: this.opts.user });
    if (answer.kind === 'error') {
      await out.whole(open + answer.xml + close);
      return;
    }
    const dropAt = faulty ? this.faults.dropAfterBytes : undefined;
    const badXml = faulty ? this.faults.badXml : undefined;
    await out.part(open);
    let sent = 0;
    let first = true;
    for (const chunk of answer.chunks) {
      if (this.ended) return;
      if (badXml === 'truncated' && !first) break;
      if (badXml === 'malformed' && first) {
        await out.part(chunk + '\n<flow-session><session-identifier>1</session-identifier></flow-sessio>\n');
        first = false;
        continue;
      }
      first = false;
      await out.part(chunk);
      sent += Buffer.byteLength(chunk);
      if (dropAt !== undefined && sent >= dropAt) {
        this.end();
        this.opts.onDrop();
        return;
      }
    }
    if (badXml !== 'truncated') await out.part(close);
    out.end();
  }

  /** Streams one reply in the session's framing, waiting for the channel to drain. */
  private writer(): { part(s: string): Promise<void>; whole(s: string): Promise<void>; end(): void } {
    let pendingWrite = true;
    const w = messageWriter(this.framing, (b) => {
      pendingWrite = this.channel.write(b);
    });
    const part = async (s: string) => {
      if (this.ended) return;
      w.write(s);
      if (!pendingWrite) await drainedOrClosed(this.channel);
    };
    return {
      part,
      whole: async (s) => {
        await part(s);
        w.end();
      },
      end: () => w.end(),
    };
  }
}

function escapeAttr(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

/** Resolves when the channel can take more data or has closed, leaving no listener behind. */
export function drainedOrClosed(channel: ServerChannel): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      channel.off('drain', done);
      channel.off('close', done);
      resolve();
    };
    channel.on('drain', done);
    channel.on('close', done);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
