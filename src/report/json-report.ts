import { rename, writeFile } from 'node:fs/promises';
import type { RunResult } from '../engine/results.ts';

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

/** Writes through a temporary file and a rename, so a reader never sees half a report. */
export async function writeReport(file: string, report: Report): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(report, null, 2) + '\n');
  await rename(tmp, file);
}
