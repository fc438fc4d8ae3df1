import type { RunIds } from '../contracts/run-ids.ts';
import { InvalidArgumentError, type Command } from 'commander';
import type { StreamedRun } from '../contracts/results.ts';
import type { Playbook } from '../playbook/types.ts';
import { writeHtmlReport } from '../report/fleet-files.ts';
import { writeFileAtomic } from '../report/atomic-write.ts';
import { viewOfRun } from '../report/fleet-view.ts';
import { UsageError } from './errors.ts';
import { collect } from './option-parsers.ts';
import { notificationBody, NotifyTargetError, parseNotifyTarget, redactUrl, runSummary, sendNotification, type NotifyTarget, type NotifyWhen } from '../report/notify.ts';

/** The end-of-run outputs apply and plan share: options as commander parses them. */
export interface RunOutputOptions {
  html?: string;
  metricsFile?: string;
  /** --notify targets, checked when the command line is parsed; `on` comes from --notify-on. */
  notify: NotifyTarget[];
  notifyOn: NotifyWhen;
  /** The playbook's own `notify:` targets, resolved by playbookNotifyTargets before the run. */
  playbookNotify?: readonly NotifyTarget[];
  /** The run's id and ticket: in the HTML report's header and every notification. */
  ids?: RunIds;
}

/** Adds the end-of-run output options to a command. */
export function addRunOutputOptions(command: Command): Command {
  return command
    .option('--html <file>', 'also write a self-contained HTML report with charts (no network access when opened)')
    .option('--metrics-file <file>', "write Prometheus metrics of the run (node_exporter's textfile collector format, e.g. /var/lib/prometheus/node-exporter/runbook.prom), atomically")
    .option('--notify <url>', 'POST a JSON summary of the run here at its end; slack+https://… or teams+https://… for a Slack or Teams body; repeatable', collect, [])
    .option('--notify-on <when>', 'always, or failure: notify only when the exit code is not 0', notifyWhen, 'always')
    .hook('preAction', (_program, action) => checkNotifyTargets(action));
}

/**
 * The --notify URLs are checked before the action runs, so a bad one is bad input (exit 2)
 * before anything is contacted. Not in commander's argument parser: its error repeats the
 * value, and a webhook URL carries its token.
 */
function checkNotifyTargets(command: Command): void {
  const raw = command.getOptionValue('notify') as string[];
  try {
    command.setOptionValue('notify', raw.map((spec) => parseNotifyTarget(spec)));
  } catch (err) {
    if (err instanceof NotifyTargetError) throw new UsageError(`--notify ${err.message}`);
    throw err;
  }
}

/**
 * The playbook's `notify:` targets with their URLs read from the environment, before the
 * run: an unset variable or a bad URL is bad input (exit 2), and nothing is contacted.
 */
export function playbookNotifyTargets(playbook: Playbook, env: NodeJS.ProcessEnv = process.env): NotifyTarget[] {
  return playbook.notify.map((n, i) => {
    const where = `${playbook.file}: notify[${i}]`;
    const url = n.url ?? env[n.urlEnv!];
    if (url === undefined || url === '') throw new UsageError(`${where}.url_env: the environment variable ${n.urlEnv} is not set`);
    try {
      return parseNotifyTarget(url, n.on, n.format);
    } catch (err) {
      if (err instanceof NotifyTargetError) throw new UsageError(`${where}: ${err.message}`);
      throw err;
    }
  });
}

function notifyWhen(value: string): NotifyWhen {
  if (value !== 'always' && value !== 'failure') throw new InvalidArgumentError(`must be always or failure, not '${value}'`);
  return value;
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
export async function writeRunOutputs(run: StreamedRun, exitCode: number, opts: RunOutputOptions, out: OutputSink): Promise<void> {
  // Built once for both (it reads every host's result back from the run's spool).
  const view = opts.html || opts.metricsFile ? viewOfRun(run, opts.ids) : undefined;
  if (opts.html && view) {
    await writeHtmlReport(opts.html, view);
    out.say(`HTML report written to ${opts.html}`);
  }
  if (opts.metricsFile) {
    try {
      // prom-client is loaded only for the runs that write metrics.
      const { runMetrics } = await import('../report/metrics.ts');
      // Written whole: node_exporter's textfile collector never sees half a file.
      writeFileAtomic(opts.metricsFile, await runMetrics(run, exitCode, view));
    } catch (err) {
      out.warn(`runbook: warning: metrics not written to ${opts.metricsFile}: ${(err as Error).message}`);
    }
  }
  await notify(run, exitCode, [...opts.notify.map((t) => ({ ...t, on: opts.notifyOn })), ...(opts.playbookNotify ?? [])], out, opts.ids);
}

/** Every target at once; each one's failure is a warning naming the endpoint without its token. */
async function notify(run: StreamedRun, exitCode: number, targets: readonly NotifyTarget[], out: OutputSink, ids: RunIds | undefined): Promise<void> {
  const due = targets.filter((t) => t.on === 'always' || exitCode !== 0);
  if (due.length === 0) return;
  const summary = runSummary(run, exitCode, ids);
  await Promise.all(
    due.map(async (t) => {
      const result = await sendNotification(t, notificationBody(summary, t.format));
      if (!result.delivered) out.warn(`runbook: warning: notification to ${redactUrl(t.url)} not delivered after ${result.attempts} attempts: ${result.reason}`);
    }),
  );
}
