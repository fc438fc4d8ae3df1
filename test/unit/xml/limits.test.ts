import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReplyReader } from '../../../src/transport/reply-reader.ts';
import { parseString, XmlElementStream } from '../../../src/xml/element-stream.ts';
import { DEFAULT_XML_LIMITS, resolveXmlLimits, XmlLimitError, type XmlLimits } from '../../../src/xml/limits.ts';
import type { XmlNode } from '../../../src/xml/node.ts';
import { XmlTokenizer, type XmlTokenSink } from '../../../src/xml/tokenizer.ts';

/** Counts what the tokenizer hands over, keeping nothing. */
class CountingSink implements XmlTokenSink {
  opened = 0;
  maxDepth = 0;
  textChars = 0;
  private depth = 0;
  openTag(): void {
    this.opened++;
    this.maxDepth = Math.max(this.maxDepth, ++this.depth);
  }
  closeTag(): void {
    this.depth--;
  }
  text(text: string): void {
    this.textChars += text.length;
  }
}

function isLimit(limit: keyof XmlLimits, value: number): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof XmlLimitError, `expected an XmlLimitError, got ${String(err)}`);
    assert.equal(err.limit, limit);
    assert.equal(err.value, value);
    assert.match(err.message, new RegExp(`${limit} \\(${value}\\)`));
    return true;
  };
}

function tokenizeAll(doc: string, limits?: XmlLimits, chunk = 64 * 1024): CountingSink {
  const sink = new CountingSink();
  const t = new XmlTokenizer(sink, limits);
  for (let i = 0; i < doc.length; i += chunk) t.write(doc.slice(i, i + chunk));
  t.end();
  return sink;
}

/** Writes `head` then `piece` over and over until the tokenizer throws; returns the error and the characters written. */
function feedUntilThrow(t: { write(chunk: string): void }, head: string, piece: string, most: number): { error: unknown; written: number } {
  let written = 0;
  try {
    t.write(head);
    written += head.length;
    while (written < most) {
      t.write(piece);
      written += piece.length;
    }
  } catch (error) {
    return { error, written };
  }
  return { error: undefined, written };
}

const nested = (depth: number): string => '<a>'.repeat(depth) + '</a>'.repeat(depth);

