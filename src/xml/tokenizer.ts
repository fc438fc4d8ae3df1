import { ASCII_NAME, isNameCode, isNameStartCode, isSpaceCode, isXmlChar, isXmlName, predefinedEntity } from './chars.ts';
import { XmlParseError } from './errors.ts';
import { flatCopy } from './flat-string.ts';
import { resolveXmlLimits, XmlLimitError, type XmlLimits } from './limits.ts';

/** Attributes of one tag by name as written (`junos:style`), values with entities decoded. */
export type XmlAttributes = Readonly<Record<string, string>>;

/** What the tokenizer reports, in document order. */
export interface XmlTokenSink {
  /**
   * An element opened; `name` as written, prefix included. A self-closing tag is an open
   * then a close. `tag`, when given, is the same object every time the name is read again.
   */
  openTag(name: string, attrs: XmlAttributes, tag?: XmlTagSlot): void;
  closeTag(name: string): void;
  /** Character data (text with entities decoded, CDATA), in one or more pieces; only while `collectText` is set. */
  text(text: string): void;
}

/**
 * A name the tokenizer has read, handed with every open tag of that name: the sink may keep
 * what it makes of the name in `sinkData` (the tokenizer never reads it), so that a name
 * repeated a million times is looked up once rather than once per element.
 */
export interface XmlTagSlot {
  readonly name: string;
  sinkData: unknown;
}

