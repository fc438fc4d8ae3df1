/**
 * Text helpers shared by the reply renderers. Replies are generators of small strings,
 * regrouped here into chunks of about 64 KB, so a 2.5 GB flow-session reply is never
 * one string and the server can wait for the socket between chunks.
 */

export const CHUNK_SIZE = 64 * 1024;

const SPECIAL = /[&<>"']/;

/** Escapes text and attribute values; the common case (nothing to escape) costs one test. */
export function esc(s: string): string {
  if (!SPECIAL.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** `<name>text</name>` with the text escaped. */
export function el(indent: string, name: string, text: string | number): string {
  return `${indent}<${name}>${typeof text === 'number' ? text : esc(text)}</${name}>\n`;
}

/** Regroups pieces into chunks of at least `size` characters (the last may be shorter). */
export function* chunked(pieces: Iterable<string>, size = CHUNK_SIZE): Generator<string> {
  let buf = '';
  for (const p of pieces) {
    buf += p;
    if (buf.length >= size) {
      yield buf;
      buf = '';
    }
  }
  if (buf.length > 0) yield buf;
}

/**
 * A reply body that can be read more than once (each read renders afresh from the
 * device's state at that moment), chunked.
 */
export function replyBody(render: () => Iterable<string>): Iterable<string> {
  return { [Symbol.iterator]: () => chunked(render())[Symbol.iterator]() };
}

/** Indentation for a nesting level: Junos pretty-prints with four spaces. */
export function ind(level: number): string {
  return '    '.repeat(level);
}
