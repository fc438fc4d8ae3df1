import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO } from './lib/child.ts';

export const SECTIONS = ['parser', 'reply', 'fleet', 'foil', 'startup', 'queue'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  readonly quick: boolean;
  readonly sections: readonly Section[];
  readonly parserSizes: readonly number[];
  readonly replySizes: readonly number[];
  readonly fleetSizes: readonly number[];
  /** Queue section: devices per run (the local executor beside it up to 1000, the coordinator's memory above). */
  readonly queueSizes: readonly number[];
  /** Worker processes of the queue section. */
  readonly queueWorkers: number;
  readonly forks: number;
  /** Rounds of the startup section (each command once per round). */
  readonly startupRuns: number;
  /** Foil devices: small ones (the fleet's), busy ones (25k AH sessions each); 0 runs none. */
  readonly foilSmall: number;
  readonly foilBusy: number;
  /** Where the results go: an absolute path. */
  readonly out: string;
}

const FULL = { parser: [20_000, 100_000, 300_000, 1_000_000], reply: [20_000, 100_000, 300_000, 1_000_000], fleet: [10, 100, 1000, 5000], foil: [50, 10], queue: [1000, 5000] };
const QUICK = { parser: [20_000], reply: [20_000], fleet: [10], foil: [5, 0], queue: [20] };

export const USAGE = `npm run bench -- [--quick] [--only parser|reply|fleet|foil|startup|queue[,...]] [--forks N]
                   [--parser-sizes N,...] [--reply-sizes N,...] [--fleet-sizes N,...]
                   [--queue-sizes N,...] [--queue-workers N]
                   [--foil-small N] [--foil-busy N] [--startup-runs N] [--out FILE]`;

/**
 * Reads the bench's command line; throws with the usage on anything it does not know.
 * A relative --out is the user's: from the folder `npm run bench` was typed in (npm runs
 * the script from the package root and says where it was called in INIT_CWD).
 */
export function parseBenchArgs(argv: readonly string[], cwd: string = process.env.INIT_CWD ?? process.cwd()): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      forks: { type: 'string' },
      'parser-sizes': { type: 'string' },
      'reply-sizes': { type: 'string' },
      'fleet-sizes': { type: 'string' },
      'queue-sizes': { type: 'string' },
      'queue-workers': { type: 'string' },
      'startup-runs': { type: 'string' },
      'foil-small': { type: 'string' },
      'foil-busy': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new Error(USAGE);
  const sizes = values.quick ? QUICK : FULL;
  const sections = (values.only ?? []).flatMap((s) => s.split(',')).map((s) => s.trim());
  for (const s of sections) if (!SECTIONS.includes(s as Section)) throw new Error(`--only ${s}: expected one of ${SECTIONS.join(', ')}\n${USAGE}`);
  return {
    quick: values.quick,
    sections: sections.length > 0 ? (sections as Section[]) : [...SECTIONS],
    parserSizes: list(values['parser-sizes'], sizes.parser, '--parser-sizes'),
    replySizes: list(values['reply-sizes'], sizes.reply, '--reply-sizes'),
    fleetSizes: list(values['fleet-sizes'], sizes.fleet, '--fleet-sizes'),
    queueSizes: list(values['queue-sizes'], sizes.queue, '--queue-sizes'),
    queueWorkers: values['queue-workers'] === undefined ? 2 : positive(values['queue-workers'], '--queue-workers'),
    forks: values.forks === undefined ? 50 : positive(values.forks, '--forks'),
    startupRuns: values['startup-runs'] === undefined ? (values.quick ? 5 : 15) : positive(values['startup-runs'], '--startup-runs'),
    foilSmall: values['foil-small'] === undefined ? sizes.foil[0]! : count(values['foil-small'], '--foil-small'),
    foilBusy: values['foil-busy'] === undefined ? sizes.foil[1]! : count(values['foil-busy'], '--foil-busy'),
    out: values.out !== undefined ? (isAbsolute(values.out) ? values.out : resolve(cwd, values.out)) : join(REPO, values.quick ? 'bench/results/latest-quick.json' : 'bench/results/latest.json'),
  };
}

function list(text: string | undefined, fallback: readonly number[], flag: string): readonly number[] {
  if (text === undefined) return fallback;
  return text.split(',').map((t) => positive(t.trim().replace(/_/g, '').replace(/k$/i, '000').replace(/m$/i, '000000'), flag));
}

/** A device count, 0 allowed (none of that kind). */
function count(text: string, flag: string): number {
  return text.trim() === '0' ? 0 : positive(text.trim(), flag);
}

function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) throw new Error(`${flag}: '${text}' is not a positive whole number\n${USAGE}`);
  return n;
}
