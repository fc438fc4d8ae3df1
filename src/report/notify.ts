import type { StreamedRun } from '../contracts/results.ts';
import type { RunIds } from '../contracts/run-ids.ts';

/** The body a notification endpoint gets: runbook's own JSON, a Slack message, or a Teams (Adaptive Card) message. */
export type NotifyFormat = 'generic' | 'slack' | 'teams';

/** always: after every run; failure: only when the exit code is not 0. */
export type NotifyWhen = 'always' | 'failure';

export interface NotifyTarget {
  readonly url: string;
  readonly format: NotifyFormat;
  readonly on: NotifyWhen;
}

export const NOTIFICATION_FORMAT = 'runbook-notification/1';

/** A target URL that cannot be used; the message never repeats the URL's path or query (a webhook's token). */
export class NotifyTargetError extends Error {
  override readonly name = 'NotifyTargetError';
}

/**
 * `https://…` posts the generic body; `slack+https://…` and `teams+https://…` post the
 * Slack or Teams body to the https URL. Only http and https are accepted.
 */
export function parseNotifyTarget(spec: string, on: NotifyWhen = 'always', format?: NotifyFormat): NotifyTarget {
  const m = /^(?:(slack|teams)\+)?(https?:\/\/.+)$/i.exec(spec.trim());
  if (!m) throw new NotifyTargetError(`'${redactUrl(spec)}' is not an http(s) URL (slack+https://… and teams+https://… pick the Slack or Teams body)`);
  try {
    new URL(m[2]!);
  } catch {
    throw new NotifyTargetError(`'${redactUrl(spec)}' is not a valid URL`);
  }
  return { url: m[2]!, format: format ?? ((m[1]?.toLowerCase() as NotifyFormat | undefined) ?? 'generic'), on };
}

