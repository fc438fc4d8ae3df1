import { StringDecoder } from 'node:string_decoder';
import { XmlElementStream, type ElementHandler } from '../xml/element-stream.ts';
import type { XmlNode } from '../xml/node.ts';
import { LimitError, limitsOf, xmlLimitsOf, type SessionLimits } from './limits.ts';
import { readRpcError } from './rpc-error.ts';
import { outsideRoot } from './root-text.ts';
import type { RpcErrorInfo } from '../contracts/session.ts';

/** How much text before the root (and after it) is kept to check it is only a prolog, comments and space. */
const OUTSIDE_ROOT_KEPT = 4096;

/** What a finished reply carried besides the extractor's data. */
export interface ReplyOutcome {
  readonly messageId: string | undefined;
  readonly errors: RpcErrorInfo[];
  readonly warnings: RpcErrorInfo[];
  /** An `<ok/>` was present (directly or inside a *-results element). */
  readonly ok: boolean;
  readonly bytes: number;
}

/**
 * The message is not one `<rpc-reply>` document: another root, no root at all (a device
 * answering with bare text such as `% error: syntax error`), a second root, or text
 * outside the root.
 */
export class UnexpectedRootError extends Error {
  override readonly name = 'UnexpectedRootError';
}

/**
 * Reads one NETCONF reply as its bytes arrive: decodes UTF-8 across chunk boundaries,
 * takes every `<rpc-error>` wherever it sits (directly under rpc-reply, inside
 * commit-results or load-configuration-results, or inside an operational reply), and
 * hands the rest to the caller's handler. Memory use does not grow with the reply: its
 * bytes and records are bounded here (LimitError), its depth and text nodes by the XML
 * reader (XmlLimitError); limitErrorOf reads either.
 */
export class ReplyReader {
  private readonly decoder = new StringDecoder('utf8');
  private readonly stream: XmlElementStream;
  private readonly errors: RpcErrorInfo[] = [];
  private readonly warnings: RpcErrorInfo[] = [];
  private messageId: string | undefined;
  private ok = false;
  private bytes = 0;
  private records = 0;
  private readonly limits: Required<SessionLimits>;
  /** Where the reader is: before the root (keeping the text to check), inside it, or after it. */
  private root: 'before' | 'open' | 'closed' = 'before';
  /** Text before the root, or after it (bounded): it may hold only a prolog, comments and space. */
  private outside = '';
  /** The root closed in the chunk being written: what follows its `>` is after the root. */
  private closedInChunk = false;

  constructor(
    private readonly rootName: string,
    private readonly inner?: ElementHandler,
    private readonly onText?: (text: string) => void,
    limits: SessionLimits = {},
  ) {
    this.limits = limitsOf(limits);
    const items = new Set<string>(['rpc-error', 'ok']);
    for (const name of inner?.items ?? []) items.add(name);
    this.stream = new XmlElementStream(
      {
        items,
        keep: inner?.keep && new Set([...inner.keep, ...RPC_ERROR_PARTS]),
        textOf: inner?.textOf && new Set([...inner.textOf, ...RPC_ERROR_PARTS]),
        onOpen: (name, attrs, path) => {
          if (path.length === 0) this.rootOpened(name, attrs);
          inner?.onOpen?.(name, attrs, path);
        },
        onClose: (name, path) => {
          if (path.length === 0) {
            this.root = 'closed';
            this.closedInChunk = true;
          }
          inner?.onClose?.(name, path);
        },
        onElement: (node, path) => this.element(node, path),
      },
      xmlLimitsOf(this.limits),
    );
  }

  /** Raw bytes of the message. Throws XmlParseError, UnexpectedRootError, LimitError or the extractor's own error. */
  push(bytes: Buffer): void {
    this.bytes += bytes.length;
    if (this.bytes > this.limits.maxReplyBytes) throw new LimitError('maxReplyBytes', this.limits.maxReplyBytes, 'the reply');
    const text = this.decoder.write(bytes);
    if (text.length === 0) return;
    this.onText?.(text);
    this.write(text);
  }

  finish(): ReplyOutcome {
    const rest = this.decoder.end();
    if (rest) {
      this.onText?.(rest);
      this.write(rest);
    }
    this.checkOutside();
    if (this.root === 'before') throw new UnexpectedRootError(`expected <${this.rootName}>, the reply has no element`);
    this.stream.end();
    return { messageId: this.messageId, errors: this.errors, warnings: this.warnings, ok: this.ok, bytes: this.bytes };
  }

  private write(text: string): void {
    if (this.root === 'before') this.keepOutside(text);
    this.stream.write(text);
    if (this.root === 'before') {
      // A device answering with endless text is failed once the kept text is full.
      if (this.outside.length >= OUTSIDE_ROOT_KEPT) this.checkOutside();
    } else if (this.closedInChunk) {
      this.closedInChunk = false;
      // What follows the root's closing `>` in this chunk (a prefix such as nc: does not matter: the name ends it).
      const at = text.lastIndexOf(this.rootName);
      this.keepOutside(text.slice(text.indexOf('>', Math.max(0, at)) + 1));
    } else if (this.root === 'closed') this.keepOutside(text);
  }

  private keepOutside(text: string): void {
    if (this.outside.length < OUTSIDE_ROOT_KEPT) this.outside += text.slice(0, OUTSIDE_ROOT_KEPT - this.outside.length);
  }

  /** Text outside the root (anything but a prolog, comments and space) fails the reply. */
  private checkOutside(rootFound = false): void {
    const stray = outsideRoot(this.outside);
    if (stray === undefined) return;
    if (this.root === 'closed') throw new UnexpectedRootError(`text after </${this.rootName}>: ${quote(stray)}`);
    if (rootFound) throw new UnexpectedRootError(`text before <${this.rootName}>: ${quote(stray)}`);
    throw new UnexpectedRootError(`expected <${this.rootName}>, the device answered with text: ${quote(stray)}`);
  }

  private rootOpened(name: string, attrs: Readonly<Record<string, string>>): void {
    if (this.root === 'closed') throw new UnexpectedRootError(`a second root element <${name}> after </${this.rootName}>`);
    if (name !== this.rootName) throw new UnexpectedRootError(`expected <${this.rootName}>, got <${name}>`);
    this.checkOutside(true);
    this.root = 'open';
    this.outside = '';
    this.messageId = attrs['message-id'];
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
    if (++this.records > this.limits.maxRecords) throw new LimitError('maxRecords', this.limits.maxRecords, 'the number of records in the reply');
    this.inner?.onElement(node, path);
  }

  private takeError(node: XmlNode): void {
    const info = readRpcError(node);
    (info.severity === 'warning' ? this.warnings : this.errors).push(info);
  }
}

/**
 * What readRpcError reads, kept in the trees (and with their text) of a handler that
 * builds only parts of its elements (ElementHandler.keep, textOf), so an rpc-error
 * anywhere is still read whole.
 */
const RPC_ERROR_PARTS = ['rpc-error', 'error-type', 'error-tag', 'error-severity', 'error-message', 'error-path', 'error-info', 'bad-element', 'source-daemon'];

function collectNested(node: XmlNode, take: (e: XmlNode) => void): void {
  for (const c of node.children) {
    if (c.name === 'rpc-error') take(c);
    else if (c.children.length > 0) collectNested(c, take);
  }
}

/** The first line of a device's text, short enough for a message. */
function quote(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return `'${line.length > 120 ? `${line.slice(0, 117)}...` : line}'`;
}
