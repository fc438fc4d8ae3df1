import { StringDecoder } from 'node:string_decoder';
import { XmlElementStream, type ElementHandler } from '../xml/element-stream.ts';
import type { XmlNode } from '../xml/node.ts';
import type { RpcErrorInfo } from './errors.ts';
import { readRpcError } from './rpc-error.ts';

/** What a finished reply carried besides the extractor's data. */
export interface ReplyOutcome {
  readonly messageId: string | undefined;
  readonly errors: RpcErrorInfo[];
  readonly warnings: RpcErrorInfo[];
  /** An `<ok/>` was present (directly or inside a *-results element). */
  readonly ok: boolean;
  readonly bytes: number;
}

/** The reply's root was not `<rpc-reply>` (or the hello's not `<hello>`). */
export class UnexpectedRootError extends Error {
  override readonly name = 'UnexpectedRootError';
}

/**
 * Reads one NETCONF reply as its bytes arrive: decodes UTF-8 across chunk boundaries,
 * takes every `<rpc-error>` wherever it sits (directly under rpc-reply, inside
 * commit-results or load-configuration-results, or inside an operational reply), and
 * hands the rest to the caller's handler. Memory use does not grow with the reply.
 */
export class ReplyReader {
  private readonly decoder = new StringDecoder('utf8');
  private readonly stream: XmlElementStream;
  private readonly errors: RpcErrorInfo[] = [];
  private readonly warnings: RpcErrorInfo[] = [];
  private messageId: string | undefined;
  private ok = false;
  private bytes = 0;

  constructor(
    private readonly rootName: string,
    private readonly inner?: ElementHandler,
    private readonly onText?: (text: string) => void,
  ) {
    const items = new Set<string>(['rpc-error', 'ok']);
    for (const name of inner?.items ?? []) items.add(name);
    this.stream = new XmlElementStream({
      items,
      keep: inner?.keep && new Set([...inner.keep, ...RPC_ERROR_PARTS]),
      onOpen: (name, attrs, path) => {
        if (path.length === 0) {
          if (name !== this.rootName) throw new UnexpectedRootError(`expected <${this.rootName}>, got <${name}>`);
          this.messageId = attrs['message-id'];
        }
        inner?.onOpen?.(name, attrs, path);
      },
      onClose: (name, path) => inner?.onClose?.(name, path),
      onElement: (node, path) => this.element(node, path),
    });
  }

  /** Raw bytes of the message. Throws XmlParseError, UnexpectedRootError or the extractor's own error. */
  push(bytes: Buffer): void {
    this.bytes += bytes.length;
    const text = this.decoder.write(bytes);
    if (text.length === 0) return;
    this.onText?.(text);
    this.stream.write(text);
  }

  finish(): ReplyOutcome {
    const rest = this.decoder.end();
    if (rest) {
      this.onText?.(rest);
      this.stream.write(rest);
    }
    this.stream.end();
    return { messageId: this.messageId, errors: this.errors, warnings: this.warnings, ok: this.ok, bytes: this.bytes };
  }

  private element(node: XmlNode, path: readonly string[]): void {
    if (node.name === 'rpc-error') return this.takeError(node);
    if (node.name === 'ok') {
      this.ok = true;
      return;
    }
    // An element the extractor selected may itself contain rpc-errors (Junos nests them
    // inside operational replies such as <interface-information>): take those too.
    collectNested(node, (e) => this.takeError(e));
    this.inner?.onElement(node, path);
  }

  private takeError(node: XmlNode): void {
    const info = readRpcError(node);
    (info.severity === 'warning' ? this.warnings : this.errors).push(info);
  }
}

/**
 * What readRpcError reads, kept in the trees of a handler that builds only parts of its
 * elements (ElementHandler.keep), so an rpc-error anywhere is still read whole.
 */
const RPC_ERROR_PARTS = ['rpc-error', 'error-type', 'error-tag', 'error-severity', 'error-message', 'error-path', 'error-info', 'bad-element', 'source-daemon'];

function collectNested(node: XmlNode, take: (e: XmlNode) => void): void {
  for (const c of node.children) {
    if (c.name === 'rpc-error') take(c);
    else if (c.children.length > 0) collectNested(c, take);
  }
}
