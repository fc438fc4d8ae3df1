import type { ChalkInstance } from 'chalk';
import type { RunEvent } from '../../engine/events.ts';
import type { ProgressRenderer } from './renderer.ts';
import type { Verbosity } from './results.ts';
import { statusColour } from './results.ts';

/** One line per event that matters, prefixed with the host: readable in CI logs. */
export function plainRenderer(out: NodeJS.WritableStream, verbosity: Verbosity, style: ChalkInstance): ProgressRenderer {
  const write = (line: string) => out.write(line + '\n');
  let totalHosts = 0;
  return {
    sink(e: RunEvent) {
      switch (e.type) {
        case 'run-start':
          totalHosts = e.hosts.length;
          if (verbosity >= 1) write(`${e.dryRun ? 'DRY RUN: ' : ''}${e.hosts.length} hosts, ${e.forks} at a time`);
          return;
        case 'batch-start':
          if (verbosity >= 1 && e.hosts.length < totalHosts) write(`batch ${e.index}: ${e.hosts.join(', ')}`);
          return;
        case 'run-stopped':
          write(style.red(`STOPPED after batch ${e.afterBatch}: ${e.reason}`));
          return;
        case 'step-start':
          if (verbosity >= 2) write(`${e.host} | ${e.phase}: ${e.step}`);
          return;
        case 'progress':
          if (verbosity >= 2) write(`${e.host} | ${e.step}: ${e.count} records so far`);
          return;
        case 'host-done':
          if (verbosity >= 1) {
            const r = e.result;
            const detail = r.status === 'skipped' ? `: ${r.reason}` : r.error ? `: ${r.error.message}` : '';
            write(`${r.host} | ${statusColour(style, r.status)(r.status)}${detail} (${(r.ms / 1000).toFixed(1)} s)`);
          }
          return;
        default:
          return;
      }
    },
    end: async () => undefined,
  };
}
