import type { Client, ClientChannel } from 'ssh2';
import type { RpcOptions, RpcReply } from '../contracts/session.ts';
import { XmlParseError } from '../xml/errors.ts';
import { RpcError, TransportError } from './errors.ts';
import { createDecoder, frameMessage, type FrameDecoder, type Framing, FramingError } from './framing.ts';
import { CAP_BASE_10, CAP_BASE_11, clientHello, HelloError, negotiatedFraming, NETCONF_NS, parseHello, rpcNameOf } from './hello.ts';
import { LIMIT_DEFAULTS, LimitError, limitErrorOf } from './limits.ts';
import { DEFAULTS, type ConnectOptions } from './options.ts';
import { ReplyReader, UnexpectedRootError } from './reply-reader.ts';
import { openNetconfChannel } from './ssh-connect.ts';

interface Pending {
  readonly rpc: string;
  readonly messageId: string;
  readonly reader: ReplyReader;
  readonly allowErrors: boolean;
  readonly timeoutMs: number;
  readonly started: number;
  timer: NodeJS.Timeout | undefined;
  /** The whole RPC's deadline: data trickling in (keep-alive comments, endless records) does not push it back. */
  deadline: NodeJS.Timeout | undefined;
  /** Set when reading failed mid-message: the rest of the message is skipped. */
  failed: boolean;
  resolve(reply: RpcReply): void;
  reject(err: Error): void;
}

/**
 * One NETCONF session over SSH. RPCs are sent one at a time, in order (Junos handles
 * them serially anyway), each reply checked to be one `<rpc-reply>` with its message-id
 * and streamed into the caller's handler as it arrives. What a reply may hold is bounded
 * (limits.ts); each RPC has an idle timer and an overall deadline.
 */
export class NetconfSession {
  readonly name: string;
  private decoder: FrameDecoder;
  private framingInUse: Framing = 'eom';
  private nextId = 1;
  private pending: Pending | undefined;
  private readonly queue: Array<() => void> = [];
  private closed: TransportError | undefined;
  private helloWaiter: { chunks: Buffer[]; bytes: number; done: (xml: string) => void; fail: (err: TransportError) => void } | undefined;
  private serverHelloCaps: string[] = [];
  private serverSessionId: string | undefined;

  private constructor(
    private readonly opts: ConnectOptions,
    private readonly client: Client,
    private readonly channel: ClientChannel,
  ) {
    this.name = opts.name ?? opts.address;
    this.decoder = this.makeDecoder('eom');
    channel.on('data', (bytes: Buffer) => this.onBytes(bytes));
    channel.stderr.on('data', () => {
      /* Junos writes nothing useful on stderr of the netconf subsystem */
    });
    channel.on('close', () => this.onClosed('the server closed the NETCONF session'));
    client.on('close', () => this.onClosed('the SSH connection closed'));
    client.on('error', (err: Error) => this.onClosed(`SSH error: ${err.message}`));
  }

  /** Connects, authenticates, verifies the host key and exchanges hellos. */
  static async connect(opts: ConnectOptions): Promise<NetconfSession> {
    const name = opts.name ?? opts.address;
    const timeout = opts.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
    const deadline = Date.now() + timeout;
    const { client, channel } = await openNetconfChannel(opts, deadline);
    const session = new NetconfSession(opts, client, channel);
    try {
      await session.exchangeHellos(Math.max(1, deadline - Date.now()));
    } catch (err) {
      session.destroy();
      if (err instanceof TransportError) throw err;
      throw new TransportError(name, 'protocol', `bad hello: ${(err as Error).message}`, { cause: err });
    }
    return session;
  }

  get framing(): Framing {
    return this.framingInUse;
  }
  get capabilities(): readonly string[] {
    return this.serverHelloCaps;
  }
  get sessionId(): string | undefined {
    return this.serverSessionId;
  }