/** What the tokenizer is in the middle of when a chunk ends. */
const enum Mode {
  Text,
  Comment,
  CData,
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const AMP = 0x26;
const SEMI = 0x3b;
const EQ = 0x3d;
const QUOT = 0x22;
const APOS = 0x27;
const HASH = 0x23;
const CLOSE_BRACKET = 0x5d;
const CR = 0x0d;
const LF = 0x0a;

/** Longer than any entity reference a document without a DTD can hold (`&#x10FFFF;` and the five names). */
const MAX_ENTITY = 40;
/** Longest close span remembered (a close tag, indentation, the next tag). */
const MAX_SPAN = 256;
/** Longest text of a leaf element remembered for a chain of close spans, and the longest chain. */
const MAX_LEAF_TEXT = 64;
const MAX_CHAIN = 1024;
/** A leaf whose text and close span came again this many times in a row is a link of a chain: values that repeat by chance (a counter at 2 twice) would break chains. */
const STABLE_REPEATS = 4;
/** Attributes of tags that have none: shared, so a plain tag costs no allocation. */
const NO_ATTRIBUTES: XmlAttributes = Object.freeze(Object.create(null) as Record<string, string>);
/** Past any index (strings are shorter than 2^29), and a small integer so the fields holding it stay untagged. */
const NOT_FOUND = 0x3fffffff;

/**
 * A streaming XML tokenizer for NETCONF replies, several times faster than saxes on the
 * replies that matter (a million pretty-printed flow sessions). It works by native string
 * searches and comparisons rather than a state per character:
 *  - text between tags is found with one `indexOf('<')`;
 *  - replies repeat one record shape, so it remembers, per tag name, the name that came
 *    next, the exact text that followed its close tag (`</pkt-cnt>` + indentation +
 *    `<byte-cnt>`, a "close span") and its attributes as written; each is checked against
 *    the reply with one comparison, and only a mismatch falls back to reading characters.
 *
 * It reads a fragment (text and several elements at the top level are allowed, as in
 * saxes' fragment mode, so CLI captures and PyEZ fragments read), drops an XML
 * declaration at the very start, and does not resolve namespace prefixes.
 *
 * Well-formedness is checked as saxes checks it: tag nesting, names, attribute syntax and
 * duplicates, entity and character references, comments, `]]>` in text, characters XML
 * forbids. The first problem is thrown as XmlParseError with its line and column.
 * `test/unit/xml` holds it to saxes (SaxesTokenizer) on the Junos captures and on random
 * documents cut at random places.
 *
 * Chunks may end anywhere (inside a tag, a reference, a comment or CDATA delimiter, or a
 * surrogate pair): an incomplete token is carried into the next write. Long text, comments
 * and CDATA sections are consumed as they arrive; a tag or processing instruction cut by a
 * chunk is held in pieces (PendingMarkup) until a chunk brings what may end it, so its cost
 * stays linear in its length. XmlLimits bound depth, text runs and held markup: past one,
 * the tokenizer throws XmlLimitError.
 */
export class XmlTokenizer {
  /** When false, character data is still checked but neither decoded nor handed over. */
  collectText = true;
  private carry = '';
  /** A tag or processing instruction cut by a chunk and not finished since; `carry` is empty meanwhile. */
  private pending: PendingMarkup | undefined;
  private readonly maxDepth: number;
  private readonly maxText: number;
  /** Characters of character data since the last tag. */
  private textRun = 0;
  private charsRead = 0;
  private mode = Mode.Text;
  /** The open elements, innermost last. */
  private readonly open: TagName[] = [];
  private readonly names = new NameTable();
  /** The last tag read, and whether it opened an element: what predicts the next name. */
  private prev: TagName = new TagName('');
  private prevOpened = true;
  /** An element closed by a full read of its close tag at [spanStart, spanEnd) of this chunk, whose CloseSpan may be learnt from what follows. */
  private spanTag: TagName | undefined;
  private spanStart = 0;
  private spanEnd = 0;
  /** The close span that opened the element read now, and where that element's text starts: what a chain may learn (see learnLeaf). */
  private leafSpan: CloseSpan | undefined;
  private leafStart = 0;
  /** Where the name readName last read ends. */
  private nameEnd = 0;
  /** Nothing but whitespace seen yet: an XML declaration may still come. */
  private atStart = true;
  private ended = false;
  private failure: Error | undefined;
  /** Line breaks and characters since the last one, over the text already consumed. */
  private linesBefore = 0;
  private columnBefore = 0;

  // The chunk being read and the next occurrence of what text must be checked for, found
  // once per chunk rather than once per run of text.
  private data = '';
  private ampAt = -1;
  private crAt = -1;
  private cdataEndAt = -1;

  constructor(
    private readonly sink: XmlTokenSink,
    limits?: XmlLimits,
  ) {
    const { maxDepth, maxTextBytes } = resolveXmlLimits(limits);
    this.maxDepth = maxDepth;
    this.maxText = maxTextBytes;
  }

  /** Characters scanned so far, a carried one again each time it is read: a measure of the tokenizer's work, for tests. */
  get charactersRead(): number {
    return this.charsRead;
  }

  write(chunk: string): void {
    if (this.failure) throw this.failure;
    if (this.ended) this.fail('text written after the end of the document', 0);
    try {
      const pending = this.pending;
      if (pending !== undefined) {
        this.charsRead += pending.add(chunk);
        if (!pending.mayEnd) return this.checkPending(pending);
        this.pending = undefined;
        this.read(pending.text());
      } else {
        // A flat string: V8 reads a concatenation through an indirection on every access.
        this.read(this.carry.length > 0 ? [this.carry, chunk].join('') : chunk);
      }
    } catch (err) {
      this.failure ??= err as Error;
      throw err;
    }
  }

  /** Reads `data` (the carry and a chunk), and keeps what is left unread for the next write. */
  private read(data: string): void {
    this.carry = '';
    this.data = data;
    this.ampAt = this.crAt = this.cdataEndAt = -1;
    this.spanTag = undefined;
    this.leafSpan = undefined;
    this.charsRead += data.length;
    const rest = this.run(data);
    this.advance(data, rest);
    if (rest >= data.length) return;
    if (this.mode === Mode.Text && isLongMarkup(data, rest)) {
      const pending = new PendingMarkup(data.slice(rest));
      this.charsRead += pending.length;
      this.pending = pending;
      this.checkPending(pending);
    } else {
      this.carry = data.slice(rest);
    }
  }

  /** Markup held across chunks is bounded like text: an unterminated tag fails here instead of growing. */
  private checkPending(pending: PendingMarkup): void {
    if (pending.length <= this.maxText) return;
    const what = pending.instruction ? 'a processing instruction' : 'a tag';
    throw new XmlLimitError('maxTextBytes', this.maxText, `${what} still open after ${pending.length} characters`, this.linesBefore + 1, this.columnBefore + 1);
  }

  /** Ends the document: a document cut short (open elements, an unfinished tag) is an error. */
  end(): void {
    if (this.failure) throw this.failure;
    if (this.ended) return;
    this.ended = true;
    try {
      // Markup held in pieces is read once more, whole, so a malformed tag is named as such.
      const pending = this.pending;
      this.pending = undefined;
      if (pending !== undefined) this.read(pending.text());
      // Still incomplete: what is left is the carry the checks below refuse.
      const left = this.pending as PendingMarkup | undefined;
      if (left !== undefined) this.carry = left.text();
    } catch (err) {
      this.failure ??= err as Error;
      throw err;
    }
    const data = (this.data = this.carry);
    this.carry = '';
    this.ampAt = this.crAt = this.cdataEndAt = -1;
    try {
      if (this.mode === Mode.Comment) this.fail('document ended inside a comment', data.length);
      if (this.mode === Mode.CData) this.fail('document ended inside a CDATA section', data.length);
      if (data.length > 0) {
        const c = data.charCodeAt(0);
        if (c === LT) this.fail(`document ended inside a tag: ${JSON.stringify(data.slice(0, 40))}`, 0);
        if (c === AMP) this.fail(`document ended inside an entity reference: ${JSON.stringify(data.slice(0, 40))}`, 0);
        // What is left is text held back for a possible "]]>", CRLF or surrogate pair.
        this.text(data, 0, data.length);
      }
      if (this.open.length > 0) this.fail(`document ended inside <${this.open[this.open.length - 1].name}>`, data.length);
    } catch (err) {
      this.failure ??= err as Error;
      throw err;
    }
  }

  // The methods called for every token (run, text, openTag, closeTag, spanned) are kept
  // small, with anything rare (attributes, errors, chunk ends) in methods of their own:
  // V8 then inlines the common path whole, and it stays fast whatever else has run.

  /** Reads `data`; returns where the unread rest (carried to the next write) starts. */
  private run(data: string): number {
    let pos = 0;
    while (pos < data.length) {
      if (this.mode !== Mode.Text) {
        pos = this.inside(data, pos);
        if (pos < 0) return ~pos;
        continue;
      }
      const lt = data.indexOf('<', pos);
      if (lt < 0) return this.trailingText(data, pos);
      if (lt > pos) this.text(data, pos, lt);
      const next = this.markup(data, lt);
      if (next < 0) return lt;
      pos = next;
    }
    return pos;
  }

  /** Inside a comment or CDATA section: where reading goes on, or ~(where the carry starts). */
  private inside(data: string, pos: number): number {
    return this.mode === Mode.Comment ? this.comment(data, pos) : this.cdata(data, pos);
  }

  /** Markup at `lt`: where reading goes on, or -1 when it is not complete yet. */
  private markup(data: string, lt: number): number {
    const c = lt + 1 < data.length ? data.charCodeAt(lt + 1) : -1;
    if (c === SLASH) return this.closeTag(data, lt);
    if (c >= 0 && c < 128 && ASCII_NAME[c] === 1) return this.openTag(data, lt);
    return this.otherMarkup(data, lt, c);
  }

  /** A tag whose name starts with a non-ASCII character, a comment, CDATA or a processing instruction. */
  private otherMarkup(data: string, lt: number, c: number): number {
    this.spanTag = undefined;
    if (c === BANG) return this.bang(data, lt);
    if (c === QUESTION) return this.instruction(data, lt);
    if (c < 0 || isCutPair(data, lt + 1)) return -1;
    if (isNameStartAt(data, lt + 1)) return this.openTag(data, lt);
    return this.fail('disallowed character in tag name', lt + 1);
  }

  private openTag(data: string, lt: number): number {
    const tag = this.tagNameAt(data, lt + 1);
    if (tag === undefined) return -1;
    const p = this.nameEnd;
    this.atStart = false;
    if (data.charCodeAt(p) !== GT) return this.openTagRest(data, p, tag);
    if (this.spanTag !== undefined) this.learnSpan(data, lt, p + 1, tag, true);
    this.opened(tag, NO_ATTRIBUTES, lt);
    return p + 1;
  }

  /**
   * The name of an open tag starting at `start`, its end in `nameEnd`; undefined when the
   * chunk ends first. Replies repeat the same shapes: the name that followed the last tag
   * last time is tried first, and a hit costs one comparison instead of a scan.
   */
  private tagNameAt(data: string, start: number): TagName | undefined {
    const predicted = this.prevOpened ? this.prev.afterOpen : this.prev.afterClose;
    if (predicted !== undefined) {
      const p = start + predicted.name.length;
      const c = p < data.length ? data.charCodeAt(p) : -1;
      if ((c === GT || c === SLASH || isSpaceCode(c)) && data.slice(start, p) === predicted.name) {
        this.nameEnd = p;
        return predicted;
      }
    }
    const tag = this.readName(data, start);
    if (tag !== undefined) {
      if (this.prevOpened) this.prev.afterOpen = tag;
      else this.prev.afterClose = tag;
    }
    return tag;
  }

  /** `tag` opened at `lt`. */
  private opened(tag: TagName, attrs: XmlAttributes, lt: number): void {
    if (this.open.length >= this.maxDepth) this.tooDeep(lt);
    this.open.push(tag);
    this.prev = tag;
    this.prevOpened = true;
    this.textRun = 0;
    this.sink.openTag(tag.name, attrs, tag);
  }

  private closed(tag: TagName): void {
    this.open.pop();
    this.prev = tag;
    this.prevOpened = false;
    this.textRun = 0;
    this.sink.closeTag(tag.name);
  }

  private tooDeep(lt: number): never {
    const { line, column } = this.position(lt);
    throw new XmlLimitError('maxDepth', this.maxDepth, 'an element nested deeper', line, column);
  }

  /** Scans a name from `start` (a name start character): undefined when the chunk ends first. */
  private readName(data: string, start: number): TagName | undefined {
    const length = data.length;
    let p = start;
    let h = 0;
    while (p < length) {
      const c = data.charCodeAt(p);
      if (c < 128 ? ASCII_NAME[c] === 0 : !isNameAt(data, p)) break;
      h = (Math.imul(h, 31) + c) | 0;
      p++;
    }
    if (p >= length) return undefined;
    this.nameEnd = p;
    return this.names.get(data, start, p, h);
  }

  /**
   * The rest of an open tag after its name at `p`: attributes, then `>` or `/>`. Junos
   * writes the same attributes on every record (`junos:style="brief"`): the text read last
   * time for this name is compared first, and on a match its (frozen) attributes are reused.
   */
  private openTagRest(data: string, p: number, tag: TagName): number {
    this.spanTag = undefined;
    const known = tag.attributes;
    // The name follows the '<' directly.
    const lt = p - tag.name.length - 1;
    if (known !== undefined && data.slice(p, p + known.text.length) === known.text) {
      this.opened(tag, known.attrs, lt);
      return p + known.text.length;
    }
    const from = p;
    let c = at(data, p);
    if (c !== SLASH && !isSpaceCode(c)) return c < 0 ? -1 : this.fail('disallowed character in tag name', p);
    let attrs: Record<string, string> | undefined;
    for (;;) {
      let spaced = false;
      while (isSpaceCode(c)) {
        c = at(data, ++p);
        spaced = true;
      }
      if (c === GT) {
        const read = attrs === undefined ? NO_ATTRIBUTES : Object.freeze(attrs);
        if (p + 1 - from <= MAX_SPAN) tag.attributes = { text: flatCopy(data.slice(from, p + 1)), attrs: read };
        this.opened(tag, read, lt);
        return p + 1;
      }
      if (c === SLASH) {
        const d = at(data, p + 1);
        if (d < 0) return -1;
        if (d !== GT) return this.fail('forward-slash in opening tag not followed by >', p + 1);
        if (this.open.length >= this.maxDepth) this.tooDeep(lt);
        this.prev = tag;
        this.prevOpened = false;
        this.textRun = 0;
        this.sink.openTag(tag.name, attrs === undefined ? NO_ATTRIBUTES : Object.freeze(attrs), tag);
        this.sink.closeTag(tag.name);
        return p + 2;
      }
      if (c < 0 || isCutPair(data, p)) return -1;
      if (!(c < 128 ? ASCII_NAME[c] === 1 : isNameStartAt(data, p))) return this.fail('disallowed character in attribute name', p);
      if (!spaced) return this.fail('no whitespace between attributes', p);
      const nameStart = p;
      const name = this.readName(data, p);
      if (name === undefined) return -1;
      const attrName = name.name;
      p = this.nameEnd;
      c = at(data, p);
      while (isSpaceCode(c)) c = at(data, ++p);
      if (c < 0) return -1;
      if (c !== EQ) return this.fail(`attribute ${attrName} without value`, p);
      c = at(data, ++p);
      while (isSpaceCode(c)) c = at(data, ++p);
      if (c < 0) return -1;
      if (c !== QUOT && c !== APOS) return this.fail(`unquoted value of attribute ${attrName}`, p);
      const close = data.indexOf(c === QUOT ? '"' : "'", p + 1);
      if (close < 0) {
        // '<' may not appear in a value: one in what has come of it already is an error.
        const lt2 = data.indexOf('<', p + 1);
        return lt2 < 0 ? -1 : this.fail(`'<' in the value of attribute ${attrName}`, lt2);
      }
      const value = this.attributeValue(data, p + 1, close, attrName);
      attrs ??= Object.create(null) as Record<string, string>;
      if (attrs[attrName] !== undefined) return this.fail(`duplicate attribute: ${attrName}`, nameStart);
      attrs[attrName] = value;
      p = close + 1;
      c = at(data, p);
    }
  }

  private closeTag(data: string, lt: number): number {
    const open = this.open;
    const top = open[open.length - 1];
    if (top === undefined) return this.closeTagRest(data, lt, top);
    const span = top.closeSpan;
    if (span === undefined) return this.closeNamed(data, lt, top);
    const chain = span.chain ?? (span.repeats >= STABLE_REPEATS ? chainOf(span) : undefined);
    // A chain cut by the end of the chunk is kept for next time; it is read span by span this time.
    if (chain !== undefined && lt + chain.text.length <= data.length) {
      if (data.slice(lt, lt + chain.text.length) === chain.text && (chain.opens || open[open.length - 2] === chain.last)) return this.chained(chain, top, lt);
      // Some element of the chain differs this time: read on span by span, which learns the chain again.
      span.chain = undefined;
    }
    if (data.slice(lt, lt + span.text.length) === span.text && (span.opens || open[open.length - 2] === span.next)) {
      if (this.leafSpan !== undefined) this.learnLeaf(this.leafSpan, data, lt, span, top);
      this.spanned(span, top, lt);
      return lt + span.text.length;
    }
    return this.closeNamed(data, lt, top);
  }

  /**
   * A chain of close spans matched at `lt`: every element in it is closed and opened, and
   * its remembered text handed over, in the order and with the checks of reading them one
   * by one (the text was checked when it was learnt, and is the same text).
   */
  private chained(chain: SpanChain, top: TagName, lt: number): number {
    const spans = chain.spans;
    let pos = lt;
    for (let i = 0; i < spans.length - 1; i++) {
      const span = spans[i];
      this.spanned(span, top, pos);
      const start = pos + span.text.length;
      const text = chain.texts[i];
      if (text.length > 0) {
        this.countText(start, start + text.length);
        if (this.collectText) this.sink.text(text);
      }
      top = span.next;
      pos = start + text.length;
    }
    const last = spans[spans.length - 1];
    this.spanned(last, top, pos);
    return pos + last.text.length;
  }

  /**
   * The element `leaf` opened has closed through its close span `after` at `lt`: when the
   * element held nothing but plain text (no markup, reference, CR or ']'), `leaf` remembers
   * that text and `after`. The same text and span as last time make `leaf` stable: a link
   * of a chain (see chainOf).
   */
  private learnLeaf(leaf: CloseSpan, data: string, lt: number, after: CloseSpan, top: TagName): void {
    this.leafSpan = undefined;
    if (leaf.next !== top) return;
    const start = this.leafStart;
    let plain = lt - start <= MAX_LEAF_TEXT;
    for (let i = start; plain && i < lt; i++) {
      const c = data.charCodeAt(i);
      if (c === LT || c === AMP || c === CR || c === CLOSE_BRACKET) plain = false;
    }
    if (!plain) {
      leaf.repeats = 0;
      leaf.after = undefined;
      return;
    }
    const text = data.slice(start, lt);
    if (leaf.after === after && leaf.leafText === text) {
      leaf.repeats++;
      return;
    }
    leaf.repeats = 0;
    leaf.leafText = flatCopy(text);
    leaf.after = after;
  }

  /** `</name>` closing `top`, read by comparing the name. */
  private closeNamed(data: string, lt: number, top: TagName): number {
    this.leafSpan = undefined;
    const end = lt + 2 + top.name.length;
    if (!(end < data.length && data.charCodeAt(end) === GT && data.slice(lt + 2, end) === top.name)) return this.closeTagRest(data, lt, top);
    if (this.spanTag !== undefined) this.learnSpan(data, lt, end + 1, top, false);
    this.spanTag = top;
    this.spanStart = lt;
    this.spanEnd = end + 1;
    this.closed(top);
    return end + 1;
  }

  /** A close tag with space before its `>`, cut by the chunk's end, or not matching. */
  private closeTagRest(data: string, lt: number, top: TagName | undefined): number {
    this.spanTag = undefined;
    const start = lt + 2;
    if (top !== undefined) {
      const name = top.name;
      let p = start + name.length;
      let c = at(data, p);
      if (c < 0 && name.startsWith(data.slice(start))) return -1;
      if (isSpaceCode(c) && data.slice(start, p) === name) {
        while (isSpaceCode(c)) c = at(data, ++p);
        if (c === GT) {
          this.closed(top);
          return p + 1;
        }
        if (c < 0) return -1;
        return this.fail('disallowed character in closing tag', p);
      }
    }
    let p = start;
    while (p < data.length && isNameAt(data, p)) p++;
    if (p >= data.length) return -1;
    const name = data.slice(start, p);
    if (name === '') return this.fail('disallowed character in closing tag', p);
    return this.fail(top === undefined ? `unmatched close tag </${name}>` : `unexpected close tag </${name}>, expected </${top.name}>`, lt);
  }

  /**
   * Reads a close span that matched the text at `lt`: the close of `top`, the whitespace,
   * and the next tag (a span ending in a close tag was checked to close the parent).
   */
  private spanned(span: CloseSpan, top: TagName, lt: number): void {
    this.closed(top);
    if (span.space.length > 0 && this.collectText) this.sink.text(span.space);
    if (span.opens) {
      this.spanTag = undefined;
      this.opened(span.next, NO_ATTRIBUTES, lt + span.text.length - span.next.name.length - 2);
      this.leafSpan = span;
      this.leafStart = lt + span.text.length;
    } else {
      this.spannedClose(span.next, lt + span.text.length);
    }
  }

  /** A span ended with the close of the parent, at `end`: what follows it may be learnt, once (it is used only when that close is read on its own). */
  private spannedClose(parent: TagName, end: number): void {
    this.spanTag = parent.closeSpan === undefined ? parent : undefined;
    this.spanEnd = end;
    this.spanStart = end - parent.name.length - 3;
    this.closed(parent);
  }

  /**
   * Remembers what followed the close of `spanTag`: whitespace and the tag at [lt, end),
   * `next`, which opens (without attributes) or closes an element. Next time the same text
   * is read with one comparison (see closeTag). Pretty-printed replies repeat these spans
   * for every record, and reading them whole halves the work per leaf element.
   */
  private learnSpan(data: string, lt: number, end: number, next: TagName, opens: boolean): void {
    const tag = this.spanTag!;
    this.spanTag = undefined;
    if (end - this.spanStart > MAX_SPAN) return;
    for (let i = this.spanEnd; i < lt; i++) {
      const c = data.charCodeAt(i);
      if (c !== 0x20 && c !== LF && c !== 0x09) return;
    }
    tag.closeSpan = { text: flatCopy(data.slice(this.spanStart, end)), space: flatCopy(data.slice(this.spanEnd, lt)), next, opens, leafText: '', after: undefined, repeats: 0, chain: undefined };
  }

  /** `<!--`, `<![CDATA[` or a DOCTYPE (which a reply never has). */
  private bang(data: string, lt: number): number {
    if (data.startsWith('<!--', lt)) {
      this.atStart = false;
      this.mode = Mode.Comment;
      return lt + 4;
    }
    if (data.startsWith('<![CDATA[', lt)) {
      this.atStart = false;
      this.mode = Mode.CData;
      return lt + 9;
    }
    if (data.startsWith('<!DOCTYPE', lt)) return this.fail('a DOCTYPE is not allowed here', lt);
    const head = data.slice(lt, lt + 9);
    if (head.length < 9 && ('<!--'.startsWith(head) || '<![CDATA['.startsWith(head) || '<!DOCTYPE'.startsWith(head))) return -1;
    return this.fail('incorrect syntax after <!', lt + 2);
  }

  /** A processing instruction: skipped, but an XML declaration is allowed only at the start. */
  private instruction(data: string, lt: number): number {
    const end = data.indexOf('?>', lt + 2);
    if (end < 0) return -1;
    const start = lt + 2;
    const c = data.charCodeAt(start);
    if (!(c < 128 ? ASCII_NAME[c] === 1 : isNameStartAt(data, start))) {
      return this.fail(c === QUESTION || isSpaceCode(c) ? 'processing instruction without a target' : 'disallowed character in processing instruction name', start);
    }
    let p = start;
    while (p < end && isNameAt(data, p)) p++;
    // saxes lets '?' end the target even when no '>' follows; so does this.
    const after = data.charCodeAt(p);
    if (p < end && !isSpaceCode(after) && after !== QUESTION) return this.fail('disallowed character in processing instruction name', p);
    if (data.slice(start, p).toLowerCase() === 'xml') {
      // The declaration says nothing we use (replies are UTF-8); saxes in fragment mode refuses it.
      if (!this.atStart) return this.fail('an XML declaration must be at the start of the document', lt);
    }
    this.checkChars(data, p, end);
    this.atStart = false;
    return end + 2;
  }

  /** Inside a comment from `pos`: where reading goes on, or ~(where the carry starts). */
  private comment(data: string, pos: number): number {
    const end = data.indexOf('-->', pos);
    const dashes = data.indexOf('--', pos);
    if (end >= 0) {
      if (dashes < end) return this.fail('"--" inside a comment', dashes);
      this.checkChars(data, pos, end);
      this.mode = Mode.Text;
      return end + 3;
    }
    if (dashes >= 0 && dashes + 2 < data.length) return this.fail('"--" inside a comment', dashes);
    let cut = Math.max(pos, data.length - 2);
    if (cut > pos && isHeldBack(data.charCodeAt(cut - 1))) cut--;
    this.checkChars(data, pos, cut);
    return ~cut;
  }

  /** Inside a CDATA section from `pos`: hands its text over as it arrives. */
  private cdata(data: string, pos: number): number {
    const end = data.indexOf(']]>', pos);
    if (end >= 0) {
      this.countText(pos, end);
      this.checkChars(data, pos, end);
      if (this.collectText && end > pos) this.plainText(data, pos, end);
      this.mode = Mode.Text;
      return end + 3;
    }
    let cut = Math.max(pos, data.length - 2);
    if (cut > pos && isHeldBack(data.charCodeAt(cut - 1))) cut--;
    this.countText(pos, cut);
    this.checkChars(data, pos, cut);
    if (this.collectText && cut > pos) this.plainText(data, pos, cut);
    return ~cut;
  }

  /**
   * Text up to the end of what is readable: hands over all of it but a tail that may
   * continue in the next chunk (a reference, CR before LF, "]]" before ">", a high surrogate).
   */
  private trailingText(data: string, pos: number): number {
    let cut = data.length;
    if (this.ampAt < pos) this.ampAt = found(data.indexOf('&', pos));
    const amp = this.ampAt < cut ? data.lastIndexOf('&') : -1;
    if (amp >= pos && data.indexOf(';', amp) < 0) {
      this.checkPartialReference(data, amp);
      cut = amp;
    }
    for (let k = 0; k < 3 && cut > pos; k++) {
      const c = data.charCodeAt(cut - 1);
      if (c === CLOSE_BRACKET || isHeldBack(c)) cut--;
      else break;
    }
    if (cut > pos) this.text(data, pos, cut);
    return cut;
  }

  /** A run of character data between markup, complete. */
  private text(data: string, start: number, end: number): void {
    this.countText(start, end);
    if (forbiddenAt(data, start, end) >= 0) this.checkChars(data, start, end);
    if (this.atStart && !isBlank(data, start, end)) this.atStart = false;
    if (this.cdataEndAt < end && this.open.length > 0) this.checkCdataEnd(data, start, end);
    if (this.ampAt < start) this.ampAt = found(data.indexOf('&', start));
    if (this.ampAt < end) return this.referenceText(data, start, end);
    if (this.collectText) this.plainText(data, start, end);
  }

  /**
   * Character data at [start, end) continues the run since the last tag, which may not
   * outgrow maxTextBytes: checked before the text is handed over, so a consumer keeping it
   * never holds more than the limit.
   */
  private countText(start: number, end: number): void {
    if ((this.textRun += end - start) > this.maxText) this.textTooLong(end - (this.textRun - this.maxText));
  }

  private textTooLong(index: number): never {
    const { line, column } = this.position(index);
    throw new XmlLimitError('maxTextBytes', this.maxText, 'a run of character data', line, column);
  }

  /** `]]>` may not appear in text inside an element (saxes lets it pass at the top level). */
  private checkCdataEnd(data: string, start: number, end: number): void {
    if (this.cdataEndAt < start) this.cdataEndAt = found(data.indexOf(']]>', start));
    if (this.cdataEndAt + 3 <= end) this.fail('the string "]]>" is not allowed in text', this.cdataEndAt + 2);
  }

  /** Hands over text that has no references, line ends normalised. */
  private plainText(data: string, start: number, end: number): void {
    if (this.crAt < start) this.crAt = found(data.indexOf('\r', start));
    this.sink.text(this.crAt < end ? normaliseLineEnds(data.slice(start, end)) : data.slice(start, end));
  }

  /** Text with entity or character references: each is checked, and decoded when text is wanted. */
  private referenceText(data: string, start: number, end: number): void {
    const emit = this.collectText;
    let out = '';
    let i = start;
    while (this.ampAt < end) {
      const amp = this.ampAt;
      if (emit) out += normaliseLineEnds(data.slice(i, amp));
      const semi = referenceEnd(data, amp, end);
      if (semi < 0) this.fail(`malformed reference ${JSON.stringify(data.slice(amp, Math.min(end, amp + 12)))}`, amp);
      const value = this.reference(data, amp, semi);
      if (emit) out += value;
      i = semi + 1;
      this.ampAt = found(data.indexOf('&', i));
    }
    if (emit) {
      out += normaliseLineEnds(data.slice(i, end));
      if (out.length > 0) this.sink.text(out);
    }
  }

  /** An attribute value between its quotes: references decoded, TAB/CR/LF turned into spaces. */
  private attributeValue(data: string, start: number, end: number, name: string): string {
    // '<' is looked for in the value only: searching back from the closing quote for it
    // crossed every earlier attribute of the tag, quadratic in their number.
    let plain = true;
    for (let i = start; i < end; i++) {
      const c = data.charCodeAt(i);
      if (c === LT) this.fail(`'<' in the value of attribute ${name}`, i);
      if (c === AMP || c === LF || c === CR || c === 0x09) plain = false;
    }
    this.checkChars(data, start, end);
    return plain ? data.slice(start, end) : this.slowAttributeValue(data, start, end);
  }

  /**
   * Characters XML forbids everywhere. Names and markup are checked as they are read, so
   * only character data, attribute values, comments and processing instructions need this.
   */
  private checkChars(data: string, start: number, end: number): void {
    const bad = forbiddenAt(data, start, end);
    if (bad >= 0) this.fail('disallowed character', bad);
  }

  private slowAttributeValue(data: string, start: number, end: number): string {
    let out = '';
    let i = start;
    let from = start;
    while (i < end) {
      const c = data.charCodeAt(i);
      if (c === AMP) {
        const semi = referenceEnd(data, i, end);
        if (semi < 0) this.fail(`malformed reference ${JSON.stringify(data.slice(i, Math.min(end, i + 12)))}`, i);
        out += data.slice(from, i) + this.reference(data, i, semi);
        i = from = semi + 1;
      } else if (c === LF || c === CR || c === 0x09) {
        out += data.slice(from, i) + ' ';
        i += c === CR && data.charCodeAt(i + 1) === LF && i + 1 < end ? 2 : 1;
        from = i;
      } else {
        i++;
      }
    }
    return out + data.slice(from, end);
  }

  /** The text a reference `&...;` (from `amp` to the `;` at `semi`) stands for. */
  private reference(data: string, amp: number, semi: number): string {
    const name = data.slice(amp + 1, semi);
    if (name.charCodeAt(0) !== HASH) {
      const value = predefinedEntity(name);
      if (value !== undefined) return value;
      if (name === '') return this.fail('empty entity name', amp);
      return this.fail(isXmlName(name) ? `undefined entity &${name};` : `disallowed character in entity name &${name};`, amp);
    }
    let code = NaN;
    if (name.charCodeAt(1) === 0x78 /* x */ && /^#x[0-9a-f]+$/i.test(name)) code = parseInt(name.slice(2), 16);
    else if (/^#[0-9]+$/.test(name)) code = parseInt(name.slice(1), 10);
    if (!isXmlChar(code)) return this.fail(`malformed character reference &${name};`, amp);
    return String.fromCodePoint(code);
  }

  /** A reference the chunk cut short must at least start like one. */
  private checkPartialReference(data: string, amp: number): void {
    const part = data.slice(amp + 1);
    if (part.length >= MAX_ENTITY || !/^(?:#x?[0-9a-fA-F]*|[^\s&<;#][^\s&<;]*)?$/.test(part)) {
      this.fail(`malformed reference ${JSON.stringify(data.slice(amp, amp + 12))}`, amp);
    }
  }

  /** Counts the line breaks of the text consumed, for positions in later errors. */
  private advance(data: string, upTo: number): void {
    let last = -1;
    let nl = data.indexOf('\n');
    while (nl >= 0 && nl < upTo) {
      this.linesBefore++;
      last = nl;
      nl = data.indexOf('\n', nl + 1);
    }
    this.columnBefore = last < 0 ? this.columnBefore + upTo : upTo - last - 1;
  }

  /** Throws an XmlParseError for the character at `index` of the chunk being read. */
  private fail(message: string, index: number): never {
    const { line, column } = this.position(index);
    throw new XmlParseError(message, line, column);
  }

  /** The line and column of the character at `index` of the chunk being read. */
  private position(index: number): { line: number; column: number } {
    const data = this.data;
    let line = this.linesBefore + 1;
    let lineStart = -1;
    for (let nl = data.indexOf('\n'); nl >= 0 && nl < index; nl = data.indexOf('\n', nl + 1)) {
      line++;
      lineStart = nl;
    }
    const column = lineStart < 0 ? this.columnBefore + index + 1 : index - lineStart;
    return { line, column };
  }
}

/**
 * An open tag, close tag or processing instruction that chunks have cut, held as the
 * pieces received, unjoined. Each new chunk is searched only for what could end the markup
 * (`>` outside quoted attribute values; `?>` for a processing instruction) from where the
 * last search stopped; only then are the pieces joined and read whole. Joining and
 * re-reading the carry on every chunk instead made a tag growing over many chunks cost
 * time quadratic in its length.
 *
 * The search is never later than the tokenizer: any `>` that can end a well-formed tag is
 * outside quotes as the search tracks them; in a malformed tag the search may wait longer,
 * and the tokenizer names the fault when the markup is read whole (at the next `<`, at the
 * latest at end()).
 */
class PendingMarkup {
  private readonly pieces: string[];
  length = 0;
  /** Something read may end the markup: the tokenizer should read it whole. */
  mayEnd = false;
  readonly instruction: boolean;
  private readonly close: boolean;
  /** In an open tag, the quote of the attribute value the search is in (0 outside one). */
  private quote = 0;
  /** In a processing instruction, the last character read was '?'. */
  private question = false;

  /** `text` starts with the markup's '<' and was found incomplete. */
  constructor(text: string) {
    this.pieces = [];
    const c = text.charCodeAt(1);
    this.instruction = c === QUESTION;
    this.close = c === SLASH;
    this.add(text, 2);
  }

  /** Takes the next chunk, searching it from `from`; returns how many characters were searched. */
  add(chunk: string, from = 0): number {
    this.pieces.push(chunk);
    this.length += chunk.length;
    const stop = this.instruction ? this.searchInstruction(chunk, from) : this.searchTag(chunk, from);
    this.mayEnd = stop >= 0;
    return (stop < 0 ? chunk.length : stop) - from;
  }

  text(): string {
    return this.pieces.join('');
  }

  /**
   * The index of a `>` that may end the tag, or of a `<` (never allowed in a tag, so the
   * tokenizer fails there at once, whatever the search made of the quotes before), or -1.
   */
  private searchTag(chunk: string, from: number): number {
    const lt = chunk.indexOf('<', from);
    const stop = lt < 0 ? chunk.length : lt;
    if (this.close) {
      const gt = chunk.indexOf('>', from);
      return gt >= 0 && gt < stop ? gt : lt;
    }
    for (let i = from; i < stop; i++) {
      if (this.quote !== 0) {
        i = chunk.indexOf(this.quote === QUOT ? '"' : "'", i);
        if (i < 0 || i >= stop) return lt;
        this.quote = 0;
        continue;
      }
      const c = chunk.charCodeAt(i);
      if (c === GT) return i;
      if (c === QUOT || c === APOS) this.quote = c;
    }
    return lt;
  }

  /** The index of the `>` of a `?>` (the `?` maybe in an earlier chunk), or -1. */
  private searchInstruction(chunk: string, from: number): number {
    if (from >= chunk.length) return -1;
    if (this.question && chunk.charCodeAt(from) === GT) return from;
    const end = chunk.indexOf('?>', from);
    if (end >= 0) return end + 1;
    this.question = chunk.charCodeAt(chunk.length - 1) === QUESTION;
    return -1;
  }
}

/** The markup at `lt` (found incomplete) is a tag or processing instruction: what may grow long. */
function isLongMarkup(data: string, lt: number): boolean {
  if (data.charCodeAt(lt) !== LT || lt + 1 >= data.length) return false;
  // `<!` starts a comment, CDATA or DOCTYPE, recognised within nine characters.
  return data.charCodeAt(lt + 1) !== BANG;
}

/** A name as written, with what followed it last time (see openTag and closeTag). */
class TagName implements XmlTagSlot {
  sinkData: unknown = undefined;
  afterOpen: TagName | undefined;
  afterClose: TagName | undefined;
  closeSpan: CloseSpan | undefined;
  /** The attributes read last time, from after the name to `>` as written. */
  attributes: { readonly text: string; readonly attrs: XmlAttributes } | undefined;
  constructor(readonly name: string) {}
}

/** What followed the close tag of an element last time: `</x>`, whitespace, and `<y>` or `</y>`. */
interface CloseSpan {
  /** The whole span as written. */
  readonly text: string;
  readonly space: string;
  readonly next: TagName;
  /** `<y>` (true) or `</y>`. */
  readonly opens: boolean;
  // A span that opens `<y>` also remembers what came until y closed, last time (learnLeaf):
  /** The text y held. */
  leafText: string;
  /** The close span that closed y; undefined when y held more than plain text. */
  after: CloseSpan | undefined;
  /** How many times in a row since it was learnt the same text and close span came again: STABLE_REPEATS make the span a link of a chain. */
  repeats: number;
  /** This span with the stable leaves after it, read with one comparison (chainOf). */
  chain: SpanChain | undefined;
}

/**
 * Close spans and the text between them, as written: `</a>` + space + `<b>0</b>` + space +
 * `<c>Null</c>` + space + `<d>`. A record repeats most of its leaves' values from the
 * record before (counters at 0, the protocol, the policy), and a chain reads such a run of
 * leaves with one comparison instead of one search, check and comparison per leaf.
 */
interface SpanChain {
  readonly text: string;
  readonly spans: readonly CloseSpan[];
  /** The text of the element each span but the last opens. */
  readonly texts: readonly string[];
  /** The last span opens its element, or closes `last` (which must then be the open parent). */
  readonly opens: boolean;
  readonly last: TagName;
}

/**
 * The chain that starts with `span` (stable): it and each stable span after it, up to the
 * first that is not stable, or MAX_CHAIN characters. Undefined when there is no second span.
 */
function chainOf(span: CloseSpan): SpanChain | undefined {
  const spans = [span];
  const texts: string[] = [];
  const pieces = [span.text];
  let length = span.text.length;
  let cur = span;
  while (cur.opens && cur.repeats >= STABLE_REPEATS && cur.after !== undefined && length + cur.leafText.length + cur.after.text.length <= MAX_CHAIN) {
    texts.push(cur.leafText);
    pieces.push(cur.leafText, cur.after.text);
    length += cur.leafText.length + cur.after.text.length;
    cur = cur.after;
    spans.push(cur);
  }
  if (spans.length === 1) return undefined;
  // Joined, a flat string of its own (its pieces are copies already).
  const chain: SpanChain = { text: pieces.join(''), spans, texts, opens: cur.opens, last: cur.next };
  span.chain = chain;
  return chain;
}

/**
 * Names seen in a document, found again by a hash of their characters computed while
 * scanning, so a repeated name costs no new string and no stored name keeps a slice of a
 * reply chunk alive.
 */
class NameTable {
  private static readonly SIZE = 4096;
  private readonly slots: (TagName | undefined)[] = new Array<TagName | undefined>(NameTable.SIZE).fill(undefined);

  get(data: string, start: number, end: number, hash: number): TagName {
    const slot = (hash ^ (hash >>> 13) ^ (end - start)) & (NameTable.SIZE - 1);
    const known = this.slots[slot];
    const text = data.slice(start, end);
    if (known !== undefined && known.name === text) return known;
    const name = new TagName(flatCopy(text));
    this.slots[slot] = name;
    return name;
  }
}

/** The code point at `i` (a surrogate pair read whole) may start a name. */
function isNameStartAt(data: string, i: number): boolean {
  const c = data.codePointAt(i);
  return c !== undefined && isNameStartCode(c);
}

/** The code unit at `i` belongs to a name character (either half of a pair counts). */
function isNameAt(data: string, i: number): boolean {
  const c = data.charCodeAt(i);
  if (c < 128) return ASCII_NAME[c] !== 0;
  if (c >= 0xdc00 && c <= 0xdfff) {
    const high = i > 0 ? data.charCodeAt(i - 1) : 0;
    return high >= 0xd800 && high <= 0xdbff && isNameCode(data.codePointAt(i - 1)!);
  }
  if (c >= 0xd800 && c <= 0xdbff) {
    const cp = data.codePointAt(i)!;
    return cp > 0xffff ? isNameCode(cp) : i + 1 >= data.length;
  }
  return isNameCode(c);
}

/** A high surrogate ends the chunk at `i`: its partner (and what the pair is) comes with the next one. */
function isCutPair(data: string, i: number): boolean {
  return i === data.length - 1 && (data.charCodeAt(i) & 0xfc00) === 0xd800;
}

/** The code unit at `i`, or -1 past the end (charCodeAt's NaN would slow every comparison with it). */
function at(data: string, i: number): number {
  return i < data.length ? data.charCodeAt(i) : -1;
}

/** Characters whose meaning depends on the next one: CR (CRLF) and a high surrogate. */
function isHeldBack(c: number): boolean {
  return c === CR || (c & 0xfc00) === 0xd800;
}

function isBlank(data: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = data.charCodeAt(i);
    if (!isSpaceCode(c) && c !== 0xfeff) return false;
  }
  return true;
}

/** The `;` ending the reference at `amp`, within `end` and a sane length; -1 when there is none. */
function referenceEnd(data: string, amp: number, end: number): number {
  const stop = Math.min(end, amp + MAX_ENTITY);
  for (let i = amp + 1; i < stop; i++) {
    const c = data.charCodeAt(i);
    if (c === SEMI) return i;
    if (c === AMP || c === LT || isSpaceCode(c)) return -1;
  }
  return -1;
}

function found(index: number): number {
  return index < 0 ? NOT_FOUND : index;
}

function normaliseLineEnds(text: string): string {
  return text.indexOf('\r') < 0 ? text : text.replace(/\r\n?/g, '\n');
}

/**
 * The first code unit in [start, end) that XML never allows (C0 controls but TAB, LF and
 * CR; U+FFFE and U+FFFF; a surrogate without its partner), or -1. Text rarely has any
 * code unit below U+0020 or from U+D800 up but TAB/LF/CR, so the loop mostly does one
 * comparison per character.
 */
function forbiddenAt(data: string, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const c = data.charCodeAt(i);
    if ((c < 0x20 || c >= 0xd800) && c !== LF && c !== 0x09 && c !== CR) return forbiddenFrom(data, i, end);
  }
  return -1;
}

function forbiddenFrom(data: string, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    const c = data.charCodeAt(i);
    if (c >= 0x20 && c < 0xd800) continue;
    if (c === LF || c === 0x09 || c === CR || (c >= 0xe000 && c <= 0xfffd)) continue;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      const d = data.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}
