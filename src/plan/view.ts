import type { CheckItem, CheckResult, CheckValue, ItemFailure } from '../contracts/checks.ts';
import type { Failure, HostStatus, PlannedAction } from '../contracts/results.ts';
import type { PlanArtifact, PlannedHost } from './artifact.ts';
import { targetText } from './binding.ts';
import { actionLabel } from './compare.ts';
import { evidenceTables, keyEvidence } from './evidence-view.ts';
import { visible, visibleLines } from './visible.ts';

/**
 * What a reviewer is shown of a plan, whatever the medium. The Markdown and text
 * renderers only lay this out, so a ticket and a terminal can never tell different
 * stories. Every string in it is already safe to show (see visible.ts).
 */
export interface PlanView {
  readonly title: string;
  /** The first thing a reviewer reads: exactly what `apply --plan` will send, and to which hosts. */
  readonly applies: string;
  /** The plan's digest, in full: apply prints it too, for the reviewer to compare. */
  readonly digest: string;
  readonly fields: readonly Field[];
  /** One row per target: host, status, actions, key evidence. */
  readonly summary: Table;
  readonly hosts: readonly HostSection[];
  readonly playbook: { readonly file: string; readonly sha256: string; readonly lines: readonly string[] };
}

/** A run of text; code is shown as such where the medium can (file names, patterns, var=value). */
export interface Inline {
  readonly text: string;
  readonly code?: boolean;
}

export interface Field {
  readonly label: string;
  readonly value: readonly Inline[];
}

export interface Table {
  readonly title: string;
  readonly columns: readonly { readonly name: string; readonly numeric: boolean }[];
  readonly rows: readonly (readonly string[])[];
}

export interface HostSection {
  readonly host: string;
  readonly status: HostStatus;
  /** The one sentence that matters first: statements to send, or why there are none. */
  readonly headline: string;
  /** The device's own errors, one per line. */
  readonly deviceErrors: readonly string[];
  /** One line per clear planned in its wide form: its CLI form and what it clears. */
  readonly wide: readonly string[];
  /** The host's resolved vars as var=value. */
  readonly vars: readonly string[];
  readonly evidence: readonly Table[];
  /** The CLI form of every action, in the order apply sends them. */
  readonly statements: readonly string[];
  /** The device's `show | compare` for the configuration statements, line by line; empty when there are none. */
  readonly configDiff: readonly string[];
  /** The pre checks, a line per check and one per failed item with its figures. */
  readonly checks: readonly string[];
  readonly log: readonly string[];
}

/** Shown for a sha256 where the full one would only be compared by eye, badly. */
const SHORT_SHA = 12;

export function planView(plan: PlanArtifact): PlanView {
  const planned = new Map(plan.hosts.map((h) => [h.host, h]));
  const notPlanned = plan.targets.filter((t) => !planned.has(t));
  const actionCount = plan.hosts.reduce((n, h) => n + h.actions.length, 0);
  const actingHosts = plan.hosts.filter((h) => h.actions.length > 0).length;
  const fields: Field[] = [
    { label: 'Digest', value: [code(`sha256:${plan.digest}`)] },
    { label: 'Ticket', value: plan.ticket !== undefined ? [code(plan.ticket)] : [plain('none (apply --plan runs under none)')] },
    ...(plan.runId !== undefined ? [{ label: 'Planning run', value: [code(plan.runId)] }] : []),
    { label: 'Playbook', value: [code(plan.playbook.file), plain(' (sha256 '), code(plan.playbook.sha256.slice(0, SHORT_SHA)), plain(')')] },
    { label: 'Tool', value: [plain(`${plan.tool.name} ${plan.tool.version}`)] },
    { label: 'Created', value: [plain(utc(plan.createdAt))] },
    { label: 'Inventory', value: [...list(plan.inventory.map(code)), plain(` (${count(plan.binding.inventoryHosts.length, 'host')} in it; binding sha256 `), code(plan.binding.sha256.slice(0, SHORT_SHA)), plain(')')] },
    { label: 'Limit', value: plan.limit !== undefined ? [code(plan.limit)] : [plain('none')] },
    { label: 'Vars apply sets (-e)', value: list(Object.entries(plan.extraVars).map(([k, v]) => code(`${k}=${scalarText(v)}`)), ' ') },
    { label: 'Targets', value: [plain(targetsLine(plan.targets.length, plan.hosts, notPlanned.length))] },
    { label: 'Statements', value: [plain(`${actionCount} on ${actingHosts} ${actingHosts === 1 ? 'host' : 'hosts'}`)] },
  ];
  const reached = new Map(plan.binding.connections.map((c) => [c.host, visible(targetText(c))]));
  const summaryRows = [
    ...plan.hosts.map((h) => [h.host, reached.get(h.host) ?? '', h.status, String(h.actions.length), visible(keyLine(h))]),
    ...notPlanned.map((t) => [t, reached.get(t) ?? '', 'not planned', '0', 'no plan was made for this host']),
  ];
  return {
    title: `Plan: ${visible(plan.playbook.name)}`,
    applies: visible(appliesLine(plan)),
    digest: plan.digest,
    fields: fields.map((f) => ({ label: f.label, value: f.value.map((i) => ({ ...i, text: visible(i.text) })) })),
    summary: {
      title: 'hosts',
      columns: [
        { name: 'host', numeric: false },
        { name: 'reached as', numeric: false },
        { name: 'status', numeric: false },
        { name: 'actions', numeric: true },
        { name: 'key evidence', numeric: false },
      ],
      rows: summaryRows.map((r) => [visible(r[0]), ...r.slice(1)]),
    },
    hosts: plan.hosts.map(hostSection),
    playbook: { file: visible(plan.playbook.file), sha256: plan.playbook.sha256, lines: visibleLines(plan.playbook.text.replace(/\n$/, '')) },
  };
}

