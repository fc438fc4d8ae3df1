import type { RunResult } from '../contracts/results.ts';
import { writeFileAtomic } from './atomic-write.ts';

export const REPORT_FORMAT = 'runbook-report/1';

/** The JSON report: the run result with what produced it. Described by schemas/report.schema.json. */
export interface Report {
  readonly format: typeof REPORT_FORMAT;
  readonly tool: { readonly name: 'runbook'; readonly version: string };
  readonly inventory: readonly string[];
  readonly limit?: string;
  readonly run: RunResult;
}

export function buildReport(run: RunResult, meta: { version: string; inventory: readonly string[]; limit?: string }): Report {
  return {
    format: REPORT_FORMAT,
    tool: { name: 'runbook', version: meta.version },
    inventory: meta.inventory,
    ...(meta.limit !== undefined ? { limit: meta.limit } : {}),
    run,
  };
}

/** Writes atomically (see writeFileAtomic): a reader, or a kill, never sees half a report, and the last one stays until the new one is whole. */
export function writeReport(file: string, report: Report): void {
  writeFileAtomic(file, JSON.stringify(report, null, 2) + '\n');
}
