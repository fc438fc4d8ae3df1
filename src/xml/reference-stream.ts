import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { ElementTreeBuilder, type ElementHandler } from './element-stream.ts';
import { XmlParseError } from './errors.ts';
import type { XmlLimits } from './limits.ts';
import type { XmlTokenSink } from './tokenizer.ts';

/**
 * The reference reader: saxes (a conformance-tested XML parser) in fragment mode, giving
 * the same tokens as XmlTokenizer. Slower by several times, it is kept so the tests can
 * hold the fast tokenizer to it on fixtures and on random documents.
 */
export class SaxesTokenizer {
  private readonly parser = new SaxesParser<{ xmlns: false; fragment: true; position: true }>({ xmlns: false, fragment: true, position: true });
  private failure: XmlParseError | undefined;
  private ended = false;
  private depth = 0;
  private lastOpen = '';
  /** Text held until we know whether the document opens with an XML declaration. */
  private head: string | undefined = '';

  constructor(sink: XmlTokenSink) {
    const p = this.parser;
    p.on('error', (err) => {
      // saxes prefixes messages with "line:column: "; keep the sentence, report the position.
      const message = err.message.replace(/^\d+:\d+: /, '').replace(/\.$/, '');
      this.failure ??= new XmlParseError(message, p.line, p.column);
    });
    p.on('opentag', (tag: SaxesTagPlain) => {
      this.depth++;
      this.lastOpen = tag.name;
      sink.openTag(tag.name, tag.attributes as Record<string, string>);
    });
    p.on('closetag', (tag) => {
      this.depth--;
      sink.closeTag(tag.name);
    });
    p.on('text', (t) => sink.text(t));
    p.on('cdata', (t) => sink.text(t));
  }

  write(chunk: string): void {
    if (this.failure) throw this.failure;
    if (this.head !== undefined) {
      chunk = this.skipDeclaration(this.head + chunk);
      if (this.failure) throw this.failure;
      if (this.head !== undefined) return;
    }
    this.parser.write(chunk);
    if (this.failure) throw this.failure;
  }

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
    if (this.depth > 0) throw new XmlParseError(`document ended inside <${this.lastOpen}>`, this.parser.line, this.parser.column);
  }

  /**
   * saxes in fragment mode refuses an XML declaration, which yuma/netconfd and others
   * send; XmlTokenizer drops one at the start, and so does this.
   */
  private skipDeclaration(text: string): string {
    const start = text.replace(/^\uFEFF/, '').trimStart();
    if (start.length < 6 && '<?xml'.startsWith(start.slice(0, 5))) {
      this.head = text;
      return '';
    }
    if (!/^<\?xml[\s?]/.test(start)) {
      this.head = undefined;
      return text;
    }
    const end = start.indexOf('?>');
    if (end < 0) {
      this.head = text;
      return '';
    }
    this.head = undefined;
    // Dropped, but still checked for the characters XML forbids everywhere.
    const bad = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/.exec(start.slice(0, end));
    if (bad) this.failure ??= new XmlParseError('disallowed character', 1, bad.index + 1);
    return start.slice(end + 2);
  }
}

/** XmlElementStream's twin over saxes: same handler calls, same trees. */
export class ReferenceElementStream {
  private readonly tokenizer: SaxesTokenizer;

  constructor(handler: ElementHandler, limits?: XmlLimits) {
    this.tokenizer = new SaxesTokenizer(new ElementTreeBuilder(handler, limits));
  }

  write(chunk: string): void {
    this.tokenizer.write(chunk);
  }

  end(): void {
    this.tokenizer.end();
  }
}
