import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XmlTokenizer } from '../../../src/xml/tokenizer.ts';
import { isParseError, Recorder, splitEvery, tokenize, type Token } from './helpers.ts';

/**
 * The tokenizer's work stays linear in its input whatever the input: a tag, processing
 * instruction, comment, CDATA section or text that goes on over a thousand chunks is not
 * re-joined and re-read on every chunk, and a tag with many attributes is not searched
 * back to its start for each. Work is counted, not timed: `charactersRead` counts the
 * characters the tokenizer is handed to read, a carried one again each time, and the
 * characters its native string searches (indexOf, lastIndexOf) pass over are counted too.
 */

const BIG = 4 * 1024 * 1024;
const CHUNK = 4096;
/** Each character is read about twice (searched for its end, then read whole); 3× leaves room. */
const MAX_WORK = 3;
/** Searches may pass over a character a few times (looking for '<', '&', '\r', ']]>' from one place). */
const MAX_SEARCHED = 8;

function feed(doc: string): { tokenizer: XmlTokenizer; tokens: Token[]; searched: number } {
  const sink = new Recorder();
  const tokenizer = new XmlTokenizer(sink);
  const searched = countingSearches(() => {
    for (let i = 0; i < doc.length; i += CHUNK) tokenizer.write(doc.slice(i, i + CHUNK));
    tokenizer.end();
  });
  return { tokenizer, tokens: sink.tokens, searched };
}

/** Runs `fn` with String.prototype.indexOf and lastIndexOf counting the characters they pass over. */
function countingSearches(fn: () => void): number {
  const { indexOf, lastIndexOf } = String.prototype;
  let searched = 0;
  String.prototype.indexOf = function (this: string, search: string, from = 0): number {
    const found = indexOf.call(this, search, from);
    searched += (found < 0 ? this.length : found + search.length) - Math.max(0, from);
    return found;
  };
  String.prototype.lastIndexOf = function (this: string, search: string, from = Infinity): number {
    const found = lastIndexOf.call(this, search, from);
    searched += Math.min(from, this.length) - (found < 0 ? 0 : found);
    return found;
  };
  try {
    fn();
  } finally {
    String.prototype.indexOf = indexOf;
    String.prototype.lastIndexOf = lastIndexOf;
  }
  return searched;
}

const x = (n: number): string => 'x'.repeat(n);

const CASES: readonly (readonly [string, string])[] = [
  ['an open tag with a long name', `<r><a${x(BIG)}/></r>`],
  ['a long attribute value', `<r a="${x(BIG)}"></r>`],
  ['a long attribute value with ">" in every chunk', `<r a='${`${x(1000)}>"`.repeat(BIG / 1002)}'/>`],
  ['many attributes', `<r${Array.from({ length: BIG / 48 }, (_, i) => ` a${i}="v"`).join('')}></r>`],
  ['a close tag with a long run of spaces', `<r></r${' '.repeat(BIG)}>`],
  ['a long processing instruction', `<?pi ${x(BIG)}?><r/>`],
  ['a long comment', `<r><!--${x(BIG)}--></r>`],
  ['a long CDATA section', `<r><![CDATA[${x(BIG)}]]></r>`],
  ['a long text node', `<r>${x(BIG)}</r>`],
  ['a long text node with references', `<r>${'&amp;x'.repeat(BIG / 6)}</r>`],
];

describe('XmlTokenizer reads in time linear in its input', () => {
  for (const [what, doc] of CASES) {
    it(`${what}, ${(doc.length / 2 ** 20).toFixed(1)} MiB in ${CHUNK}-character chunks`, () => {
      const { tokenizer, tokens, searched } = feed(doc);
      assert.ok(tokenizer.charactersRead <= MAX_WORK * doc.length, `read ${tokenizer.charactersRead} characters for a document of ${doc.length}`);
      assert.ok(searched <= MAX_SEARCHED * doc.length, `searched ${searched} characters for a document of ${doc.length}`);
      assert.deepEqual(tokens, tokenize('saxes', splitEvery(doc, 64 * 1024)).tokens);
    });
  }

  it('an unterminated tag fed in small chunks reads each character a bounded number of times before the document ends', () => {
    const tokenizer = new XmlTokenizer(new Recorder());
    const doc = `<r a="${x(BIG)}`;
    for (let i = 0; i < doc.length; i += 64) tokenizer.write(doc.slice(i, i + 64));
    assert.ok(tokenizer.charactersRead <= MAX_WORK * doc.length, `read ${tokenizer.charactersRead} characters for ${doc.length}`);
    assert.throws(() => tokenizer.end(), /document ended inside a tag/);
  });
});

describe('XmlTokenizer on markup held across chunks', () => {
  it('names a malformed tag as soon as a chunk brings a "<", however its quotes looked', () => {
    const t = new XmlTokenizer(new Recorder());
    t.write('<r><a b');
    assert.throws(() => t.write(`"c>${x(100_000)}<d/></r>`), (err) => isParseError(err) && /attribute b without value/.test(err.message));
  });

  it('reads a tag whose quoted values hold ">" and the other quote, cut anywhere', () => {
    const doc = `<r><a b='1>"2' c="3>'4"/><?pi a>b ?x?><c></c  ></r>`;
    const ref = tokenize('saxes', [doc]).tokens;
    for (let cut = 1; cut < doc.length; cut++) {
      for (let cut2 = cut + 1; cut2 < doc.length; cut2 += 3) {
        assert.deepEqual(tokenize('fast', [doc.slice(0, cut), doc.slice(cut, cut2), doc.slice(cut2)]).tokens, ref, `cut at ${cut} and ${cut2}`);
      }
    }
  });
});