function hostSection(h: PlannedHost): HostSection {
  return {
    host: visible(h.host),
    status: h.status,
    headline: visible(headline(h)),
    deviceErrors: (h.error?.deviceErrors ?? []).map((e) =>
      visible(`${e.severity}: ${e.message}${e.path ? ` (path ${e.path})` : ''}${e.badElement ? ` (bad element ${e.badElement})` : ''}`),
    ),
    wide: h.actions.filter((a) => a.wide !== undefined).map((a) => visible(wideLine(a))),
    vars: Object.entries(h.vars).map(([k, v]) => visible(`${k}=${String(v)}`)),
    evidence: evidenceTables(h.evidence),
    statements: h.actions.map((a) => visible(actionLabel(a))),
    configDiff: h.config && h.config.diff !== '' ? h.config.diff.split('\n').map(visible) : [],
    checks: (h.checks ?? []).flatMap(checkLines).map(visible),
    log: h.log.map(visible),
  };
}

/** "PASS no SPU is full (pre): 3 items", or FAIL with each failed item's key, why and figures. */
function checkLines(r: CheckResult): string[] {
  const head = `${r.passed ? 'PASS' : 'FAIL'} ${r.name} (${r.phase === 'pre-post' ? 'pre → post' : r.phase})`;
  if (r.reason !== undefined) return [`${head}: ${r.reason}`];
  if (r.passed) return [`${head}: ${r.checked} ${r.checked === 1 ? 'item' : 'items'}`, ...figureLines(r)];
  return [`${head}: ${r.failures.length} of ${r.checked} failed`, ...r.failures.map((f) => `  ${keyOf(f) || '(table)'}: ${f.reason}`)];
}

function keyOf(f: ItemFailure | CheckItem): string {
  return Object.entries(f.key).map(([k, v]) => (k === '#' ? `#${String(v)}` : `${k}=${String(v)}`)).join(' ');
}

/** A passed check's figures, a line per item it kept: "  peer=1.0.0.3  pre 73  post 75  delta +2". */
function figureLines(r: CheckResult): string[] {
  const rows = r.items.map((i) => [keyOf(i) || '(table)', ...figures(i)]);
  const width = Math.max(0, ...rows.map((row) => row[0]!.length));
  const lines = rows.map(([key, ...rest]) => `  ${[key!.padEnd(width), ...rest].join('  ')}`.trimEnd());
  return r.truncated ? [...lines, `  … and ${r.truncated} more items`] : lines;
}

