import type { ChalkInstance } from 'chalk';
import type { RunEvent } from '../../engine/events.ts';
import type { ProgressRenderer } from './renderer.ts';
import type { Verbosity } from './results.ts';
import { statusColour } from './results.ts';
import { visible } from '../../plan/visible.ts';

/** One line per event that matters, prefixed with the host: readable in CI logs. */
export function plainRenderer(out: NodeJS.WritableStream, verbosity: Verbosity, style: ChalkInstance): ProgressRenderer {
  const write = (line: string) => out.write(line + '\n');
  let totalHosts = 0;
  return {
    sink(e: RunEvent) {
      switch (e.type) {
        case 'run-start':
          totalHosts = e.hosts.length;
          if (verbosity >= 1) write(`${e.dryRun ? 'DRY RUN: ' : ''}${e.hosts.length} ${e.hosts.length === 1 ? 'host' : 'hosts'}, ${e.forks} at a time`);
          return;
        case 'batch-start':
          if (verbosity >= 1 && e.hosts.length < totalHosts) write(`batch ${e.index}: ${e.hosts.map(visible).join(', ')}`);
          return;
        case 'run-stopped':
          write(style.red(`STOPPED after batch ${e.afterBatch}: ${visible(e.reason)}`));
          return;
        case 'step-start':
          if (verbosity >= 2) write(`${visible(e.host)} | ${e.phase}: ${visible(e.step)}`);
          return;
        case 'progress':
          if (verbosity >= 2) write(`${visible(e.host)} | ${visible(e.step)}: ${e.count} records so far`);
          return;
        case 'host-done':
          if (verbosity >= 1) {
            const r = e.result;
            // A failure is told in the host's results and the recap; here only where it happened.
            const detail = r.status === 'skipped' ? `: ${visible(r.reason ?? '')}` : r.error ? ` in ${r.error.phase}` : '';
            write(`${visible(r.host)} | ${statusColour(style, r.status)(r.status)}${detail} (${(r.ms / 1000).toFixed(1)} s)`);
          }
          return;
        default:
          return;
      }
    },
    end: async () => undefined,
  };
}
