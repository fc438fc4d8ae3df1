import type { ChalkInstance } from 'chalk';
import type { HostResult, HostStatus, StreamedRun } from '../../contracts/results.ts';
import { LISTR_MAX_HOSTS } from '../run-control.ts';
import { failureText, hostResultLines, statusColour, type Verbosity } from './results.ts';

/** Where the whole story of a run can be read, when the terminal shows only part of it. */
export interface FullReportFiles {
  readonly report?: string;
  readonly html?: string;
}

/**
 * What apply prints between the progress and the recap. Up to LISTR_MAX_HOSTS hosts (the
 * live view's limit), or with -v: each host's block. Above it, a thousand blocks would
 * scroll every failure away, so a compact table of the hosts that changed, failed or were
 * unreachable takes their place, with a pointer to the full report.
 */
export function* hostSectionLines(run: StreamedRun, verbosity: Verbosity, style: ChalkInstance, files: FullReportFiles): Generator<string> {
  if (verbosity >= 2 || run.hosts.length <= LISTR_MAX_HOSTS) {
    // A host's block at a time, read from the run's spool: -v over 20,000 hosts never holds them all.
    for (const h of run.hosts) yield* [...hostResultLines(h, verbosity, style), ''];
    return;
  }
  yield* [...fleetTableLines(run, style), pointerLine(files), ''];
}

/** One line per host that changed, failed or was unreachable: name, status, statements, and what happened. */
export function fleetTableLines(run: StreamedRun, style: ChalkInstance): string[] {
  // Only the rows are kept of the hosts shown, not their results.
  const shown: { host: string; status: HostStatus; planned: number; sent: number; detail: string }[] = [];
  for (const h of run.hosts) {
    if (h.status === 'changed' || h.status === 'failed' || h.status === 'unreachable') {
      shown.push({ host: h.host, status: h.status, planned: h.plan.length, sent: h.actions.filter((a) => a.status === 'sent').length, detail: detail(h) });
    }
  }
  const quiet = run.hosts.length - shown.length;
  const head = `${shown.length} of ${run.hosts.length} hosts changed${run.dryRun ? ' (would change)' : ''}, failed or were unreachable${quiet > 0 ? `; ${quiet} ok or skipped not listed` : ''}`;
  if (shown.length === 0) return [style.bold(head)];
  const width = Math.max(4, ...shown.map((h) => h.host.length));
  const lines = [style.bold(head), style.dim(`${'host'.padEnd(width)}  ${'status'.padEnd(11)}  ${'stmts'.padStart(5)}  ${'sent'.padStart(4)}  detail`)];
  for (const h of shown) {
    lines.push(`${h.host.padEnd(width)}  ${statusColour(style, h.status)(h.status.padEnd(11))}  ${String(h.planned).padStart(5)}  ${String(h.sent).padStart(4)}  ${h.detail}`);
  }
  return lines;
}

function detail(h: HostResult): string {
  if (h.error) return `${h.error.step ? `${h.error.step}: ` : ''}${failureText(h.host, h.error)}`;
  const failed = h.actions.filter((a) => a.status === 'failed').length;
  if (failed > 0) return `${failed} ${failed === 1 ? 'statement' : 'statements'} failed`;
  if (h.config && h.config.result !== 'unchanged') return `configuration ${h.config.result}`;
  return '';
}

function pointerLine(files: FullReportFiles): string {
  const where = [files.html, files.report].filter((f): f is string => f !== undefined);
  return where.length > 0
    ? `Every host's statements, evidence and log: ${where.join(' and ')} (-v prints them here).`
    : 'Every host\'s statements, evidence and log: add --html FILE or --report FILE, or -v to print them here.';
}
