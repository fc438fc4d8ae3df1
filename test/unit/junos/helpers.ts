import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseString } from '../../../src/xml/element-stream.ts';
import type { Extractor } from '../../../src/junos/extractor.ts';
import { JUNOS_FIXTURES } from '../../helpers/fixtures.ts';

/** The captured Junos replies (test/fixtures/junos, see SOURCES.md there). */
export const FIXTURES = JUNOS_FIXTURES;

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** Runs a fresh extractor over xml fed in chunks of `chunk` characters. */
export function run<T>(make: () => Extractor<T>, xml: string, chunk?: number): T {
  const extractor = make();
  parseString(extractor, xml, chunk);
  return extractor.result();
}

/**
 * Runs a fixture whole and again in 7-character chunks (element names, entities and
 * text all split across writes) and insists both give the same data.
 */
export function runFixture<T>(make: () => Extractor<T>, name: string): T {
  return runBoth(make, fixture(name));
}

export function runBoth<T>(make: () => Extractor<T>, xml: string): T {
  const whole = run(make, xml);
  assert.deepStrictEqual(run(make, xml, 7), whole, 'same result when fed in 7-character chunks');
  return whole;
}
