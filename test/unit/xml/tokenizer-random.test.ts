import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baseSeed, isParseError, randomDocument, repetitiveDocument, Rng, splitBytes, splitEvery, splitRandom, tokenize, type Outcome } from './helpers.ts';

/**
 * XmlTokenizer against saxes (the reference) on random documents fed in random pieces.
 * Every case prints its seed on failure; RUNBOOK_XML_SEED=<seed> replays a run.
 */

const CASES = Number(process.env.RUNBOOK_XML_CASES ?? 400);

function show(doc: string): string {
  return JSON.stringify(doc.length > 600 ? doc.slice(0, 600) + '…' : doc);
}

function same(fast: Outcome, ref: Outcome, what: string): void {
  assert.equal(fast.error === undefined, ref.error === undefined, `${what}: fast ${String(fast.error ?? 'accepted')}, saxes ${String(ref.error ?? 'accepted')}`);
  if (fast.error === undefined) assert.deepEqual(fast.tokens, ref.tokens, `${what}: tokens differ`);
  else {
    assert.ok(isParseError(fast.error), `${what}: fast threw ${String(fast.error)}`);
    assert.ok(isParseError(ref.error), `${what}: saxes threw ${String(ref.error)}`);
  }
}

describe('XmlTokenizer agrees with saxes on random well-formed documents', () => {
  const seed0 = baseSeed();

  it(`whole, and cut at random places (seeds ${seed0}..${seed0 + CASES - 1})`, () => {
    for (let i = 0; i < CASES; i++) {
      const seed = seed0 + i;
      const rng = new Rng(seed);
      const doc = randomDocument(rng);
      const what = `seed ${seed}, document ${show(doc)}`;
      const ref = tokenize('saxes', [doc]);
      assert.equal(ref.error, undefined, `${what}: the generator made a document saxes refuses: ${String(ref.error)}`);
      same(tokenize('fast', [doc]), ref, `${what} (whole)`);
      same(tokenize('fast', splitRandom(doc, rng, 3)), ref, `${what} (pieces of 1-3)`);
      same(tokenize('fast', splitRandom(doc, rng, 40)), ref, `${what} (pieces of 1-40)`);
      same(tokenize('fast', splitBytes(doc, rng, 7)), ref, `${what} (UTF-8 bytes cut at random, decoded as ReplyReader does)`);
      same(tokenize('saxes', splitRandom(doc, rng, 5)), ref, `${what} (saxes in pieces)`);
    }
  });

  it(`repeated records, as Junos sends them, cut at random places (seeds ${seed0}..${seed0 + CASES / 4 - 1})`, () => {
    for (let i = 0; i < CASES / 4; i++) {
      const seed = seed0 + i;
      const rng = new Rng(seed);
      const doc = repetitiveDocument(rng);
      const what = `seed ${seed}, document ${show(doc)}`;
      const ref = tokenize('saxes', [doc]);
      assert.equal(ref.error, undefined, `${what}: saxes refuses it: ${String(ref.error)}`);
      same(tokenize('fast', [doc]), ref, `${what} (whole)`);
      same(tokenize('fast', splitRandom(doc, rng, 20)), ref, `${what} (pieces of 1-20)`);
      same(tokenize('fast', splitRandom(doc, rng, 300)), ref, `${what} (pieces of 1-300)`);
    }
  });

  it('cut at every position of a document with every construct', () => {
    const doc =
      '\uFEFF<?xml version="1.0"?>\n<!-- keep alive --><rpc-reply xmlns:junos="j" a=\'1 &amp; "2"\'>\r\n' +
      '<flow-session junos:style="brief"><x>a &lt; b &#x1F600; &#65;</x><![CDATA[<raw> ]] ]]><?pi data?>' +
      '<é-élément 中="😀"/>\t<y\n/></flow-session   >tail]</rpc-reply>\n';
    const ref = tokenize('saxes', [doc]);
    assert.equal(ref.error, undefined);
    for (let cut = 1; cut < doc.length; cut++) {
      same(tokenize('fast', [doc.slice(0, cut), doc.slice(cut)]), ref, `cut at ${cut}`);
    }
    for (const size of [1, 2, 3, 5]) same(tokenize('fast', splitEvery(doc, size)), ref, `pieces of ${size}`);
  });
});
