import { StringDecoder } from 'node:string_decoder';
import { XmlParseError } from '../../../src/xml/errors.ts';
import { SaxesTokenizer } from '../../../src/xml/reference-stream.ts';
import { XmlTokenizer, type XmlAttributes, type XmlTokenSink } from '../../../src/xml/tokenizer.ts';

/** A token as the tests compare them; attributes copied into a plain object. */
export type Token = readonly ['open', string, Record<string, string>] | readonly ['close', string] | readonly ['text', string];

/**
 * Records tokens, merging adjacent text (where a reader splits text is its own business)
 * and dropping text outside any element (no consumer sees it; the reference drops what
 * comes before an XML declaration, the tokenizer hands it on).
 */
export class Recorder implements XmlTokenSink {
  readonly tokens: Token[] = [];
  private depth = 0;

  openTag(name: string, attrs: XmlAttributes): void {
    this.depth++;
    this.tokens.push(['open', name, { ...attrs }]);
  }

  closeTag(name: string): void {
    this.depth--;
    this.tokens.push(['close', name]);
  }

  text(text: string): void {
    if (this.depth === 0 || text === '') return;
    const last = this.tokens[this.tokens.length - 1];
    if (last?.[0] === 'text') this.tokens[this.tokens.length - 1] = ['text', last[1] + text];
    else this.tokens.push(['text', text]);
  }
}

export interface Outcome {
  readonly tokens: Token[];
  /** The error thrown, if any (always an XmlParseError when the reader works as it should). */
  readonly error: unknown;
}

export type Reader = 'fast' | 'saxes';

/** Feeds pieces to one reader and reports the tokens and the error, if any. */
export function tokenize(reader: Reader, pieces: readonly string[]): Outcome {
  const sink = new Recorder();
  const t = reader === 'fast' ? new XmlTokenizer(sink) : new SaxesTokenizer(sink);
  try {
    for (const p of pieces) t.write(p);
    t.end();
    return { tokens: sink.tokens, error: undefined };
  } catch (error) {
    return { tokens: sink.tokens, error };
  }
}

export function isParseError(e: unknown): e is XmlParseError {
  return e instanceof XmlParseError;
}

/** Small, seeded, reproducible: mulberry32. */
export class Rng {
  private state: number;
  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** The base seed of the random tests: RUNBOOK_XML_SEED reproduces a failure a test printed. */
export function baseSeed(): number {
  const fromEnv = process.env.RUNBOOK_XML_SEED;
  return fromEnv !== undefined && /^\d+$/.test(fromEnv) ? Number(fromEnv) : 20240611;
}

/** Cuts text at random places: sizes from 1 to `max` characters. */
export function splitRandom(text: string, rng: Rng, max: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const n = 1 + rng.int(max);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

/**
 * Cuts the UTF-8 bytes at random places and decodes them as ReplyReader does, so pieces
 * end inside multi-byte characters exactly as network reads do.
 */
export function splitBytes(text: string, rng: Rng, max: number): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const decoder = new StringDecoder('utf8');
  const out: string[] = [];
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + rng.int(max);
    const s = decoder.write(bytes.subarray(i, i + n));
    if (s) out.push(s);
    i += n;
  }
  const rest = decoder.end();
  if (rest) out.push(rest);
  return out;
}

