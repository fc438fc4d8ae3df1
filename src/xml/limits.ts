/**
 * Bounds on what one XML document may make the reader hold. A reply is read as it
 * arrives and never held whole, but a hostile or broken device could still send one
 * endless tag, one endless text node, elements nested a million deep or records without
 * end; each limit turns that into an XmlLimitError instead of memory growing until the
 * process dies. Lengths are counted in characters (UTF-16 code units, what a JavaScript
 * string holds): bytes for the ASCII Junos sends.
 */
export interface XmlLimits {
  /**
   * The most elements open at once (the root is depth 1). Code that walks a built tree
   * recursively (collectNested in the reply reader, the junos readers) relies on it.
   */
  readonly maxDepth?: number;
  /**
   * The longest run of character data between two tags (text and CDATA, also the text an
   * element built for a handler gathers), and the longest tag or processing instruction
   * (an unterminated one fails once it is this long, rather than being buffered).
   */
  readonly maxTextBytes?: number;
  /** The most selected elements (records, items) an XmlElementStream hands over in one document. */
  readonly maxItems?: number;
}

/**
 * The defaults: far above any real Junos reply, small enough that a reply cannot take
 * the process down. Replies nest fewer than 20 elements deep; the largest text a reply
 * carries is a configuration as text, a few MiB on a big SRX; the largest reply we plan
 * for holds a million flow sessions.
 */
export const DEFAULT_XML_LIMITS: Required<XmlLimits> = Object.freeze({
  maxDepth: 256,
  maxTextBytes: 16 * 1024 * 1024,
  maxItems: 5_000_000,
});

/** One limit of XmlLimits was exceeded; the message names it and its value. */
export class XmlLimitError extends Error {
  override readonly name = 'XmlLimitError';
  constructor(
    readonly limit: keyof XmlLimits,
    readonly value: number,
    /** What went over the limit, e.g. "an element nested deeper". */
    what: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(`XML limit ${limit} (${value}) exceeded by ${what}${line === undefined ? '' : ` (line ${line}, column ${column})`}`);
  }
}

/** The limits to apply: each one given, or its default. Infinity turns a limit off. */
export function resolveXmlLimits(limits: XmlLimits = {}): Required<XmlLimits> {
  const resolved = { ...DEFAULT_XML_LIMITS };
  for (const key of Object.keys(DEFAULT_XML_LIMITS) as (keyof XmlLimits)[]) {
    const value = limits[key];
    if (value === undefined) continue;
    if (!(value === Infinity || (Number.isSafeInteger(value) && value > 0))) throw new RangeError(`XML limit ${key} must be a positive integer or Infinity, not ${value}`);
    resolved[key] = value;
  }
  return resolved;
}
