import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Extractor } from '../../../src/junos/extractor.ts';
import { EXTRACTORS } from '../../../src/junos/index.ts';
import { parseTablePath, tableExtractor, type TableField } from '../../../src/junos/table.ts';
import { XmlElementStream, type ElementHandler } from '../../../src/xml/element-stream.ts';
import type { XmlNode } from '../../../src/xml/node.ts';
import { ReferenceElementStream } from '../../../src/xml/reference-stream.ts';
import { JUNOS_FIXTURES } from '../../helpers/fixtures.ts';
import { Rng, splitBytes, splitEvery, splitRandom, tokenize } from './helpers.ts';

/**
 * Every captured Junos reply read by XmlTokenizer and by saxes: the same tokens, the same
 * handler calls and trees, the same extracted data, however the text is cut.
 */

const FILES = readdirSync(JUNOS_FIXTURES).filter((f) => /\.(xml|txt)$/.test(f)).sort();

type Stream = { write(chunk: string): void; end(): void };
type StreamClass = new (handler: ElementHandler) => Stream;

/** What a handler saw, as plain data, or the error the reader threw. */
function observe(Stream: StreamClass, handler: ElementHandler, pieces: readonly string[]): unknown {
  const stream = new Stream(handler);
  try {
    for (const p of pieces) stream.write(p);
    stream.end();
    return { ok: true };
  } catch (err) {
    return { error: (err as Error).name };
  }
}

function recordingHandler(items: readonly string[], keep?: ReadonlySet<string>): ElementHandler & { calls: unknown[] } {
  const calls: unknown[] = [];
  return {
    calls,
    items: new Set(items),
    keep,
    onOpen: (name, attrs, path) => calls.push(['open', name, { ...attrs }, [...path]]),
    onClose: (name, path) => calls.push(['close', name, [...path]]),
    onElement: (node, path) => calls.push(['element', plain(node), [...path]]),
  };
}

/** A tree without the readers' own object kinds (saxes gives null-prototype attributes). */
function plain(node: XmlNode): unknown {
  return { name: node.name, attrs: { ...node.attrs }, text: node.text, children: node.children.map(plain) };
}

function extract(Stream: StreamClass, make: () => Extractor<unknown>, pieces: readonly string[]): unknown {
  const x = make();
  const seen = observe(Stream, x, pieces);
  if (!(seen as { ok?: boolean }).ok) return seen;
  try {
    return { result: x.result() };
  } catch (err) {
    return { threw: (err as Error).message };
  }
}

function field(name: string, source: string, type: 'string' | 'integer' | 'number' = 'string'): TableField {
  const parsed = parseTablePath(source);
  if ('error' in parsed) throw new Error(parsed.error);
  return { name, kind: 'path', path: parsed.steps, type };
}

const TABLES: Record<string, () => Extractor<unknown>> = {
  'ah-cleanup collect': () => tableExtractor({ item: 'flow-session', fields: [field('peer', "flow-information[direction='In']/source-address")] }),
  'flow sessions with context': () =>
    tableExtractor({
      item: 'flow-session',
      fields: [
        field('id', 'session-identifier', 'integer'),
        field('port', "flow-information[direction='Out']/destination-port", 'number'),
        field('iface', 'flow-information/interface-name'),
        { name: 'node', kind: 'context', context: 'node' },
        { name: 'spu', kind: 'context', context: 'spu' },
      ],
    }),
  'ipsec sas': () => tableExtractor({ item: 'ipsec-security-associations', fields: [field('gw', 'sa-remote-gateway'), field('index', 'sa-tunnel-index', 'integer')] }),
};

const EXTRACT: Record<string, () => Extractor<unknown>> = {
  ...Object.fromEntries(Object.entries(EXTRACTORS).map(([rpc, make]) => [rpc, () => make()])),
  'get-flow-session-information summary': () => EXTRACTORS['get-flow-session-information']({ summary: true }),
  ...TABLES,
};

describe('every Junos fixture reads the same with XmlTokenizer and saxes', () => {
  for (const file of FILES) {
    const xml = readFileSync(join(JUNOS_FIXTURES, file), 'utf8');
    it(file, () => {
      const rng = new Rng(xml.length);
      const ref = tokenize('saxes', [xml]);
      const cuts: [string, string[]][] = [
        ['whole', [xml]],
        ['7-character pieces', splitEvery(xml, 7)],
        ['1-character pieces', splitEvery(xml, 1)],
        ['random pieces', splitRandom(xml, rng, 50)],
        ['UTF-8 bytes cut at random', splitBytes(xml, rng, 11)],
      ];
      for (const [how, pieces] of cuts) {
        const fast = tokenize('fast', pieces);
        assert.equal(fast.error === undefined, ref.error === undefined, `${how}: fast ${String(fast.error ?? 'accepted')}, saxes ${String(ref.error ?? 'accepted')}`);
        // After an error saxes reads on and reports more tokens; only accepted documents compare.
        if (ref.error === undefined) assert.deepEqual(fast.tokens, ref.tokens, `${how}: tokens`);
      }

      // Handler calls and trees: the roots whole, and every element's own name selected.
      const names = [...new Set(ref.tokens.filter((t) => t[0] === 'open').map((t) => t[1].replace(/^[^:]*:/, '')))];
      for (const items of [names.slice(0, 1), names.slice(1, 4), names]) {
        for (const keep of [undefined, new Set(names.filter((_, i) => i % 3 === 0))]) {
          for (const [how, pieces] of cuts.slice(0, 3)) {
            const a = recordingHandler(items, keep);
            const b = recordingHandler(items, keep);
            assert.deepEqual(observe(XmlElementStream, a, pieces), observe(ReferenceElementStream, b, [xml]), `${how}: outcome`);
            if (ref.error === undefined) assert.deepEqual(a.calls, b.calls, `${how}, items ${items.join(',')}, keep ${keep ? [...keep].join(',') : 'all'}: handler calls`);
          }
        }
      }

      for (const [name, make] of Object.entries(EXTRACT)) {
        const expected = extract(ReferenceElementStream, make, [xml]);
        for (const [how, pieces] of cuts.slice(0, 4)) {
          assert.deepEqual(extract(XmlElementStream, make, pieces), expected, `${name}, ${how}`);
        }
      }
    });
  }
});