/** Cuts text into pieces of exactly `size` characters. */
export function splitEvery(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

const NAMES = [
  'rpc-reply',
  'flow-session',
  'flow-information',
  'source-address',
  'session-identifier',
  'a',
  'b',
  'x.y',
  '_u',
  'junos:comment',
  'xnm:error',
  ':lead',
  'é-élément',
  '中文',
  '\u{1d4b3}name',
];
const ATTRIBUTES = ['junos:style', 'xmlns', 'xmlns:junos', 'message-id', 'a', 'b:c', 'é', 'x-1'];
const WORDS = ['Normal', 'In', '1.0.0.158', 'N/A', 'ah', 'node0', ' on FPC0 PIC1:', 'é', '中文', '😀', 'a > b', "it's", '"q"', ']', '] ]', ']]'];
const TEXT_ENTITIES = ['&amp;', '&lt;', '&gt;', '&quot;', '&apos;', '&#38;', '&#x26;', '&#65;', '&#x1F600;', '&#10;', '&#xD;'];
const SPACE = [' ', '\n', '\n    ', '\t', '\r\n', '\r', '  '];

/** Character data: words, spaces (CR and CRLF too), references; never `]]>` or a raw `<`/`&`. */
function textData(rng: Rng): string {
  let s = '';
  const n = rng.int(6);
  for (let i = 0; i < n; i++) {
    const k = rng.int(10);
    s += k < 4 ? rng.pick(WORDS) : k < 7 ? rng.pick(SPACE) : rng.pick(TEXT_ENTITIES);
  }
  return s.replaceAll(']]>', ']] >');
}

function attributeValue(rng: Rng, quote: string): string {
  let s = '';
  const n = rng.int(5);
  for (let i = 0; i < n; i++) {
    const k = rng.int(10);
    s += k < 4 ? rng.pick(WORDS) : k < 6 ? rng.pick(['\t', '\n', '\r\n', '\r', ' ']) : k < 8 ? rng.pick(TEXT_ENTITIES) : quote === '"' ? "'" : '"';
  }
  return s.replaceAll(quote, quote === '"' ? '&quot;' : '&apos;');
}

function comment(rng: Rng): string {
  if (rng.chance(0.5)) return '<!-- keep alive -->';
  const body = rng.pick(['', ' x ', ' a - b ', ' <tag> & stuff ', '\r\n- dash\n', ' ]]> ', '中']);
  return `<!--${body}-->`;
}

function cdata(rng: Rng): string {
  const body = rng.pick(['', '<raw>', 'a & b', ']]', '] ]>', '>', 'x\r\ny', '😀', ']', 'end]']);
  return `<![CDATA[${body}]]>`;
}

function instruction(rng: Rng): string {
  return rng.pick(['<?pi?>', '<?pi data?>', '<?junos-x a="1" ?>', '<?a:b  ? >?>']);
}

function element(rng: Rng, depth: number): string {
  const name = rng.pick(NAMES);
  let tag = `<${name}`;
  const used = new Set<string>();
  const attributes = rng.int(4);
  for (let i = 0; i < attributes; i++) {
    const attr = rng.pick(ATTRIBUTES);
    if (used.has(attr)) continue;
    used.add(attr);
    const q = rng.chance(0.5) ? '"' : "'";
    const eq = rng.pick(['=', '=', ' = ', '\n=\t']);
    tag += `${rng.pick([' ', ' ', '\n    ', '\t'])}${attr}${eq}${q}${attributeValue(rng, q)}${q}`;
  }
  if (rng.chance(0.2)) tag += rng.pick(['', ' ', '\n']);
  if (depth > 5 || rng.chance(0.15)) return `${tag}${rng.pick(['/>', '/>', ' />'])}`;
  let body = '';
  const children = rng.int(depth === 0 ? 8 : 5);
  for (let i = 0; i < children; i++) {
    const k = rng.int(20);
    if (k < 8) body += element(rng, depth + 1);
    else if (k < 13) body += textData(rng);
    else if (k < 15) body += comment(rng);
    else if (k < 17) body += cdata(rng);
    else if (k < 18) body += instruction(rng);
    else body += rng.pick(SPACE);
  }
  return `${tag}>${body}</${name}${rng.pick(['', '', '', ' ', '\n'])}>`;
}

/**
 * A random well-formed document (as a fragment: text, comments and several elements may
 * sit at the top level), with an optional BOM and XML declaration.
 */
export function randomDocument(rng: Rng): string {
  let doc = '';
  if (rng.chance(0.15)) doc += '\uFEFF';
  if (rng.chance(0.3)) doc += `<?xml version="1.0" encoding="UTF-8"?>${rng.pick(['', '\n'])}`;
  if (rng.chance(0.2)) doc += rng.pick(['syslog: noise\n', 'Message from syslogd@srx at Jan  1 00:00:00 ...\n', '\n', ' ']);
  if (rng.chance(0.2)) doc += comment(rng);
  const roots = 1 + (rng.chance(0.2) ? 1 : 0);
  for (let i = 0; i < roots; i++) doc += element(rng, 0) + rng.pick(['', '\n', '\n\n']);
  if (rng.chance(0.2)) doc += comment(rng);
  return doc;
}

const FIELDS = ['session-identifier', 'status', 'policy', 'timeout', 'logical-system', 'flow-information', 'duration'];
const WING = ['direction', 'source-address', 'source-port', 'protocol', 'interface-name', 'pkt-cnt', 'byte-cnt'];

function leaf(rng: Rng, name: string, indent: string): string {
  const k = rng.int(20);
  if (k === 0) return `${indent}<${name}/>\n`;
  if (k === 1) return `${indent}<${name}></${name}>\n`;
  const value = k === 2 ? rng.pick(TEXT_ENTITIES) : k === 3 ? rng.pick(WORDS) : String(rng.int(100000));
  return `${indent}<${name}>${value}</${name}>\n`;
}

/**
 * Pretty-printed records repeated with small variations, as Junos sends them: most
 * records the same shape (so the tokenizer's remembered names, spans and attributes are
 * used), now and then a field missing, another indentation or attribute value, a comment.
 */
export function repetitiveDocument(rng: Rng): string {
  let doc = '<rpc-reply xmlns:junos="j">\n<flow-session-information xmlns="x">\n';
  const records = 3 + rng.int(25);
  for (let r = 0; r < records; r++) {
    const i0 = rng.chance(0.9) ? '    ' : rng.pick(['  ', '\t', '     ', '']);
    const i1 = i0 + (rng.chance(0.95) ? '    ' : '   ');
    const style = rng.chance(0.9) ? 'brief' : rng.pick(['detail', 'b&amp;r', "x'y"]);
    doc += `${i0}<flow-session junos:style="${style}"${rng.chance(0.05) ? ' n="1"' : ''}>\n`;
    for (const f of FIELDS) {
      if (rng.chance(0.05)) continue;
      if (f !== 'flow-information') {
        doc += leaf(rng, f, i1);
        continue;
      }
      doc += `${i1}<flow-information junos:style="brief">\n`;
      for (const w of WING) if (!rng.chance(0.04)) doc += leaf(rng, w, i1 + '    ');
      doc += `${i1}</flow-information>\n`;
    }
    doc += `${i0}</flow-session>\n`;
    if (rng.chance(0.1)) doc += '<!-- keep alive -->\n';
  }
  return doc + '    <displayed-session-count>1</displayed-session-count>\n</flow-session-information>\n</rpc-reply>\n';
}
