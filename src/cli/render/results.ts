import { checkLines } from './checks.ts';
import type { ChalkInstance } from 'chalk';
import type { ActionResult, Failure, HostResult, HostStatus, PlannedAction, StreamedRun } from '../../contracts/results.ts';
import { visible } from '../../plan/visible.ts';

/** Seed debug levels: 0 nothing but the recap, 1 informational, 2 verbose, 3 debug. */
export type Verbosity = 0 | 1 | 2 | 3;

export function statusColour(style: ChalkInstance, status: HostStatus): (s: string) => string {
  switch (status) {
    case 'ok':
      return style.green;
    case 'changed':
      return style.yellow;
    case 'skipped':
      return style.cyan;
    case 'failed':
    case 'unreachable':
      return style.red;
  }
}

/**
 * One host's results in the seed's language: its log, then the statements. Each failure
 * is said once: an action's error on its line, a configuration change's once for the
 * whole change (its statements are loaded and committed together, so they fail
 * together), and the host's error only when no line above said it.
 */
export function hostResultLines(h: HostResult, verbosity: Verbosity, style: ChalkInstance): string[] {
  const lines: string[] = [statusColour(style, h.status)(style.bold(`${visible(h.host)} (${h.status})`))];
  const said = new Set<string>();
  const configFailure = h.config && h.config.reason !== undefined ? `configuration: ${h.config.result}: ${h.config.reason}` : undefined;
  for (const entry of h.log) {
    if (entry.level > verbosity) continue;
    // The host's error line below says the configuration's failure, with its phase.
    if (entry.text === configFailure && h.error && h.error.message === h.config?.reason) continue;
    lines.push(`  ${visible(entry.text)}`);
  }
  if (h.plan.length > 0) {
    if (h.dryRun) {
      lines.push('  Dry run, not executing any operational commands.');
      lines.push('  Statements to be executed (dry run):');
      for (const a of h.plan) lines.push(`    ${visible(a.cli)}${wideMark(a)}`);
      if (h.config?.result === 'checked') lines.push('  Configuration: loaded, compared and checked (commit check) on the device, then discarded.');
    } else {
      const rpcs = h.actions.filter((r) => r.action.config === undefined);
      const config = h.actions.filter((r) => r.action.config !== undefined);
      if (rpcs.length > 0) {
        lines.push('  Statements sent:');
        for (const r of rpcs) lines.push(`    ${actionLine(h.host, r, style)}`);
        for (const r of rpcs) if (r.error) said.add(r.error.message);
      }
      if (config.length > 0) {
        lines.push(`  Configuration statements, loaded as one change (${h.config ? configWords(h.config.result) : 'not loaded'}):`);
        for (const r of config) lines.push(`    ${visible(r.action.cli)}`);
      }
    }
  }
  const checks = [...(h.checks?.pre ?? []), ...(h.checks?.post ?? [])];
  if (checks.length > 0) lines.push('  Checks:', ...checkLines(checks).map((l) => `  ${l}`));
  if (h.error && !said.has(h.error.message)) lines.push(style.red(`  ${visible(whereAndWhat(h.error, failureText(h.host, h.error)))}`));
  if (verbosity >= 3) {
    for (const s of h.steps) lines.push(style.dim(`  [${s.kind}] ${visible(s.name)}: ${s.status}${s.count !== undefined ? `, ${s.count}` : ''} in ${s.ms} ms`));
  }
  return lines;
}

/** A clear planned in its wide form says so beside its statement. */
function wideMark(a: PlannedAction): string {
  return a.wide !== undefined ? `   (WIDE: ${a.wide})` : '';
}

/** "act (Commit, verify and confirm): rpc-error: ...": the phase and step a failure happened in, then `what`, the phase not twice. */
function whereAndWhat(error: Failure, what: string): string {
  const where = `${error.phase}${error.step ? ` (${error.step})` : ''}`;
  return what === error.phase || what.startsWith(`${error.phase}: `) ? (error.step ? `${where}${what.slice(error.phase.length)}` : what) : `${where}: ${what}`;
}

/** An RPC action sent: its mark, its CLI form, what the device said, or its own error (once). */
function actionLine(host: string, r: ActionResult, style: ChalkInstance): string {
  const mark = r.status === 'sent' ? style.green('ok    ') : r.status === 'failed' ? style.red('FAILED') : style.dim('skipped');
  const extra = r.reply?.cleared !== undefined ? ` (${r.reply.cleared} ${r.reply.cleared === 1 ? 'session' : 'sessions'} cleared)` : '';
  return `${mark} ${visible(r.action.cli)}${wideMark(r.action)}${extra}${r.error ? `: ${visible(failureText(host, r.error))}` : ''}`;
}

