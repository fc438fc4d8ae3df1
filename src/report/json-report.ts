import type { RunResult } from '../contracts/results.ts';
import type { RunIds } from '../contracts/run-ids.ts';
import { writeFileAtomic } from './atomic-write.ts';

export const REPORT_FORMAT = 'runbook-report/1';

/** The JSON report: the run result with what produced it. Described by schemas/report.schema.json. */
export interface Report {
  readonly format: typeof REPORT_FORMAT;
  readonly tool: { readonly name: 'runbook'; readonly version: string };
  /** The run's id: the same in the commit comments, audit lines and syslog lines it left. */
  readonly runId?: string;
  /** The change ticket the run was made under. */
  readonly ticket?: string;
  readonly inventory: readonly string[];
  readonly limit?: string;
  readonly run: RunResult;
}

export function buildReport(run: RunResult, meta: { version: string; ids?: RunIds; inventory: readonly string[]; limit?: string }): Report {
  return {
    format: REPORT_FORMAT,
    tool: { name: 'runbook', version: meta.version },
    ...(meta.ids ? { runId: meta.ids.runId, ...(meta.ids.ticket !== undefined ? { ticket: meta.ids.ticket } : {}) } : {}),
    inventory: meta.inventory,
    ...(meta.limit !== undefined ? { limit: meta.limit } : {}),
    run,
  };
}

/** Writes atomically (see writeFileAtomic): a reader, or a kill, never sees half a report, and the last one stays until the new one is whole. */
export function writeReport(file: string, report: Report): void {
  writeFileAtomic(file, JSON.stringify(report, null, 2) + '\n');
}