  /**
   * Sends one RPC (the element inside `<rpc>`) and resolves when its reply has been read.
   * Rejects with RpcError for error-severity rpc-errors (unless allowErrors), and with
   * TransportError for timeouts, closed sessions, framing and XML errors.
   */
  rpc(body: string, options: RpcOptions = {}): Promise<RpcReply> {
    return new Promise<RpcReply>((resolve, reject) => {
      const start = () => {
        if (this.closed) return reject(this.closed);
        const messageId = String(this.nextId++);
        const rpc = rpcNameOf(body);
        const pending: Pending = {
          rpc,
          messageId,
          reader: new ReplyReader('rpc-reply', options.handler, options.onText, this.opts),
          allowErrors: options.allowErrors ?? false,
          timeoutMs: options.timeoutMs ?? this.opts.rpcTimeoutMs ?? DEFAULTS.rpcTimeoutMs,
          started: Date.now(),
          timer: undefined,
          deadline: undefined,
          failed: false,
          resolve,
          reject,
        };
        this.pending = pending;
        this.armTimer(pending);
        this.armDeadline(pending, options.deadlineMs ?? this.opts.rpcDeadlineMs ?? DEFAULTS.rpcDeadlineMs);
        // One write, so one SSH packet: the end marker sent apart cost each RPC a second packet and syscall.
        this.channel.write(frameMessage(this.framingInUse, `<rpc xmlns="${NETCONF_NS}" message-id="${messageId}">${body}</rpc>`));
      };
      if (this.pending) this.queue.push(start);
      else start();
    });
  }

  /** Sends `<close-session/>` and waits briefly for its reply, then ends the connection. */
  async close(): Promise<void> {
    if (this.closed) return this.destroy();
    try {
      await this.rpc('<close-session/>', { timeoutMs: 5_000, deadlineMs: 5_000 });
    } catch {
      // A server may drop the connection as it answers; the session ends either way.
    } finally {
      this.destroy();
    }
  }

  /** Ends the connection at once. */
  destroy(): void {
    this.onClosed('session closed by the client');
    this.channel.destroy();
    this.client.end();
  }

