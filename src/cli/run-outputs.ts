import type { Command } from 'commander';
import type { RunResult } from '../engine/results.ts';
import { writeFileAtomically, writeHtmlReport } from '../report/fleet-files.ts';
import { viewOfRun } from '../report/fleet-view.ts';
import { runMetrics } from '../report/metrics.ts';

/** The end-of-run outputs apply and plan share: options as commander parses them. */
export interface RunOutputOptions {
  html?: string;
  metricsFile?: string;
}

/** Adds the end-of-run output options to a command. */
export function addRunOutputOptions(command: Command): Command {
  return command
    .option('--html <file>', 'also write a self-contained HTML report with charts (no network access when opened)')
    .option('--metrics-file <file>', "write Prometheus metrics of the run (node_exporter's textfile collector format, e.g. /var/lib/prometheus/node-exporter/runbook.prom), atomically");
}

/** Where the outputs say what they did: a line for the user, a warning on stderr. */
export interface OutputSink {
  say(line: string): void;
  warn(line: string): void;
}

/**
 * Writes the end-of-run outputs, once the run's result and exit code are known and after
 * the JSON report. They never change the exit code: monitoring that cannot be written is
 * a warning, the run itself happened as the report says.
 */
export async function writeRunOutputs(run: RunResult, exitCode: number, opts: RunOutputOptions, out: OutputSink): Promise<void> {
  if (opts.html) {
    await writeHtmlReport(opts.html, viewOfRun(run));
    out.say(`HTML report written to ${opts.html}`);
  }
  if (opts.metricsFile) {
    try {
      await writeFileAtomically(opts.metricsFile, await runMetrics(run, exitCode));
    } catch (err) {
      out.warn(`runbook: warning: metrics not written to ${opts.metricsFile}: ${(err as Error).message}`);
    }
  }
}
