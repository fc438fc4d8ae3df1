import type { Command } from 'commander';
import type { RunResult } from '../engine/results.ts';
import { writeHtmlReport } from '../report/fleet-files.ts';
import { viewOfRun } from '../report/fleet-view.ts';

/** The end-of-run outputs apply and plan share: options as commander parses them. */
export interface RunOutputOptions {
  html?: string;
}

/** Adds the end-of-run output options to a command. */
export function addRunOutputOptions(command: Command): Command {
  return command.option('--html <file>', 'also write a self-contained HTML report with charts (no network access when opened)');
}

/**
 * Writes the end-of-run outputs. Called once the run's result is known, after the
 * JSON report; the exit code is the run's and these never change it.
 */
export async function writeRunOutputs(run: RunResult, opts: RunOutputOptions, say: (line: string) => void): Promise<void> {
  if (opts.html) {
    await writeHtmlReport(opts.html, viewOfRun(run));
    say(`HTML report written to ${opts.html}`);
  }
}
