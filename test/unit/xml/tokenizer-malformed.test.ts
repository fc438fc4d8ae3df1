import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XmlElementStream } from '../../../src/xml/element-stream.ts';
import { XmlParseError } from '../../../src/xml/errors.ts';
import { baseSeed, isParseError, randomDocument, repetitiveDocument, Rng, splitRandom, tokenize, type Outcome } from './helpers.ts';

/**
 * Malformed documents: where saxes refuses a document, so does XmlTokenizer, with an
 * XmlParseError; where saxes accepts a damaged one (a stray `<` inside a comment is just
 * text), the tokens agree. Seeds are printed; RUNBOOK_XML_SEED=<seed> replays a run.
 */

const CASES = Number(process.env.RUNBOOK_XML_CASES ?? 300);

const INSERTS = ['<', '>', '&', ']]>', '--', '\x01', '\x1f', '"', "'", '=', '/', '<!', '<?', '</', '/>', '\uFFFE', '&#0;', '&#xD800;', '&bogus;', '& ', '<?xml version="1.0"?>', '<!DOCTYPE a>', '<a', '<1a>', '</>'];

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

function show(doc: string): string {
  return JSON.stringify(doc.length > 400 ? doc.slice(0, 400) + '…' : doc);
}

function agree(fast: Outcome, ref: Outcome, what: string): void {
  assert.equal(fast.error === undefined, ref.error === undefined, `${what}: fast ${String(fast.error ?? 'accepted')}, saxes ${String(ref.error ?? 'accepted')}`);
  if (fast.error === undefined) assert.deepEqual(fast.tokens, ref.tokens, `${what}: tokens differ`);
  else assert.ok(isParseError(fast.error), `${what}: fast threw ${String(fast.error)}`);
}

function bothRefuse(doc: string, rng: Rng, what: string): void {
  for (const pieces of [[doc], splitRandom(doc, rng, 4)]) {
    const fast = tokenize('fast', pieces);
    const ref = tokenize('saxes', pieces);
    assert.ok(isParseError(ref.error), `${what}: saxes accepted`);
    assert.ok(isParseError(fast.error), `${what}: fast ${fast.error === undefined ? 'accepted' : `threw ${String(fast.error)}`}`);
  }
}

describe('XmlTokenizer refuses what saxes refuses', () => {
  const seed0 = baseSeed();

  it(`a close tag that does not match (seeds ${seed0}..)`, () => {
    for (let i = 0; i < CASES; i++) {
      const seed = seed0 + i;
      const rng = new Rng(seed);
      const doc = randomDocument(rng);
      const closes = [...doc.matchAll(/<\/[^>\s]+/g)];
      if (closes.length === 0) continue;
      const m = rng.pick(closes);
      const bad = doc.slice(0, m.index + m[0].length) + 'x' + doc.slice(m.index + m[0].length);
      bothRefuse(bad, rng, `seed ${seed}, ${show(bad)}`);
    }
  });

  it(`a reply cut short anywhere inside its root element (seeds ${seed0}..)`, () => {
    for (let i = 0; i < CASES; i++) {
      const seed = seed0 + i;
      const rng = new Rng(seed);
      const doc = `<rpc-reply>${randomDocument(rng)}</rpc-reply>`;
      const cut = 1 + rng.int(doc.length - 2);
      bothRefuse(doc.slice(0, cut), rng, `seed ${seed}, cut at ${cut} of ${show(doc)}`);
    }
  });

  it(`damage in a later one of repeated records, read through remembered spans (seeds ${seed0}..)`, () => {
    for (let i = 0; i < CASES; i++) {
      const seed = seed0 + i;
      const rng = new Rng(seed);
      const doc = repetitiveDocument(rng);
      // Past the first records, where the tokenizer has learnt the shapes.
      const at = Math.floor(doc.length / 2) + rng.int(Math.floor(doc.length / 2));
      const bad = rng.chance(0.75) ? doc.slice(0, at) + rng.pick(INSERTS) + doc.slice(at) : doc.slice(0, at) + doc.slice(at + 1);
      const what = `seed ${seed}, damage at ${at}: ${JSON.stringify(bad.slice(Math.max(0, at - 60), at + 60))}`;
      agree(tokenize('fast', [bad]), tokenize('saxes', [bad]), what);
      agree(tokenize('fast', splitRandom(bad, rng, 50)), tokenize('saxes', [bad]), `${what} (in pieces)`);
    }
  });

  it(`damage at a random place: both refuse, or both read the same (seeds ${seed0}..)`, () => {
    for (let i = 0; i < CASES * 4; i++) {
      const seed = seed0 + i;
      const rng = new Rng(seed);
      const doc = randomDocument(rng);
      // Whole code points only: a lone surrogate cannot come out of UTF-8 decoding, and
      // saxes lets some through.
      let at = rng.int(doc.length + 1);
      if (isLowSurrogate(doc.charCodeAt(at))) at--;
      const width = doc.codePointAt(at)! > 0xffff ? 2 : 1;
      const bad = rng.chance(0.75) ? doc.slice(0, at) + rng.pick(INSERTS) + doc.slice(at) : doc.slice(0, at) + doc.slice(at + width);
      const what = `seed ${seed}, ${show(bad)}`;
      agree(tokenize('fast', [bad]), tokenize('saxes', [bad]), what);
      agree(tokenize('fast', splitRandom(bad, rng, 6)), tokenize('saxes', [bad]), `${what} (in pieces)`);
    }
  });
});

