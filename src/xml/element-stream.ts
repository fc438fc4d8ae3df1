import { resolveXmlLimits, XmlLimitError, type XmlLimits } from './limits.ts';
import type { XmlNode } from './node.ts';
import { XmlTokenizer, type XmlAttributes, type XmlTagSlot, type XmlTokenSink } from './tokenizer.ts';

/**
 * What a consumer of a streamed document wants: the local names of the elements it
 * wants as small trees, and callbacks. Everything outside a selected element is seen
 * only as open events, so a reply of any size is read in constant memory.
 */
export interface ElementHandler {
  /** Local names of the elements to build and hand over when they close. */
  readonly items: ReadonlySet<string>;
  /** A selected element has closed; `path` holds the local names of its ancestors, outermost first. */
  onElement(node: XmlNode, path: readonly string[]): void;
  /** Any element outside a selected one has opened (for block counting and context). */
  onOpen?(name: string, attrs: Readonly<Record<string, string>>, path: readonly string[]): void;
  /** Any element outside a selected one has closed. */
  onClose?(name: string, path: readonly string[]): void;
  /**
   * The local names of the descendants of a selected element that the handler reads.
   * Other descendants are left out of the tree with everything inside them (the reader
   * still checks them); a handler reading a few fields of large elements is spared
   * building the rest. Undefined: selected elements are built whole.
   */
  readonly keep?: ReadonlySet<string>;
  /**
   * The local names of the built elements whose own text the handler reads. The others
   * are built with empty text (the reader still checks it), which spares copying the
   * indentation between the children of every record. Undefined: every built element
   * keeps its text.
   */
  readonly textOf?: ReadonlySet<string>;
}

/**
 * Incremental XML reader. Fed text chunks as they arrive, it builds trees only for the
 * elements the handler selects. Namespace prefixes are not resolved: Junos fragments
 * (as PyEZ hands them on) use `junos:style` without declaring the prefix, and element
 * identity in Junos replies is the local name.
 *
 * Tokens come from XmlTokenizer, which outruns saxes several times over on flow-session
 * replies of gigabytes; `ReferenceElementStream` (saxes) gives the same trees and is what
 * the tests hold it to.
 *
 * `limits` (defaults: DEFAULT_XML_LIMITS) bound the document's depth, text and number of
 * selected elements; past one, write throws XmlLimitError.
 */
export class XmlElementStream {
  private readonly tokenizer: XmlTokenizer;

  constructor(handler: ElementHandler, limits?: XmlLimits) {
    const resolved = resolveXmlLimits(limits);
    const builder = new ElementTreeBuilder(handler, resolved);
    this.tokenizer = new XmlTokenizer(builder, resolved);
    builder.textGate = this.tokenizer;
    this.tokenizer.collectText = false;
  }

  /** Reads a chunk; throws XmlParseError at the first well-formedness error, XmlLimitError past a limit, or what a handler threw. */
  write(chunk: string): void {
    this.tokenizer.write(chunk);
  }

  /** Ends the document; a document cut short (open elements left) is an error. */
  end(): void {
    this.tokenizer.end();
  }
}

/**
 * Turns tokens into the handler's calls: open/close events outside selected elements,
 * a small tree for each selected one. While no tree is being built it tells the
 * tokenizer (the text gate) that character data is not wanted, so whitespace and the
 * text of unselected elements is never copied out of the chunk.
 */
export class ElementTreeBuilder implements XmlTokenSink {
  /** Where the tokenizer is told whether text is wanted; none for tokenizers that always decode. */
  textGate: { collectText: boolean } | undefined;
  private readonly items: ReadonlySet<string>;
  private readonly keep: ReadonlySet<string> | undefined;
  private readonly textOf: ReadonlySet<string> | undefined;
  /** Local names of the open elements outside the tree being built, outermost first. */
  private readonly path: string[] = [];
  /** Open elements of the tree being built, innermost last. */
  private readonly building: XmlNode[] = [];
  /** Whether each element of `building` keeps its text (ElementHandler.textOf). */
  private readonly wanting: boolean[] = [];
  /** Elements open inside (and including) one left out of the tree being built. */
  private skipped = 0;
  private readonly localNames = new Map<string, string>();
  private readonly maxItems: number;
  private readonly maxText: number;
  /** Selected elements opened so far. */
  private itemCount = 0;

  constructor(
    private readonly handler: ElementHandler,
    limits?: XmlLimits,
  ) {
    this.items = handler.items;
    this.keep = handler.keep;
    this.textOf = handler.textOf;
    const { maxItems, maxTextBytes } = resolveXmlLimits(limits);
    this.maxItems = maxItems;
    this.maxText = maxTextBytes;
  }

