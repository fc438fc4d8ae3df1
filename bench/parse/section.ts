import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runTsChild } from '../lib/child.ts';
import type { BenchRow } from '../lib/rows.ts';
import type { GeneratedReply, ReplySource } from './generate-reply.ts';
import { PARSERS, type ParserName } from './parsers/names.ts';

/** What each parser is called in the table, and its part. */
export const PARSER_LABELS: Readonly<Record<ParserName, { label: string; role: BenchRow['role'] }>> = {
  'byte-scan': { label: 'byte scan (floor)', role: 'floor' },
  saxes: { label: 'saxes (SAX, count only)', role: 'foil' },
  sax: { label: 'sax (xml2js tokenizer, count only)', role: 'foil' },
  xml2js: { label: 'xml2js (whole document)', role: 'foil' },
  runbook: { label: 'runbook collect path', role: 'runbook' },
};

interface MeasureResult {
  readonly ok: boolean;
  readonly ms: number;
  readonly bytes: number;
  readonly items?: number;
  readonly error?: string;
  readonly peakRssBytes?: number;
  readonly maxRssBytes: number;
}

export interface ParserSectionOptions {
  readonly sizes: readonly number[];
  readonly source: ReplySource;
  /** Temp dir for the reply files; each is deleted after its size is measured. */
  readonly dir: string;
  readonly parsers?: readonly ParserName[];
  readonly log?: (line: string) => void;
}

export interface ParserSection {
  readonly rows: BenchRow[];
  readonly replies: GeneratedReply[];
}

/** The second byte scan of a size, after every parser: how far the floor itself moved meanwhile. */
export const FLOOR_AGAIN = 'byte scan again (floor)';

/**
 * For each size: render the reply once to a file, then time every parser on it, each in
 * a fresh process so that its peak RSS is its own. The byte scan runs first and again
 * last: ratios are to the faster of the two (the floor is the least the machine needs;
 * noise only adds to it), and the table shows both and how far apart they are.
 */
export async function parserSection(opts: ParserSectionOptions): Promise<ParserSection> {
  const rows: BenchRow[] = [];
  const replies: GeneratedReply[] = [];
  const log = opts.log ?? (() => undefined);
  const parsers = opts.parsers ?? PARSERS;
  // The floor again at the end, when there was anything between.
  const order = parsers[0] === 'byte-scan' && parsers.length > 1 ? [...parsers, 'byte-scan' as const] : parsers;
  for (const sessions of opts.sizes) {
    const file = join(opts.dir, `reply-${sessions}.xml`);
    log(`parser: rendering a ${sessions}-session reply`);
    const reply = await generateReply(file, opts.source, sessions);
    replies.push(reply);
    const sized: BenchRow[] = [];
    try {
      for (const [i, parser] of order.entries()) {
        log(`parser: ${parser} on ${sessions} sessions (${(reply.bytes / 1e6).toFixed(0)} MB)`);
        const run = await runTsChild<MeasureResult>('bench/parse/measure.ts', [parser, file], { timeoutMs: 3_600_000 });
        const r = run.result;
        const { label, role } = PARSER_LABELS[parser];
        const base = { section: 'parser', size: sessions, subject: i > 0 && parser === 'byte-scan' ? FLOOR_AGAIN : label, role, bytes: reply.bytes } as const;
        if (!r?.ok) {
          sized.push({ ...base, ok: false, failure: r?.error ?? run.failure ?? 'no result', ...(r?.peakRssBytes ? { peakRssBytes: r.peakRssBytes } : {}) });
          continue;
        }
        sized.push({
          ...base,
          ok: true,
          ms: r.ms,
          mbps: r.bytes / 1e3 / r.ms,
          ...(r.peakRssBytes !== undefined ? { peakRssBytes: r.peakRssBytes } : {}),
          ...(r.items !== undefined ? { items: r.items } : {}),
        });
      }
    } finally {
      await rm(file, { force: true });
    }
    const floorMs = fastestFloor(sized);
    rows.push(...sized.map((r) => (r.ok && floorMs !== undefined ? { ...r, ratio: r.ms! / floorMs } : r)));
  }
  return { rows, replies };
}

/** The faster of a size's byte scans: what its ratios are to. */
export function fastestFloor(rows: readonly BenchRow[]): number | undefined {
  const floors = rows.filter((r) => r.role === 'floor' && r.ok && r.ms !== undefined).map((r) => r.ms!);
  return floors.length > 0 ? Math.min(...floors) : undefined;
}

/** Renders one reply file in a child process; also the lab's own rendering rate. */
export async function generateReply(file: string, source: ReplySource, sessions: number): Promise<GeneratedReply> {
  const run = await runTsChild<GeneratedReply & { ok: boolean }>(
    'bench/parse/generate.ts',
    [file, String(sessions), source.scenario, String(source.seed), ...(source.peers !== undefined ? [String(source.peers)] : [])],
    { timeoutMs: 3_600_000 },
  );
  if (!run.result?.ok) throw new Error(`rendering a ${sessions}-session reply failed: ${run.failure ?? 'no result'}`);
  return run.result;
}