describe('a forbidden character anywhere is refused', () => {
  // Pretty-printed records repeat, so the later ones are read through remembered spans.
  const record = (id: number) =>
    `  <flow-session junos:style="brief">\n    <session-identifier>${id}</session-identifier>\n    <flow-information>\n      <direction>In</direction>\n      <source-address>1.0.0.${id}</source-address>\n    </flow-information>\n  </flow-session>\n`;
  const doc = `<?xml version="1.0"?>\n<rpc-reply a='x'>\n<!-- keep alive --><?pi body?><![CDATA[c]]>${[1, 2, 3, 4].map(record).join('')}</rpc-reply>\n`;

  it('\\x01 inserted before each character, read whole and in pieces', () => {
    const rng = new Rng(baseSeed());
    for (let at = 0; at <= doc.length; at++) {
      const bad = doc.slice(0, at) + '\x01' + doc.slice(at);
      for (const pieces of [[bad], splitRandom(bad, rng, 9)]) {
        const fast = tokenize('fast', pieces);
        assert.ok(isParseError(fast.error), `\\x01 at ${at}: fast ${fast.error === undefined ? 'accepted' : `threw ${String(fast.error)}`}`);
        assert.ok(isParseError(tokenize('saxes', pieces).error), `\\x01 at ${at}: saxes accepted`);
      }
    }
  });
});

describe('parse errors say what is wrong and where', () => {
  function error(xml: string): XmlParseError {
    const stream = new XmlElementStream({ items: new Set(['a']), onElement: () => undefined });
    try {
      stream.write(xml);
      stream.end();
    } catch (err) {
      assert.ok(err instanceof XmlParseError, String(err));
      return err;
    }
    assert.fail(`accepted ${JSON.stringify(xml)}`);
  }

  it('names the tags of a mismatch, at the line of the close tag', () => {
    const e = error('<rpc-reply>\n  <a>\n  </b>\n</rpc-reply>');
    assert.match(e.message, /close tag <\/b>, expected <\/a>/);
    assert.equal(e.line, 3);
  });

  it('names the element a truncated reply ended in', () => {
    const e = error('<rpc-reply>\n<flow-session><x>1</x>\n');
    assert.match(e.message, /ended inside <flow-session>/);
    assert.ok(e.line >= 2);
  });

  it('says a tag was cut', () => {
    assert.match(error('<rpc-reply><flow-sess').message, /ended inside a tag/);
  });

  it('names an undefined entity and a bad character reference', () => {
    assert.match(error('<a>&nbsp;</a>').message, /undefined entity &nbsp;/);
    assert.match(error('<a>&#0;</a>').message, /malformed character reference/);
  });

  it('refuses control characters and "--" in comments', () => {
    assert.match(error('<a>\x01</a>').message, /disallowed character/);
    assert.match(error('<a><!-- a -- b --></a>').message, /"--" inside a comment/);
  });

  it('counts lines and columns over chunks', () => {
    const stream = new XmlElementStream({ items: new Set(), onElement: () => undefined });
    stream.write('<r>\n<a>\n');
    assert.throws(
      () => stream.write('  <b></c>'),
      (e: unknown) => e instanceof XmlParseError && e.line === 3 && e.column === 6,
    );
  });
});
