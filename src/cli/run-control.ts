import type { ChalkInstance } from 'chalk';
import type { RunEvent } from '../engine/events.ts';
import { recapOf, type HostResult, type RunResult } from '../engine/results.ts';
import { ExitCode } from './exit-codes.ts';
import { listrRenderer } from './render/listr.ts';
import { plainRenderer } from './render/plain.ts';
import type { ProgressRenderer } from './render/renderer.ts';
import type { Verbosity } from './render/results.ts';
import { summaryRenderer } from './render/summary.ts';

/** Above this many hosts, one live line per host no longer fits a screen: the summary view is used. */
export const LISTR_MAX_HOSTS = 50;

export type RendererKind = 'listr' | 'summary' | 'plain';

/**
 * Which view a run gets. A live view needs a terminal, no CI, and something to show
 * (verbosity above 0): listr2's line per host for fleets a screen can show, the
 * two-line summary above that. Plain lines otherwise.
 */
export function rendererKind(where: { tty: boolean; ci: boolean; verbosity: Verbosity; hosts: number }): RendererKind {
  if (!where.tty || where.ci || where.verbosity === 0) return 'plain';
  return where.hosts <= LISTR_MAX_HOSTS ? 'listr' : 'summary';
}

export function progressRenderer(hosts: readonly string[], forks: number, verbosity: Verbosity, style: ChalkInstance): ProgressRenderer {
  const out = process.stdout;
  switch (rendererKind({ tty: out.isTTY === true, ci: Boolean(process.env.CI), verbosity, hosts: hosts.length })) {
    case 'listr':
      return listrRenderer(hosts, forks);
    case 'summary':
      return summaryRenderer(out, hosts, style);
    case 'plain':
      return plainRenderer(out, verbosity, style);
  }
}

/**
 * Ctrl-C and SIGTERM during a run. The first: no new host starts, hosts in flight finish
 * (the engine sees `signal`). The second: stop at once, after `onStop` has written what
 * is known (the hosts finished so far, seen through `observe`).
 */
export class RunControl {
  readonly startedAt = new Date().toISOString();
  private readonly done: HostResult[] = [];
  private readonly abort = new AbortController();
  private readonly onSignal = () => this.interrupted();

  constructor(
    private readonly playbook: { readonly file: string; readonly name: string; readonly sha256: string },
    private readonly targets: readonly string[],
    private readonly onStop: (partial: RunResult) => void | Promise<void>,
  ) {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  observe(e: RunEvent): void {
    if (e.type === 'host-done') this.done.push(e.result);
  }

  dispose(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }

  /** What is known when a run stops at once: hosts done, and the rest not finished. */
  partial(): RunResult {
    const finished = new Set(this.done.map((h) => h.host));
    return {
      playbook: { file: this.playbook.file, name: this.playbook.name, sha256: this.playbook.sha256 },
      dryRun: this.done.every((h) => h.dryRun),
      startedAt: this.startedAt,
      finishedAt: new Date().toISOString(),
      interrupted: true,
      hosts: [...this.done],
      notRun: this.targets.filter((t) => !finished.has(t)),
      recap: recapOf(this.done),
    };
  }

  private interrupted(): void {
    if (this.abort.signal.aborted) {
      void Promise.resolve(this.onStop(this.partial())).finally(() => process.exit(ExitCode.Interrupted));
      return;
    }
    process.stderr.write('\nrunbook: interrupted: finishing hosts in flight, starting no more (Ctrl-C again to stop now)\n');
    this.abort.abort();
  }
}