/** scheme://host/… : enough to say which endpoint, never its path or query, where webhooks keep their token. */
export function redactUrl(url: string): string {
  const m = /^([a-z+]+:\/\/[^/?#]+)(.*)$/i.exec(url);
  if (!m) return url.length > 12 ? `${url.slice(0, 8)}…` : url;
  return m[2] ? `${m[1]}/…` : m[1]!;
}

/**
 * The summary every body is made from: counts and the hosts that need a look, with their
 * error text. Nothing else of the run: no vars, no evidence, no inventory, so no secret
 * (credentials live in vars and the inventory) can reach a chat channel.
 */
export interface RunSummary {
  readonly format: typeof NOTIFICATION_FORMAT;
  readonly playbook: { readonly file: string; readonly name: string };
  /** The run's id and change ticket, as in its commit comments and audit lines. */
  readonly runId?: string;
  readonly ticket?: string;
  readonly outcome: 'success' | 'failure';
  readonly exitCode: number;
  readonly dryRun: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationSeconds: number;
  readonly recap: StreamedRun['recap'] & { readonly notRun: number };
  readonly statements: { readonly planned: number; readonly sent: number };
  /** Failed and unreachable hosts with the first line of their error, at most MAX_LISTED. */
  readonly failedHosts: readonly { readonly host: string; readonly status: string; readonly error: string }[];
  /** Hosts changed (in a dry run: would be), at most MAX_LISTED. */
  readonly changedHosts: readonly string[];
  /** How many hosts the lists above left out. */
  readonly unlisted: { readonly failed: number; readonly changed: number };
  readonly stopped?: string;
  readonly interrupted: boolean;
}

const MAX_LISTED = 20;

export function runSummary(run: StreamedRun, exitCode: number, ids?: RunIds): RunSummary {
  // One pass over the hosts' results (the run's spool), keeping counts and the first MAX_LISTED of each list.
  const failed: RunSummary['failedHosts'][number][] = [];
  const changed: string[] = [];
  const statements = { planned: 0, sent: 0 };
  let failedCount = 0;
  let changedCount = 0;
  for (const h of run.hosts) {
    statements.planned += h.plan.length;
    statements.sent += h.actions.filter((a) => a.status === 'sent').length;
    if (h.status === 'failed' || h.status === 'unreachable') {
      if (failedCount++ < MAX_LISTED) failed.push({ host: h.host, status: h.status, error: (h.error?.message ?? h.actions.find((a) => a.error)?.error?.message ?? '').split('\n')[0]! });
    } else if (h.status === 'changed' && changedCount++ < MAX_LISTED) changed.push(h.host);
  }
  return {
    format: NOTIFICATION_FORMAT,
    playbook: { file: run.playbook.file, name: run.playbook.name },
    ...(ids ? { runId: ids.runId, ...(ids.ticket !== undefined ? { ticket: ids.ticket } : {}) } : {}),
    outcome: exitCode === 0 ? 'success' : 'failure',
    exitCode,
    dryRun: run.dryRun,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationSeconds: (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000,
    recap: { ...run.recap, notRun: run.notRun.length },
    statements,
    failedHosts: failed,
    changedHosts: changed,
    unlisted: { failed: failedCount - failed.length, changed: changedCount - changed.length },
    ...(run.stopped ? { stopped: `stopped after batch ${run.stopped.afterBatch}: ${run.stopped.reason}` } : {}),
    interrupted: run.interrupted,
  };
}

export function notificationBody(summary: RunSummary, format: NotifyFormat): unknown {
  switch (format) {
    case 'generic':
      return summary;
    case 'slack':
      return slackBody(summary);
    case 'teams':
      return teamsBody(summary);
  }
}

function headline(s: RunSummary): string {
  const r = s.recap;
  const what = s.outcome === 'success' ? 'succeeded' : `ended with exit code ${s.exitCode}`;
  return `runbook: ${s.playbook.name} ${s.dryRun ? '(dry run) ' : ''}${what}: ok ${r.ok}, changed ${r.changed}, skipped ${r.skipped}, failed ${r.failed}, unreachable ${r.unreachable}${r.notRun ? `, not run ${r.notRun}` : ''}`;
}

function detailLines(s: RunSummary): string[] {
  const lines = [`statements planned ${s.statements.planned}, sent ${s.statements.sent}; ${s.durationSeconds.toFixed(1)} s`];
  if (s.runId !== undefined) lines.push(`run ${s.runId}${s.ticket !== undefined ? `, ticket ${s.ticket}` : ''}`);
  if (s.stopped) lines.push(s.stopped);
  for (const f of s.failedHosts) lines.push(`${f.host} ${f.status}: ${f.error}`);
  if (s.unlisted.failed > 0) lines.push(`and ${s.unlisted.failed} more failed or unreachable hosts`);
  return lines;
}

/**
 * Slack's incoming-webhook message: text only (a block's 3000-character limit would refuse
 * a long list of failures), with &, < and > escaped as Slack asks, so a device's error
 * text cannot become a link or a mention.
 */
function slackBody(s: RunSummary): unknown {
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return { text: `${s.outcome === 'success' ? ':white_check_mark:' : ':x:'} ${esc(headline(s))}\n${detailLines(s).map(esc).join('\n')}` };
}

/** A Teams message with an Adaptive Card, as Teams' Workflows ("post to a channel when a webhook request is received") take it. */
function teamsBody(s: RunSummary): unknown {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: headline(s), wrap: true, weight: 'Bolder', color: s.outcome === 'success' ? 'Good' : 'Attention' },
            ...detailLines(s).map((line) => ({ type: 'TextBlock', text: line, wrap: true, spacing: 'None' })),
          ],
        },
      },
    ],
  };
}

export interface SendOptions {
  /** Attempts in all (default 3). */
  readonly attempts?: number;
  /** Wait before the second attempt; doubled each time (default 1000 ms). */
  readonly backoffMs?: number;
  /** Longest wait for one answer (default 10 s). */
  readonly timeoutMs?: number;
}

/** How one notification ended: delivered, or the last attempt's reason. */
export type NotifyOutcome = { readonly delivered: true; readonly attempts: number } | { readonly delivered: false; readonly attempts: number; readonly reason: string };

/**
 * POSTs the body, retrying with exponential backoff on network errors, timeouts, 429 and
 * 5xx (another 4xx will not get better by asking again). Never throws: the caller warns.
 */
export async function sendNotification(target: NotifyTarget, body: unknown, opts: SendOptions = {}): Promise<NotifyOutcome> {
  const attempts = opts.attempts ?? 3;
  let wait = opts.backoffMs ?? 1000;
  let reason = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const signal = AbortSignal.timeout(opts.timeoutMs ?? 10_000);
    try {
      const res = await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'runbook' },
        body: JSON.stringify(body),
        signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { delivered: true, attempts: attempt };
      reason = `HTTP ${res.status}`;
      if (res.status !== 429 && res.status < 500) return { delivered: false, attempts: attempt, reason };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      // Our own deadline passed: the signal says so, whatever the error thrown calls itself.
      reason = signal.aborted ? 'no answer in time' : (cause ?? (err as Error).message);
    }
    if (attempt < attempts) {
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait *= 2;
    }
  }
  return { delivered: false, attempts, reason };
}