  openTag(qname: string, attrs: XmlAttributes, tag?: XmlTagSlot): void {
    if (this.skipped > 0) {
      this.skipped++;
      return;
    }
    const known = (tag?.sinkData as KnownName | undefined) ?? this.know(qname, tag);
    const parent = this.building[this.building.length - 1];
    if (parent === undefined) this.openOutside(known, attrs);
    else if (known.kept) this.openChild(parent, known, attrs);
    else this.skip();
  }

  closeTag(): void {
    if (this.skipped > 0) {
      if (--this.skipped === 0 && this.textGate) this.textGate.collectText = this.wanting[this.wanting.length - 1];
      return;
    }
    const node = this.building.pop();
    if (node === undefined) return this.closeOutside();
    this.wanting.pop();
    if (this.building.length === 0) this.built(node);
    else if (this.textGate) this.textGate.collectText = this.wanting[this.wanting.length - 1];
  }

  text(text: string): void {
    if (this.skipped > 0) return;
    const node = this.building[this.building.length - 1];
    if (node === undefined || !this.wanting[this.wanting.length - 1]) return;
    // The tokenizer bounds each run of text; an element's text is all its runs, between its children too.
    if (node.text.length + text.length > this.maxText) throw new XmlLimitError('maxTextBytes', this.maxText, `the text of <${node.name}>`);
    node.text += text;
  }

  private openChild(parent: XmlNode, known: KnownName, attrs: XmlAttributes): void {
    const node: XmlNode = { name: known.name, attrs, children: NO_CHILDREN, text: '' };
    if (parent.children === NO_CHILDREN) (parent as { children: XmlNode[] }).children = [node];
    else parent.children.push(node);
    this.push(node, known.text);
  }

  /** `node` is the innermost element built now: its text is wanted or not. */
  private push(node: XmlNode, wanted: boolean): void {
    this.building.push(node);
    this.wanting.push(wanted);
    if (this.textGate) this.textGate.collectText = wanted;
  }

  /** An element the handler did not ask for, inside one it did: left out with everything in it. */
  private skip(): void {
    this.skipped = 1;
    if (this.textGate) this.textGate.collectText = false;
  }

  private openOutside(known: KnownName, attrs: XmlAttributes): void {
    const name = known.name;
    if (known.item) {
      if (++this.itemCount > this.maxItems) throw new XmlLimitError('maxItems', this.maxItems, `one more selected element, <${name}>, in one document`);
      this.push({ name, attrs, children: NO_CHILDREN, text: '' }, known.text);
    } else {
      this.handler.onOpen?.(name, attrs, this.path);
      this.path.push(name);
    }
  }

  private closeOutside(): void {
    const name = this.path.pop();
    if (name !== undefined) this.handler.onClose?.(name, this.path);
  }

  /** A selected element has closed: hand it over. */
  private built(node: XmlNode): void {
    if (this.textGate) this.textGate.collectText = false;
    this.handler.onElement(node, this.path);
  }

  /** What the handler wants of an element of this name, kept in the tokenizer's slot for the name when there is one. */
  private know(qname: string, tag: XmlTagSlot | undefined): KnownName {
    const name = qname.indexOf(':') < 0 ? qname : this.localName(qname);
    const known: KnownName = {
      name,
      item: this.items.has(name),
      kept: this.keep === undefined || this.keep.has(name),
      text: this.textOf === undefined || this.textOf.has(name),
    };
    if (tag !== undefined) tag.sinkData = known;
    return known;
  }

  /** `junos:style` → `style`, remembered: prefixed names repeat. */
  private localName(qname: string): string {
    let name = this.localNames.get(qname);
    if (name === undefined) {
      name = qname.slice(qname.indexOf(':') + 1);
      this.localNames.set(qname, name);
    }
    return name;
  }
}

/** An element name as the handler sees it: its local name, and whether it is selected, kept inside a selected one, and keeps its text. */
interface KnownName {
  readonly name: string;
  readonly item: boolean;
  readonly kept: boolean;
  readonly text: boolean;
}

/** The children of a leaf: most built elements are leaves, and share this instead of an empty array each. */
const NO_CHILDREN: XmlNode[] = Object.freeze([]) as unknown as XmlNode[];

/** Feeds a whole string through a handler in chunks; for fixtures and small replies. */
export function parseString(handler: ElementHandler, xml: string, chunkSize = 64 * 1024, limits?: XmlLimits): void {
  const stream = new XmlElementStream(handler, limits);
  for (let i = 0; i < xml.length; i += chunkSize) stream.write(xml.slice(i, i + chunkSize));
  stream.end();
}
