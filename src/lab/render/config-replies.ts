import type { ConfigRpcError } from '../config/errors.ts';
import { junosTime, type Commit } from '../config/store.ts';
import { esc } from './xml.ts';

/**
 * Replies of the configuration RPCs, written as Junos writes them in the captures
 * (fixtures load-configuration-results-*.xml, commit-*.xml): one element per line, no
 * indentation, rpc-errors inside the *-results element they belong to.
 */

/**
 * One configuration `<rpc-error>`: type, tag, severity, path, message, then error-info
 * with bad-element or the lock holder's session-id. Warnings may carry only severity
 * and message ("statement not found").
 */
export function renderConfigRpcError(e: ConfigRpcError): string {
  let s = '<rpc-error>\n';
  if (e.type) s += `<error-type>${e.type}</error-type>\n`;
  if (e.tag) s += `<error-tag>${esc(e.tag)}</error-tag>\n`;
  s += `<error-severity>${e.severity}</error-severity>\n`;
  if (e.path) s += `<error-path>${esc(e.path)}</error-path>\n`;
  s += `<error-message>${esc(e.message)}</error-message>\n`;
  if (e.badElement !== undefined || e.sessionId !== undefined) {
    s += '<error-info>\n';
    if (e.badElement !== undefined) s += `<bad-element>${esc(e.badElement)}</bad-element>\n`;
    if (e.sessionId !== undefined) s += `<session-id>${e.sessionId}</session-id>\n`;
    s += '</error-info>\n';
  }
  return s + '</rpc-error>\n';
}

/**
 * `<load-configuration-results>`: the load's errors and warnings, then `<ok/>` when
 * nothing failed or `<load-error-count>` when something did (warnings alone still end
 * in `<ok/>`, load-configuration-results-warnings-ok.xml).
 */
export function renderLoadResults(diagnostics: readonly ConfigRpcError[], failed: number): string {
  return (
    '<load-configuration-results>\n' +
    diagnostics.map(renderConfigRpcError).join('') +
    (failed > 0 ? `<load-error-count>${failed}</load-error-count>\n` : '<ok/>\n') +
    '</load-configuration-results>\n'
  );
}

/** The routing engines a commit reports on: re0 on a standalone device, node0 and node1 on a cluster. */
export interface CommitEngines {
  readonly cluster: boolean;
}

/**
 * `<commit-results>` of a commit or commit check that went through: one
 * `<routing-engine>` per routing engine with `<commit-check-success/>` or
 * `<commit-success/>`, then `<ok/>` after the results (commit-check-results-warnings.xml).
 * A cluster names its nodes (junos:style="show-name"); on commit the secondary,
 * node1, reports before the primary, as `commit` prints it.
 */
export function renderCommitSuccess(engines: CommitEngines, check: boolean): string {
  const mark = check ? '<commit-check-success/>' : '<commit-success/>';
  const re = (name: string, style: string) => `<routing-engine junos:style="${style}">\n<name>${name}</name>\n${mark}\n</routing-engine>\n`;
  const body = !engines.cluster ? re('re0', 'normal') : check ? re('node0', 'show-name') + re('node1', 'show-name') : re('node1', 'show-name') + re('node0', 'show-name');
  return `<commit-results>\n${body}</commit-results>\n<ok/>\n`;
}

/** The closing error of a failed commit (commit-results-rpc-error-missing-mandatory.xml). */
export const CHECK_OUT_FAILED: ConfigRpcError = {
  severity: 'error',
  type: 'protocol',
  tag: 'operation-failed',
  message: '\nconfiguration check-out failed\n',
};

/** `<commit-results>` of a commit that failed: the errors found, then "configuration check-out failed"; no `<ok/>`. */
export function renderCommitFailure(errors: readonly ConfigRpcError[]): string {
  const closing = errors.some((e) => e.message.includes('configuration check-out failed')) ? [] : [CHECK_OUT_FAILED];
  return `<commit-results>\n${[...errors, ...closing].map(renderConfigRpcError).join('')}</commit-results>\n`;
}

/** Text output of get-configuration (`format="text"`, `compare="rollback"`): a newline, then the text. */
export function renderConfigurationOutput(text: string): string {
  return `<configuration-information>\n<configuration-output>\n${esc(text)}</configuration-output>\n</configuration-information>\n`;
}

/** `format="set"`: the configuration as set commands. */
export function renderConfigurationSet(lines: readonly string[]): string {
  return `<configuration-set>\n${lines.map((l) => esc(l) + '\n').join('')}</configuration-set>\n`;
}

/** `<configuration>` with its junos:* attributes around already rendered statements. */
export function renderConfigurationXml(attrs: Readonly<Record<string, string | number>>, body: string): string {
  const a = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${esc(String(v))}"`)
    .join('');
  return body === '' ? `<configuration${a}/>\n` : `<configuration${a}>\n${body}</configuration>\n`;
}

/**
 * `<commit-information>` (get-commit-information, `show system commit`): one
 * `<commit-history>` per commit, newest first, as Junos writes it: sequence number
 * (the rollback number), user, client, date-time, a commit confirmed's `<comment>`, the
 * commit's own comment in `<log>`, and `<commit-confirmed>` on a commit still awaiting
 * its confirmation.
 */
export function renderCommitInformation(history: readonly Commit[], pendingConfirm: boolean): string {
  const entry = (c: Commit, n: number) =>
    '<commit-history>\n' +
    `<sequence-number>${n}</sequence-number>\n` +
    `<user>${esc(c.user)}</user>\n` +
    `<client>${c.client ?? 'cli'}</client>\n` +
    `<date-time junos:seconds="${c.seconds}">${junosTime(c.seconds)}</date-time>\n` +
    (c.confirmMinutes !== undefined ? `<comment>commit confirmed, rollback in ${c.confirmMinutes}mins</comment>\n` : '') +
    (c.log !== undefined ? `<log>${esc(c.log)}</log>\n` : '') +
    (n === 0 && pendingConfirm ? '<commit-confirmed>rollback pending</commit-confirmed>\n' : '') +
    '</commit-history>\n';
  return `<commit-information>\n${history.map(entry).join('')}</commit-information>\n`;
}