  private async exchangeHellos(timeoutMs: number): Promise<void> {
    const ours = this.opts.base10Only ? [CAP_BASE_10] : [CAP_BASE_10, CAP_BASE_11];
    const hello = clientHello(ours);
    // Our hello goes out on its own, before we read theirs (RFC 6241 §8.1 lets both send at once).
    this.channel.write(frameMessage('eom', hello));
    const serverHello = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.helloWaiter = undefined;
        reject(new TransportError(this.name, 'timeout', `no <hello> from the server within the connect timeout (${timeoutMs} ms left of it; --connect-timeout, runbook_connect_timeout)`));
      }, timeoutMs);
      this.helloWaiter = {
        chunks: [],
        bytes: 0,
        done: (xml) => (clearTimeout(timer), resolve(xml)),
        fail: (err) => (clearTimeout(timer), reject(err)),
      };
    });
    const xml = await serverHello;
    let parsed;
    try {
      parsed = parseHello(xml);
    } catch (err) {
      if (err instanceof HelloError || err instanceof XmlParseError) throw new TransportError(this.name, 'protocol', `bad <hello> from the server: ${err.message}`, { cause: err });
      throw err;
    }
    this.serverHelloCaps = parsed.capabilities;
    this.serverSessionId = parsed.sessionId;
    this.framingInUse = negotiatedFraming(ours, parsed.capabilities);
    if (this.framingInUse !== 'eom') this.decoder = this.makeDecoder(this.framingInUse);
  }

  private makeDecoder(framing: Framing): FrameDecoder {
    return createDecoder(framing, {
      data: (bytes) => this.onMessageBytes(bytes),
      end: () => this.onMessageEnd(),
    });
  }

  private onBytes(bytes: Buffer): void {
    try {
      this.decoder.push(bytes);
    } catch (err) {
      const e = err instanceof FramingError ? new TransportError(this.name, 'protocol', `NETCONF framing: ${err.message}`) : (err as Error);
      this.failSession(e instanceof TransportError ? e : new TransportError(this.name, 'protocol', e.message, { cause: e }));
    }
  }

  private onMessageBytes(bytes: Buffer): void {
    if (this.helloWaiter) {
      // The hello is held whole to be parsed: a server sending one without end is cut off here.
      const max = this.opts.maxHelloBytes ?? LIMIT_DEFAULTS.maxHelloBytes;
      if ((this.helloWaiter.bytes += bytes.length) > max) {
        const err = new LimitError('maxHelloBytes', max, "the server's <hello>");
        return this.failSession(new TransportError(this.name, 'limit', err.message, { cause: err }));
      }
      this.helloWaiter.chunks.push(Buffer.from(bytes));
      return;
    }
    const p = this.pending;
    if (!p) {
      this.failSession(new TransportError(this.name, 'protocol', 'the server sent a message while no RPC was outstanding'));
      return;
    }
    if (p.failed) return;
    this.armTimer(p);
    try {
      p.reader.push(bytes);
    } catch (err) {
      const e = this.readError(p, err);
      // Skipping the rest of a reply over a bound would mean reading it all: end the session instead.
      if (e instanceof TransportError && e.phase === 'limit') this.failSession(e);
      else this.failPending(p, e);
    }
  }

  private onMessageEnd(): void {
    if (this.helloWaiter) {
      const { chunks, done } = this.helloWaiter;
      this.helloWaiter = undefined;
      done(Buffer.concat(chunks).toString('utf8'));
      return;
    }
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimers(p);
    if (!p.failed) this.settle(p);
    this.queue.shift()?.();
  }

  private settle(p: Pending): void {
    let outcome;
    try {
      outcome = p.reader.finish();
    } catch (err) {
      return p.reject(this.readError(p, err));
    }
    // RFC 6241 §4.2: the reply carries the request's message-id. One without it, or with
    // another, is not the answer to this request, and the session is out of step.
    if (outcome.messageId !== p.messageId) {
      const got = outcome.messageId === undefined ? 'no message-id' : `message-id ${outcome.messageId}`;
      const err = new TransportError(this.name, 'protocol', `reply to ${p.rpc} has ${got}, expected ${p.messageId}`);
      p.reject(err);
      return this.failSession(err);
    }
    if (outcome.errors.length > 0 && !p.allowErrors) return p.reject(new RpcError(this.name, p.rpc, outcome.errors, outcome.warnings));
    p.resolve({ rpc: p.rpc, ok: outcome.ok, errors: outcome.errors, warnings: outcome.warnings, bytes: outcome.bytes, ms: Date.now() - p.started });
  }

  private readError(p: Pending, err: unknown): Error {
    if (err instanceof XmlParseError) return new TransportError(this.name, 'parse', `reply to ${p.rpc} is not well-formed XML: ${err.message}`, { cause: err });
    if (err instanceof UnexpectedRootError) return new TransportError(this.name, 'protocol', `reply to ${p.rpc}: ${err.message}`, { cause: err });
    const limit = limitErrorOf(err);
    if (limit) return new TransportError(this.name, 'limit', `reply to ${p.rpc}: ${limit.message}`, { cause: err });
    if (err instanceof TransportError || err instanceof RpcError) return err;
    // An extractor refused the reply's content: the reply is malformed for what we asked.
    return new TransportError(this.name, 'parse', `reply to ${p.rpc}: ${(err as Error).message}`, { cause: err });
  }

  /** Fails the pending RPC and skips the rest of its message; the session stays usable. */
  private failPending(p: Pending, err: Error): void {
    p.failed = true;
    p.reject(err);
  }

  private armTimer(p: Pending): void {
    // Re-armed for every read of a reply: restarting the one timer costs less than a new one each time.
    if (p.timer) {
      p.timer.refresh();
      return;
    }
    p.timer = setTimeout(() => {
      // After a timeout the reply may still come; the session cannot be trusted to stay in step.
      this.failSession(new TransportError(this.name, 'timeout', `no reply data to ${p.rpc} for ${p.timeoutMs} ms (--rpc-timeout, runbook_rpc_timeout)`));
    }, p.timeoutMs);
  }

  private armDeadline(p: Pending, ms: number): void {
    p.deadline = setTimeout(() => {
      this.failSession(new TransportError(this.name, 'timeout', `the reply to ${p.rpc} was not complete within ${seconds(ms)} (--rpc-deadline, runbook_rpc_deadline)`));
    }, ms);
  }

  private failSession(err: TransportError): void {
    this.closed ??= err;
    this.rejectAll(err);
    this.channel.destroy();
    // Not end(): a server that misbehaves this far may not close its side either.
    this.client.destroy();
  }

  private onClosed(why: string): void {
    if (!this.closed) {
      const p = this.pending;
      const detail = p ? ` while reading the reply to ${p.rpc}` : this.helloWaiter ? ' before its <hello>' : '';
      this.closed = new TransportError(this.name, 'closed', `${why}${detail}`);
    }
    this.rejectAll(this.closed);
  }

  private rejectAll(err: TransportError): void {
    const hello = this.helloWaiter;
    this.helloWaiter = undefined;
    hello?.fail(err);
    const p = this.pending;
    this.pending = undefined;
    if (p) {
      clearTimers(p);
      if (!p.failed) p.reject(err);
    }
    for (const start of this.queue.splice(0)) start();
  }
}

function clearTimers(p: Pending): void {
  clearTimeout(p.timer);
  clearTimeout(p.deadline);
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
