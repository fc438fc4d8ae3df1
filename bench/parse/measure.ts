/**
 * One parser measurement in a process of its own, so its peak RSS is its own:
 * `node --import tsx bench/parse/measure.ts PARSER FILE`. Prints one BENCH-RESULT line.
 */
import { statSync } from 'node:fs';
import { reportResult } from '../lib/probe.ts';
import { PARSERS, type ParserName } from './parsers/names.ts';
import type { FileParser } from './parsers/types.ts';

const [name, file] = process.argv.slice(2);
if (!PARSERS.includes(name as ParserName) || !file) {
  process.stderr.write(`usage: measure.ts ${PARSERS.join('|')} FILE\n`);
  process.exit(2);
}
// Only the parser measured is loaded, so no other parser's modules count in the RSS.
const { parse } = (await import(`./parsers/${name}.ts`)) as { parse: FileParser };
const bytes = statSync(file).size;
const started = performance.now();
try {
  const outcome = await parse(file);
  reportResult({ ok: true, ms: performance.now() - started, bytes, ...outcome });
} catch (err) {
  reportResult({ ok: false, ms: performance.now() - started, bytes, error: (err as Error).message });
}
