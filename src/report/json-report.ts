import { randomUUID } from 'node:crypto';
import type { HostResult, HostResults, RunResult } from '../contracts/results.ts';
import type { RunIds } from '../contracts/run-ids.ts';
import { writeFileAtomicParts } from './atomic-write.ts';

export const REPORT_FORMAT = 'runbook-report/1';

/** The JSON report: the run result with what produced it. Described by schemas/report.schema.json. */
export interface Report<H extends HostResults = readonly HostResult[]> {
  readonly format: typeof REPORT_FORMAT;
  readonly tool: { readonly name: 'runbook'; readonly version: string };
  /** The run's id: the same in the commit comments, audit lines and syslog lines it left. */
  readonly runId?: string;
  /** The change ticket the run was made under. */
  readonly ticket?: string;
  readonly inventory: readonly string[];
  readonly limit?: string;
  readonly run: RunResult<H>;
}

export function buildReport<H extends HostResults>(run: RunResult<H>, meta: { version: string; ids?: RunIds; inventory: readonly string[]; limit?: string }): Report<H> {
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
export function writeReport(file: string, report: Report<HostResults>): void {
  writeFileAtomicParts(file, reportText(report));
}


/**
 * The report as `JSON.stringify(report, null, 2)` would write it, byte for byte, made a
 * host at a time: the hosts' results are read (from the spool) and written one by one, so
 * the whole report is never one string in memory.
 */
export function* reportText(report: Report<HostResults>): Generator<string> {
  // Stands for the hosts until each host's result is written in its place; no other value of the report can hold it.
  const HOSTS_HERE = `\u0000hosts ${randomUUID()}\u0000`;
  const text = JSON.stringify({ ...report, run: { ...report.run, hosts: HOSTS_HERE } }, null, 2) + '\n';
  const marker = JSON.stringify(HOSTS_HERE);
  const cut = text.indexOf(marker);
  yield text.slice(0, cut);
  // The hosts array sits at depth 2 (report → run → hosts): its items are indented 6 spaces, its closing bracket 4.
  let first = true;
  for (const host of report.run.hosts) {
    yield (first ? '[\n      ' : ',\n      ') + JSON.stringify(host, null, 2).replace(/\n/g, '\n      ');
    first = false;
  }
  yield first ? '[]' : '\n    ]';
  yield text.slice(cut + marker.length);
}