function figures(i: CheckItem): string[] {
  const shown = (v: CheckValue | readonly CheckValue[]) => (Array.isArray(v) ? `[${v.map(String).join(', ')}]` : String(v));
  return [
    ...(i.pre !== undefined ? [`pre ${shown(i.pre)}`] : []),
    ...(i.post !== undefined ? [`post ${shown(i.post)}`] : []),
    ...(i.delta !== undefined ? [`delta ${i.delta > 0 ? '+' : ''}${i.delta}`] : []),
  ];
}

/** How a plan, a ticket and the dry run flag a clear in its wide form. */
export function wideLine(a: PlannedAction): string {
  return `WIDE: ${actionLabel(a)} ${a.wide ?? ''}`.trimEnd();
}

/**
 * "apply --plan will send 6 statements to 1 host: srx-ams-01 (the 2 other targets get
 * nothing)". apply --plan acts whatever the plan's vars said when it was made.
 */
function appliesLine(plan: PlanArtifact): string {
  if (plan.incomplete) return `INCOMPLETE: the planning run was interrupted${plan.incomplete.notPlanned.length > 0 ? ` before it planned ${plan.incomplete.notPlanned.join(', ')}` : ''}; apply --plan refuses this plan.`;
  const acting = plan.hosts.filter((h) => h.actions.length > 0);
  const statements = acting.reduce((n, h) => n + h.actions.length, 0);
  if (statements === 0) return 'apply --plan will send nothing: no target has statements.';
  const names = acting.slice(0, 10).map((h) => h.host).join(', ') + (acting.length > 10 ? ` and ${acting.length - 10} more` : '');
  const others = plan.targets.length - acting.length;
  return `apply --plan will SEND ${count(statements, 'statement')} to ${count(acting.length, 'host')}: ${names}${others > 0 ? ` (the ${others === 1 ? 'other target gets' : `${others} other targets get`} nothing)` : ''}.`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function headline(h: PlannedHost): string {
  switch (h.status) {
    case 'ok':
    case 'changed':
      if (h.config?.result === 'unchanged' && h.actions.every((a) => a.config !== undefined)) return 'Nothing to change: the configuration statements are already in place.';
      return h.actions.length === 0 ? 'Nothing to change.' : `${h.actions.length} ${h.actions.length === 1 ? 'statement' : 'statements'} to send.`;
    case 'skipped':
      return sentence(`Skipped: ${h.reason ?? 'no reason given'}`);
    case 'failed':
      return sentence(`Failed, so nothing is planned: ${h.error ? failureLine(h.error) : 'no error recorded'}`);
    case 'unreachable':
      return sentence(`Unreachable, so nothing is planned: ${h.error ? failureLine(h.error) : 'no error recorded'}`);
  }
}

/** The summary table's last column: the evidence, or why there is none. */
function keyLine(h: PlannedHost): string {
  switch (h.status) {
    case 'skipped':
      return h.reason ?? '';
    case 'failed':
    case 'unreachable':
      return h.error ? failureLine(h.error) : '';
    default:
      return keyEvidence(h.evidence);
  }
}

/** As the terminal's recap says it: "step: kind: message". */
function failureLine(f: Failure): string {
  return `${f.step ? `${f.step}: ` : ''}${f.kind}: ${f.message}`;
}

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function targetsLine(total: number, hosts: readonly PlannedHost[], notPlanned: number): string {
  const order: readonly HostStatus[] = ['ok', 'changed', 'skipped', 'failed', 'unreachable'];
  const counts = order.map((s) => [s, hosts.filter((h) => h.status === s).length] as const).filter(([, n]) => n > 0);
  const parts = [...counts.map(([s, n]) => `${n} ${s}`), ...(notPlanned > 0 ? [`${notPlanned} not planned`] : [])];
  return `${total} ${total === 1 ? 'host' : 'hosts'}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

/** "2025-01-14 09:30:00 UTC": reviewers compare it with a ticket's times, not parse it. */
function utc(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} UTC`;
}

/** -e values as typed: strings bare, anything else as JSON so 5 and "5" stay apart. */
function scalarText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

function list(items: readonly Inline[], separator = ', '): Inline[] {
  if (items.length === 0) return [plain('none')];
  return items.flatMap((item, i) => (i === 0 ? [item] : [plain(separator), item]));
}

function plain(text: string): Inline {
  return { text };
}

function code(text: string): Inline {
  return { text, code: true };
}
