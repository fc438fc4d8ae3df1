import type { ChalkInstance } from 'chalk';
import type { RunEvent } from '../engine/events.ts';
import { recapOf, type HostResult, type RunResult } from '../engine/results.ts';
import { ExitCode } from './exit-codes.ts';
import { listrRenderer } from './render/listr.ts';
import { plainRenderer } from './render/plain.ts';
import type { ProgressRenderer } from './render/renderer.ts';
import type { Verbosity } from './render/results.ts';

/** listr2's live view on a terminal (for fleets a screen can show), plain lines otherwise. */
export function progressRenderer(hosts: readonly string[], forks: number, verbosity: Verbosity, style: ChalkInstance): ProgressRenderer {
  const live = process.stdout.isTTY === true && !process.env.CI && verbosity > 0 && hosts.length <= 50;
  return live ? listrRenderer(hosts, forks) : plainRenderer(process.stdout, verbosity, style);
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