describe('XML limits', () => {
  it('have documented defaults that fit the million-session reply, and refuse nonsense', () => {
    assert.deepEqual(DEFAULT_XML_LIMITS, { maxDepth: 256, maxTextBytes: 16 * 1024 * 1024, maxItems: 5_000_000 });
    assert.ok(DEFAULT_XML_LIMITS.maxItems > 1_000_000);
    assert.deepEqual(resolveXmlLimits({ maxDepth: 10 }), { ...DEFAULT_XML_LIMITS, maxDepth: 10 });
    assert.equal(resolveXmlLimits({ maxItems: Infinity }).maxItems, Infinity);
    for (const bad of [0, -1, 1.5, NaN]) assert.throws(() => resolveXmlLimits({ maxTextBytes: bad }), RangeError);
  });

  describe('maxDepth', () => {
    it('lets elements nest as deep as the limit, and no deeper (a self-closing tag counts)', () => {
      assert.equal(tokenizeAll(nested(256)).maxDepth, 256);
      assert.throws(() => tokenizeAll(nested(257)), isLimit('maxDepth', 256));
      assert.equal(tokenizeAll('<a><b><c/></b></a>', { maxDepth: 3 }).maxDepth, 3);
      assert.throws(() => tokenizeAll('<a><b><c><d/></c></b></a>', { maxDepth: 3 }), isLimit('maxDepth', 3));
      assert.throws(() => tokenizeAll('<a><b x="1"><c x="1"><d x="1"></d></c></b></a>', { maxDepth: 3 }), isLimit('maxDepth', 3));
    });

    it('names where the element that went too deep opens', () => {
      assert.throws(
        () => tokenizeAll('<r>\n  <a>\n    <b>', { maxDepth: 2 }),
        (err) => err instanceof XmlLimitError && err.line === 3 && err.column === 5 && /\(line 3, column 5\)$/.test(err.message),
      );
    });

    it('holds on elements read through remembered close spans (repeated records)', () => {
      const record = '<s><x>1</x>\n<y>2</y>\n<z><w/></z>\n</s>\n';
      assert.equal(tokenizeAll(`<r>${record.repeat(50)}</r>`, { maxDepth: 4 }, 7).maxDepth, 4);
      assert.throws(() => tokenizeAll(`<r>${record.repeat(50)}</r>`, { maxDepth: 3 }, 7), isLimit('maxDepth', 3));
    });

    it('turns 1e6-deep nesting into an XmlLimitError, not a stack overflow, wherever a tree is built', () => {
      const deep = nested(1_000_000);
      assert.throws(() => tokenizeAll(deep), isLimit('maxDepth', 256));
      assert.throws(() => parseString({ items: new Set(['a']), onElement: () => {} }, deep), isLimit('maxDepth', 256));
      const reader = new ReplyReader('rpc-reply', { items: new Set(['a']), onElement: () => {} });
      assert.throws(() => {
        reader.push(Buffer.from(`<rpc-reply>${deep}</rpc-reply>`));
        reader.finish();
      }, isLimit('maxDepth', 256));
    });

    it('is the only bound on depth: the tokenizer itself reads 1e6-deep nesting without recursion', () => {
      assert.equal(tokenizeAll(nested(1_000_000), { maxDepth: Infinity }).maxDepth, 1_000_000);
    });
  });

  describe('maxTextBytes', () => {
    const LIMIT = 1024 * 1024;
    const CHUNK = 64 * 1024;

    it('accepts a text node as long as the limit, and refuses a longer one', () => {
      const text = 'x'.repeat(LIMIT);
      assert.equal(tokenizeAll(`<r>${text}</r>`, { maxTextBytes: LIMIT }).textChars, LIMIT);
      assert.throws(() => tokenizeAll(`<r>${text}y</r>`, { maxTextBytes: LIMIT }), isLimit('maxTextBytes', LIMIT));
      // A run is the character data between two tags: CDATA and comments do not end it, tags do.
      assert.throws(() => tokenizeAll(`<r>${text}<!-- c --><![CDATA[y]]></r>`, { maxTextBytes: LIMIT }), isLimit('maxTextBytes', LIMIT));
      assert.equal(tokenizeAll(`<r>${text}<b/>${text}</r>`, { maxTextBytes: LIMIT }).textChars, 2 * LIMIT);
    });

    it('stops an endless text node fed in chunks at the limit, having handed over no more than the limit', () => {
      const sink = new CountingSink();
      const { error, written } = feedUntilThrow(new XmlTokenizer(sink, { maxTextBytes: LIMIT }), '<r><field>', 'x'.repeat(CHUNK), 100 * LIMIT);
      assert.ok(isLimit('maxTextBytes', LIMIT)(error));
      assert.ok(written <= LIMIT + CHUNK, `${written} characters written before the limit stopped it`);
      assert.ok(sink.textChars <= LIMIT);
    });

    it('stops an endless CDATA section the same way', () => {
      const { error, written } = feedUntilThrow(new XmlTokenizer(new CountingSink(), { maxTextBytes: LIMIT }), '<r><![CDATA[', 'x'.repeat(CHUNK), 100 * LIMIT);
      assert.ok(isLimit('maxTextBytes', LIMIT)(error));
      assert.ok(written <= LIMIT + CHUNK);
    });

    it('stops an endless kept field in an element stream, its text never over the limit', () => {
      let longest = 0;
      const stream = new XmlElementStream({ items: new Set(['record']), onElement: (n: XmlNode) => (longest = Math.max(longest, n.text.length)) }, { maxTextBytes: LIMIT });
      const { error, written } = feedUntilThrow(stream, '<rpc-reply><record>', 'y'.repeat(CHUNK), 100 * LIMIT);
      assert.ok(isLimit('maxTextBytes', LIMIT)(error));
      assert.ok(written <= LIMIT + CHUNK);
      assert.equal(longest, 0);
    });

    it("bounds an element's whole text, gathered between its children too", () => {
      const doc = `<r><record>${`${'t'.repeat(1000)}<skip/>`.repeat(20)}</record></r>`;
      const handler = { items: new Set(['record']), onElement: () => {} };
      assert.throws(() => parseString(handler, doc, 64 * 1024, { maxTextBytes: 10_000 }), isLimit('maxTextBytes', 10_000));
      assert.doesNotThrow(() => parseString(handler, doc, 64 * 1024, { maxTextBytes: 20_000 }));
    });

    it('stops an unterminated tag or processing instruction once it is longer than the limit, instead of buffering it', () => {
      for (const head of ['<r a="', '<r><a', '<r></r', '<?pi ', '<r a="1" b=\'']) {
        const piece = head === '<r></r' ? ' '.repeat(CHUNK) : 'x'.repeat(CHUNK);
        const { error, written } = feedUntilThrow(new XmlTokenizer(new CountingSink(), { maxTextBytes: LIMIT }), head, piece, 100 * LIMIT);
        assert.ok(isLimit('maxTextBytes', LIMIT)(error), head);
        assert.ok(written <= LIMIT + 2 * CHUNK, `${head}: ${written} characters written before the limit stopped it`);
      }
    });

    it('keeps failing once a limit is exceeded', () => {
      const t = new XmlTokenizer(new CountingSink(), { maxTextBytes: 10 });
      assert.throws(() => t.write('<r>0123456789ab'), XmlLimitError);
      assert.throws(() => t.write('</r>'), XmlLimitError);
      assert.throws(() => t.end(), XmlLimitError);
    });
  });

  describe('maxItems', () => {
    const records = (n: number): string => `<rpc-reply><sessions>${'<s><id>1</id></s>'.repeat(n)}</sessions></rpc-reply>`;

    it('lets an element stream hand over as many selected elements as the limit, and no more', () => {
      let count = 0;
      const handler = { items: new Set(['s']), onElement: () => count++ };
      parseString(handler, records(1000), 100, { maxItems: 1000 });
      assert.equal(count, 1000);
      count = 0;
      assert.throws(() => parseString(handler, records(1001), 100, { maxItems: 1000 }), isLimit('maxItems', 1000));
      assert.equal(count, 1000);
    });

    it('stops endless records', () => {
      let count = 0;
      const stream = new XmlElementStream({ items: new Set(['s']), onElement: () => count++ }, { maxItems: 50_000 });
      const { error } = feedUntilThrow(stream, '<rpc-reply>', '<s><id>1</id></s>'.repeat(1000), Infinity);
      assert.ok(isLimit('maxItems', 50_000)(error));
      assert.equal(count, 50_000);
    });

    it('counts per document, not per process', () => {
      const handler = { items: new Set(['s']), onElement: () => {} };
      for (let i = 0; i < 3; i++) parseString(handler, records(10), 64, { maxItems: 10 });
    });
  });
});
