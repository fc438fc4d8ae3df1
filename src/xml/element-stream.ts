import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { XmlParseError } from './errors.ts';
import { localName, type XmlNode } from './node.ts';

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
}

/**
 * Incremental XML reader over saxes. Fed text chunks as they arrive, it builds trees
 * only for the elements the handler selects. Namespace prefixes are not resolved:
 * Junos fragments (as PyEZ hands them on) use `junos:style` without declaring the
 * prefix, and element identity in Junos replies is the local name.
 */
export class XmlElementStream {
  private readonly parser = new SaxesParser<{ xmlns: false; fragment: true; position: true }>({ xmlns: false, fragment: true, position: true });
  private readonly path: string[] = [];
  /** Open elements of the subtree being built, innermost last. */
  private readonly building: XmlNode[] = [];
  private failure: XmlParseError | undefined;
  private ended = false;
  /** Text held until we know whether the document opens with an XML declaration. */
  private head: string | undefined = '';

  constructor(private readonly handler: ElementHandler) {
    const p = this.parser;
    p.on('error', (err) => {
      // saxes prefixes messages with "line:column: "; keep the sentence, report the position.
      const message = err.message.replace(/^\d+:\d+: /, '').replace(/\.$/, '');
      this.failure ??= new XmlParseError(message, p.line, p.column);
    });
    p.on('opentag', (tag: SaxesTagPlain) => this.open(tag));
    p.on('closetag', () => this.close());
    p.on('text', (t) => this.appendText(t));
    p.on('cdata', (t) => this.appendText(t));
  }

  write(chunk: string): void {
    if (this.failure) throw this.failure;
    if (this.head !== undefined) {
      chunk = this.skipDeclaration(this.head + chunk);
      if (this.head !== undefined) return;
    }
    this.parser.write(chunk);
    if (this.failure) throw this.failure;
  }

  /**
   * saxes in fragment mode (needed for captures with text before the reply, and for
   * fragments) refuses an XML declaration, which yuma/netconfd and others send. The
   * declaration carries nothing we use (replies are UTF-8), so it is dropped here.
   */
  private skipDeclaration(text: string): string {
    const start = text.replace(/^\uFEFF/, '').trimStart();
    if (start.length < 5 && '<?xml'.startsWith(start)) {
      this.head = text;
      return '';
    }
    if (!start.startsWith('<?xml')) {
      this.head = undefined;
      return text;
    }
    const end = start.indexOf('?>');
    if (end < 0) {
      this.head = text;
      return '';
    }
    this.head = undefined;
    return start.slice(end + 2);
  }

  /** Ends the document; a document cut short (open elements left) is an error. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.failure) throw this.failure;
    if (this.head) {
      this.parser.write(this.head);
      this.head = undefined;
    }
    this.parser.close();
    if (this.failure) throw this.failure;
    if (this.path.length > 0) {
      throw new XmlParseError(`document ended inside <${this.path[this.path.length - 1]}>`, this.parser.line, this.parser.column);
    }
  }

  private open(tag: SaxesTagPlain): void {
    const name = localName(tag.name);
    const attrs = tag.attributes as Record<string, string>;
    if (this.building.length > 0 || this.handler.items.has(name)) {
      const node: XmlNode = { name, attrs, children: [], text: '' };
      const parent = this.building[this.building.length - 1];
      if (parent) parent.children.push(node);
      this.building.push(node);
    } else {
      this.handler.onOpen?.(name, attrs, this.path);
    }
    this.path.push(name);
  }

  private close(): void {
    const name = this.path.pop();
    if (name === undefined) return;
    if (this.building.length > 0) {
      const node = this.building.pop()!;
      if (this.building.length === 0) this.handler.onElement(node, this.path);
    } else {
      this.handler.onClose?.(name, this.path);
    }
  }

  private appendText(t: string): void {
    const node = this.building[this.building.length - 1];
    if (node) node.text += t;
  }
}

/** Feeds a whole string through a handler in chunks; for fixtures and small replies. */
export function parseString(handler: ElementHandler, xml: string, chunkSize = 64 * 1024): void {
  const stream = new XmlElementStream(handler);
  for (let i = 0; i < xml.length; i += chunkSize) stream.write(xml.slice(i, i + chunkSize));
  stream.end();
}
