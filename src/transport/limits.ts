/**
 * The bounds a session puts on what a device may send, and the deadlines on how long it
 * may take. A device that never stops talking (an endless hello, records without end, one
 * huge text node) fails its host with a LimitError naming the bound and how to raise it,
 * instead of growing the process until the machine runs out of memory.
 *
 * Defaults fit the 1M-session target: a reply listing 1M flow sessions is ~2.7 GB and
 * 1M records, well inside the default bytes and records per reply.
 */

import { DEFAULT_XML_LIMITS, XmlLimitError, type XmlLimits } from '../xml/limits.ts';

/** Every bound a session enforces, all optional (defaults below). */
export interface SessionLimits {
  /** Bytes of the server's `<hello>`. */
  readonly maxHelloBytes?: number;
  /** Bytes of one reply. */
  readonly maxReplyBytes?: number;
  /** Records (elements a collect step selects) in one reply. */
  readonly maxRecords?: number;
  /** Element nesting depth of a reply. */
  readonly maxDepth?: number;
  /** Bytes of one text node the reader keeps. */
  readonly maxTextBytes?: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const LIMIT_DEFAULTS: Required<SessionLimits> = {
  maxHelloBytes: 1 * MiB,
  maxReplyBytes: 8 * GiB,
  // The XML reader's own defaults: Junos replies nest fewer than 20 deep; a configuration as text is a few MiB.
  maxRecords: DEFAULT_XML_LIMITS.maxItems,
  maxDepth: DEFAULT_XML_LIMITS.maxDepth,
  maxTextBytes: DEFAULT_XML_LIMITS.maxTextBytes,
};

/** Where each bound (and deadline) is set: the command-line flag and the inventory variable. */
export const LIMIT_SETTINGS = {
  maxHelloBytes: { flag: '--max-hello-bytes', variable: 'runbook_max_hello_bytes' },
  maxReplyBytes: { flag: '--max-reply-bytes', variable: 'runbook_max_reply_bytes' },
  maxRecords: { flag: '--max-records', variable: 'runbook_max_records' },
  maxDepth: { flag: '--max-depth', variable: 'runbook_max_depth' },
  maxTextBytes: { flag: '--max-text-bytes', variable: 'runbook_max_text_bytes' },
} as const satisfies Record<keyof SessionLimits, { flag: string; variable: string }>;

/** A bound was exceeded; `message` says which, its value, and how to raise it. */
export class LimitError extends Error {
  override readonly name = 'LimitError';
  constructor(
    readonly limit: keyof SessionLimits,
    readonly value: number,
    what: string,
  ) {
    const s = LIMIT_SETTINGS[limit];
    super(`${what} exceeds the limit of ${formatLimit(limit, value)} (raise it with ${s.flag} or ${s.variable})`);
  }
}

/** The session's bounds with defaults filled in. */
export function limitsOf(given: SessionLimits): Required<SessionLimits> {
  return {
    maxHelloBytes: given.maxHelloBytes ?? LIMIT_DEFAULTS.maxHelloBytes,
    maxReplyBytes: given.maxReplyBytes ?? LIMIT_DEFAULTS.maxReplyBytes,
    maxRecords: given.maxRecords ?? LIMIT_DEFAULTS.maxRecords,
    maxDepth: given.maxDepth ?? LIMIT_DEFAULTS.maxDepth,
    maxTextBytes: given.maxTextBytes ?? LIMIT_DEFAULTS.maxTextBytes,
  };
}

/**
 * What the XML reader of one reply enforces. Records are counted by ReplyReader, which
 * knows which selected elements are records (an `<rpc-error>` or `<ok/>` is not one).
 */
export function xmlLimitsOf(limits: Required<SessionLimits>): XmlLimits {
  return { maxDepth: limits.maxDepth, maxTextBytes: limits.maxTextBytes, maxItems: Infinity };
}

/**
 * A bound exceeded, as a LimitError: ours as it is, the XML reader's XmlLimitError with
 * the flag that raises it. Undefined for any other error.
 */
export function limitErrorOf(err: unknown): LimitError | undefined {
  if (err instanceof LimitError) return err;
  if (!(err instanceof XmlLimitError)) return undefined;
  const { limit, value } = err;
  switch (limit) {
    case 'maxDepth':
      return new LimitError('maxDepth', value, 'the element depth of the reply');
    case 'maxTextBytes':
      return new LimitError('maxTextBytes', value, 'a text node (or tag) in the reply');
    case 'maxItems':
      return new LimitError('maxRecords', value, 'the number of records in the reply');
  }
}

/** `8 GiB`, `1 MiB`, `5000000 records`, `128 levels`: a limit as a person reads it. */
export function formatLimit(limit: keyof SessionLimits, value: number): string {
  if (limit === 'maxRecords') return `${value} records`;
  if (limit === 'maxDepth') return `${value} levels`;
  return formatBytes(value);
}

export function formatBytes(n: number): string {
  for (const [unit, size] of [['GiB', GiB], ['MiB', MiB], ['KiB', 1024]] as const) {
    if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  }
  return `${n} bytes`;
}

const UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, kib: 1024, m: MiB, mib: MiB, g: GiB, gib: GiB };

/**
 * A byte count as written on the command line or in an inventory: a whole number, or
 * one with a binary unit (`512K`, `64MiB`, `8G`). Undefined when it is neither.
 */
export function parseByteSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) return undefined;
  const n = Number(m[1]) * unit;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