function configWords(result: string): string {
  switch (result) {
    case 'committed':
      return 'committed';
    case 'unchanged':
      return 'already in place, nothing committed';
    case 'rolled-back':
      return 'committed, then rolled back';
    default:
      return `not committed: ${result}`;
  }
}

/**
 * Ansible-like recap: a line per host, then the counts. With `failuresAbove` (the hosts'
 * results were printed), a failure's line names where it happened and its kind, and
 * leaves the message to the host's results: each failure is said once.
 */
export function recapLines(run: StreamedRun, style: ChalkInstance, opts: { failuresAbove?: boolean } = {}): string[] {
  // One pass over the results (the spool): each host's line is made as it is read, padded once every name is known.
  const rows: { host: string; status: HostStatus; text: string }[] = [];
  for (const h of run.hosts) rows.push({ host: visible(h.host), status: h.status, text: visible(summary(h, opts.failuresAbove === true)) });
  const width = Math.max(8, ...rows.map((r) => r.host.length), ...run.notRun.map((n) => visible(n).length));
  const lines = [style.bold(`PLAY RECAP${run.dryRun ? ' (dry run: "changed" means would change)' : ''}${run.interrupted ? ' (interrupted)' : ''}`)];
  for (const r of rows) lines.push(`${r.host.padEnd(width)}  ${statusColour(style, r.status)(r.status.padEnd(11))}  ${r.text}`);
  const why = run.stopped ? 'the rollout stopped before this host started' : 'the run was interrupted before this host started';
  for (const name of run.notRun) lines.push(`${visible(name).padEnd(width)}  ${style.dim('not run'.padEnd(11))}  ${why}`);
  if (run.stopped) lines.push(style.red(`stopped after batch ${run.stopped.afterBatch}: ${visible(run.stopped.reason)}`));
  const r = run.recap;
  lines.push(`ok=${r.ok} changed=${r.changed} skipped=${r.skipped} failed=${r.failed} unreachable=${r.unreachable}${run.notRun.length ? ` not-run=${run.notRun.length}` : ''}`);
  return lines;
}

/** "kind: message", without the host name and kind the message may already start with. */
export function failureText(host: string, error: Pick<Failure, 'kind' | 'message'>): string {
  const message = error.message.startsWith(`${host}: `) ? error.message.slice(host.length + 2) : error.message;
  return message.startsWith(`${error.kind}: `) ? message : `${error.kind}: ${message}`;
}

function summary(h: HostResult, failuresAbove: boolean): string {
  switch (h.status) {
    case 'skipped':
      return h.reason ?? '';
    case 'failed':
    case 'unreachable':
      if (!h.error) return '';
      if (failuresAbove) return `${whereAndWhat(h.error, h.error.kind)}, see above`;
      return `${h.error.step ? `${h.error.step}: ` : ''}${failureText(h.host, h.error)}`;
    default:
      return changeSummary(h);
  }
}

/** What the host got (or would get): statements sent, sessions cleared, the configuration change. */
function changeSummary(h: HostResult): string {
  const parts: string[] = [];
  const rpcs = h.plan.filter((a) => a.changesState && a.config === undefined);
  if (rpcs.length > 0) {
    if (h.dryRun) parts.push(`${rpcs.length} ${rpcs.length === 1 ? 'statement' : 'statements'} planned, not sent (dry run)`);
    else {
      const sent = h.actions.filter((a) => a.status === 'sent' && a.action.config === undefined);
      const cleared = sent.reduce((n, a) => n + (a.reply?.cleared ?? 0), 0);
      parts.push(`${sent.length} of ${rpcs.length} ${rpcs.length === 1 ? 'statement' : 'statements'} sent${sent.some((a) => a.reply?.cleared !== undefined) ? `, ${cleared} ${cleared === 1 ? 'session' : 'sessions'} cleared` : ''}`);
    }
  }
  const wide = rpcs.filter((a) => a.wide !== undefined).length;
  if (wide > 0) parts.push(`${wide} WIDE ${wide === 1 ? 'clear' : 'clears'} (all: true)`);
  if (h.config) {
    const lines = h.config.diff === '' ? 0 : h.config.diff.split('\n').length;
    const diff = `${lines}-line configuration diff`;
    if (h.config.result === 'unchanged') parts.push('configuration already in place');
    else if (h.config.result === 'checked') parts.push(`${diff}, commit check passed${h.dryRun ? ' (dry run)' : ''}`);
    // "verified" only when a verify ran: a playbook without one must not read as checked.
    else if (h.config.result === 'committed') parts.push(`${diff} committed (commit confirmed ${h.config.confirmMinutes ?? '?'}, ${h.verify !== undefined ? 'verified' : 'no verify step'}, confirmed)`);
    else parts.push(`configuration ${h.config.result}`);
  }
  return parts.length === 0 ? 'nothing to change' : parts.join('; ');
}
