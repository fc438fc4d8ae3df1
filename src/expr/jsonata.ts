import { createRequire } from 'node:module';
import type Jsonata from 'jsonata';

/**
 * jsonata, required rather than imported: it is one 200 KB CommonJS file, and an import
 * from ESM first has Node scan all of it for export names (measured: 60–90 ms more per
 * start, a fifth of `runbook validate`'s CPU time).
 */
export const jsonata = createRequire(import.meta.url)('jsonata') as typeof Jsonata;
