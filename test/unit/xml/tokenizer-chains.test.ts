import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XmlElementStream, type ElementHandler } from '../../../src/xml/element-stream.ts';
import type { XmlNode } from '../../../src/xml/node.ts';
import { ReferenceElementStream } from '../../../src/xml/reference-stream.ts';
import { baseSeed, isParseError, Rng, splitRandom, tokenize } from './helpers.ts';

/**
 * Chains of close spans (the tokenizer reading a run of leaves whose text repeats from the
 * records before with one comparison) against saxes: long runs of records that repeat most
 * values, now and then broken by another value, a reference, a CR, a child element, a
 * comment, an empty or missing leaf, other indentation, or a wrong close tag.
 */

const CASES = Number(process.env.RUNBOOK_XML_CASES ?? 60);
const CONSTANT = ['status', 'policy', 'protocol', 'conn-tag', 'frags-a', 'frags-b', 'frags-c', 'fin-state'];

function variant(rng: Rng, name: string, value: string, indent: string): string {
  switch (rng.int(9)) {
    case 0:
      return `${indent}<${name}>${value}x</${name}>\n`;
    case 1:
      return `${indent}<${name}>a &amp; b</${name}>\n`;
    case 2:
      return `${indent}<${name}>${value}\r\n</${name}>\n`;
    case 3:
      return `${indent}<${name}><c>${value}</c></${name}>\n`;
    case 4:
      return `${indent}<${name}>${value}<!--c--></${name}>\n`;
    case 5:
      return `${indent}<${name}/>\n`;
    case 6:
      return '';
    case 7:
      return `${indent} <${name}>${value}</${name}>\n`;
    default:
      return `${indent}<${name}>]${value}</${name}>\n`;
  }
}

function chainedDocument(rng: Rng, broken: boolean): string {
  let doc = '<rpc-reply>\n  <flow-session-information>\n';
  const records = 20 + rng.int(150);
  const breakAt = broken ? rng.int(records) : -1;
  for (let r = 0; r < records; r++) {
    doc += `    <flow-session junos:style="brief">\n      <session-identifier>${rng.int(1e6)}</session-identifier>\n`;
    for (const [i, name] of CONSTANT.entries()) {
      const value = i % 3 === 0 ? '0' : i % 3 === 1 ? 'N/A' : 'ah';
      doc += rng.chance(0.03) ? variant(rng, name, value, '      ') : `      <${name}>${value}</${name}>\n`;
      if (i === 3) doc += `      <duration>${rng.chance(0.5) ? 7 : rng.int(100)}</duration>\n`;
    }
    doc += r === breakAt ? '      <pkt-cnt>2</byte-cnt>\n' : '      <pkt-cnt>2</pkt-cnt>\n';
    doc += '    </flow-session>\n';
  }
  return doc + '  </flow-session-information>\n</rpc-reply>\n';
}

function shape(n: XmlNode): unknown {
  return { name: n.name, attrs: { ...n.attrs }, text: n.text, children: n.children.map(shape) };
}

function trees(Stream: typeof XmlElementStream | typeof ReferenceElementStream, pieces: readonly string[], handler: Omit<ElementHandler, 'onElement'>): unknown {
  const out: unknown[] = [];
  const stream = new Stream({ ...handler, onElement: (n) => out.push(shape(n)) });
  try {
    for (const p of pieces) stream.write(p);
    stream.end();
    return out;
  } catch (err) {
    return { error: (err as Error).name, out };
  }
}

describe('XmlTokenizer: chains of close spans read as saxes reads', () => {
  const seed0 = baseSeed();

  it(`records repeating most of their values, broken now and then (seeds ${seed0}..${seed0 + CASES - 1})`, () => {
    for (let i = 0; i < CASES; i++) {
      const seed = seed0 + i;
      const rng = new Rng(seed);
      const broken = rng.chance(0.3);
      const doc = chainedDocument(rng, broken);
      const ref = tokenize('saxes', [doc]);
      assert.equal(ref.error !== undefined, broken, `seed ${seed}: saxes ${String(ref.error ?? 'accepted')}`);
      for (const pieces of [[doc], splitRandom(doc, rng, 500), splitRandom(doc, rng, 5000)]) {
        const fast = tokenize('fast', pieces);
        assert.equal(fast.error !== undefined, broken, `seed ${seed}: fast ${String(fast.error ?? 'accepted')}`);
        if (broken) assert.ok(isParseError(fast.error), `seed ${seed}: ${String(fast.error)}`);
        else assert.deepEqual(fast.tokens, ref.tokens, `seed ${seed}: tokens differ`);
      }
      // Text wanted in some elements only: the tokenizer's text gate changes inside chains.
      const handler = { items: new Set(['flow-session']), keep: new Set(['policy', 'duration', 'c', 'pkt-cnt']), textOf: new Set(['policy', 'c']) };
      const pieces = splitRandom(doc, rng, 3000);
      const whole = { items: new Set(['flow-session']) };
      for (const h of [handler, whole]) {
        const fast = trees(XmlElementStream, pieces, h);
        const reference = trees(ReferenceElementStream, pieces, h);
        // A broken document fails in both; how many elements each handed over before differs with the cut.
        if (broken) assert.deepEqual([(fast as { error?: string }).error, (reference as { error?: string }).error], ['XmlParseError', 'XmlParseError'], `seed ${seed}`);
        else assert.deepEqual(fast, reference, `seed ${seed}: trees differ`);
      }
    }
  });

});
