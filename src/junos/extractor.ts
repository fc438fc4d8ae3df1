import type { ElementHandler } from '../xml/element-stream.ts';
import { parseString } from '../xml/element-stream.ts';

/**
 * Reads one kind of Junos reply as it streams by. An extractor is made fresh for each
 * reply, sees only the elements it selects (see ElementHandler) and returns plain data.
 * `<rpc-error>` elements are taken by the transport before an extractor sees them.
 */
export interface Extractor<T> extends ElementHandler {
  result(): T;
}

/** Runs an extractor over a whole string: fixtures, small replies. */
export function extractString<T>(extractor: Extractor<T>, xml: string): T {
  parseString(extractor, xml);
  return extractor.result();
}
