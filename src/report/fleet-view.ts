import type { CheckResult } from '../contracts/checks.ts';
import type { ActionStatus, HostResult, HostResults, HostStatus, StreamedRun } from '../contracts/results.ts';
import type { PlanArtifact, PlannedHost } from '../plan/artifact.ts';
import type { Report } from './json-report.ts';
import type { RunIds } from '../contracts/run-ids.ts';

/**
 * What the HTML report, the fleet table and the metrics show, taken from a run report or
 * a plan: one shape for both, and every figure computed here once, so a chart, its table
 * and a metric cannot disagree. Pure functions of the report.
 */
export interface FleetView {
  readonly title: string;
  /** 'run' for a report, 'plan' for a plan under review. */
  readonly source: 'run' | 'plan';
  readonly playbook: { readonly file: string; readonly name: string };
  /** The run's id and change ticket (a plan's: its planning run's), when known. */
  readonly runId?: string;
  readonly ticket?: string;
  readonly dryRun: boolean;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly interrupted: boolean;
  readonly stopped?: string;
  readonly hosts: readonly HostView[];
  readonly notRun: readonly string[];
  readonly statuses: Readonly<Record<HostStatus | 'not-run', number>>;
  /** Hosts by session count, in buckets of equal width; empty when no host reported a count. */
  readonly sessionHistogram: readonly HistogramBucket[];
}

export interface HistogramBucket {
  /** Inclusive lower bound. */
  readonly from: number;
  /** Exclusive upper bound. */
  readonly to: number;
  readonly hosts: number;
}

export interface StatementView {
  readonly cli: string;
  /** 'planned' in a plan; the action's status in a run. */
  readonly status: ActionStatus | 'planned';
  readonly wide?: string;
  readonly error?: string;
  readonly cleared?: number;
}

export interface HostView {
  readonly host: string;
  readonly status: HostStatus;
  /** Statements planned or sent, or a configuration change made (in a dry run: would be). */
  readonly changed: boolean;
  readonly reason?: string;
  readonly error?: string;
  readonly statementsPlanned: number;
  readonly statementsSent: number;
  /** The host's failure, plus every action that failed. */
  readonly errors: number;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly statements: readonly StatementView[];
  readonly diff?: string;
  readonly log: readonly string[];
  readonly figures: HostFigures;
  /** The playbook's checks, pre then post, with each failed item's figures; absent when none ran. */
  readonly checks?: readonly CheckResult[];
  /** The running configuration kept before acting: its text file (what `runbook restore --from` reads); absent when none was kept. */
  readonly backup?: string;
}

export interface PeerFigure {
  readonly peer: string;
  readonly sessions: number;
}

export interface SpuFigure {
  /** "node0 SPU 0" or "SPU". */
  readonly label: string;
  readonly active: number;
  readonly max: number;
  readonly percent: number;
}

export interface HostFigures {
  /** Sessions the host reported: its AH session count, else the sum of its session tables' use. */
  readonly sessions?: number;
  /** AH sessions in the flow table (evidence ah_sessions, or the count of the `ah` collect). */
  readonly ahSessions?: number;
  /** Top peers by AH sessions (evidence top_peers), most first. */
  readonly peers: readonly PeerFigure[];
  /** min_peer_sessions: a peer needs this many sessions to be cleared. */
  readonly peerThreshold?: number;
  readonly spus: readonly SpuFigure[];
  /** The watermarks (percent) the session tables are held against, by name. */
  readonly watermarks: readonly { readonly name: string; readonly percent: number }[];
  /** Before/after counts of each verify (re-run collect) or check. */
  readonly verify: readonly { readonly name: string; readonly before: number; readonly after: number }[];
}

export const STATUSES: readonly (HostStatus | 'not-run')[] = ['ok', 'changed', 'skipped', 'failed', 'unreachable', 'not-run'];

export function viewOfReport(report: Report<HostResults>): FleetView {
  const run = report.run;
  return {
    title: `${run.playbook.name}: ${run.dryRun ? 'dry run' : 'run'} of ${run.startedAt}`,
    source: 'run',
    playbook: { file: run.playbook.file, name: run.playbook.name },
    ...(report.runId !== undefined ? { runId: report.runId } : {}),
    ...(report.ticket !== undefined ? { ticket: report.ticket } : {}),
    dryRun: run.dryRun,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    interrupted: run.interrupted,
    ...(run.stopped ? { stopped: `stopped after batch ${run.stopped.afterBatch}: ${run.stopped.reason}` } : {}),
    ...fleetParts(Array.from(run.hosts, hostOfRun), run.notRun),
  };
}

export function viewOfPlan(plan: PlanArtifact): FleetView {
  const ran = new Set(plan.hosts.map((h) => h.host));
  return {
    title: `${plan.playbook.name}: plan of ${plan.createdAt}`,
    source: 'plan',
    playbook: { file: plan.playbook.file, name: plan.playbook.name },
    ...(plan.runId !== undefined ? { runId: plan.runId } : {}),
    ...(plan.ticket !== undefined ? { ticket: plan.ticket } : {}),
    dryRun: true,
    startedAt: plan.createdAt,
    interrupted: false,
    ...fleetParts(plan.hosts.map(hostOfPlan), plan.targets.filter((t) => !ran.has(t))),
  };
}

/** The view of a run still in memory (apply and plan write it before any report is read back). */
export function viewOfRun(run: StreamedRun, ids?: RunIds): FleetView {
  const idFields = ids ? { runId: ids.runId, ...(ids.ticket !== undefined ? { ticket: ids.ticket } : {}) } : {};
  return viewOfReport({ format: 'runbook-report/1', tool: { name: 'runbook', version: '' }, ...idFields, inventory: [], run });
}

function fleetParts(hosts: HostView[], notRun: readonly string[]): Pick<FleetView, 'hosts' | 'notRun' | 'statuses' | 'sessionHistogram'> {
  const statuses: Record<HostStatus | 'not-run', number> = { ok: 0, changed: 0, skipped: 0, failed: 0, unreachable: 0, 'not-run': notRun.length };
  for (const h of hosts) statuses[h.status]++;
  const counts = hosts.flatMap((h) => (h.figures.sessions === undefined ? [] : [h.figures.sessions]));
  return { hosts, notRun, statuses, sessionHistogram: histogram(counts) };
}

function hostOfRun(h: HostResult): HostView {
  const statements: StatementView[] = h.dryRun || h.actions.length === 0
    ? h.plan.map((a) => ({ cli: a.cli, status: h.dryRun ? 'not-sent' : 'planned', ...(a.wide ? { wide: a.wide } : {}) }))
    : h.actions.map((r) => ({
        cli: r.action.cli,
        status: r.status,
        ...(r.action.wide ? { wide: r.action.wide } : {}),
        ...(r.error ? { error: r.error.message } : {}),
        ...(r.reply?.cleared !== undefined ? { cleared: r.reply.cleared } : {}),
      }));
  const failedActions = h.actions.filter((a) => a.status === 'failed').length;
  return {
    host: h.host,
    status: h.status,
    changed: h.status === 'changed' || h.plan.length > 0,
    ...(h.reason !== undefined ? { reason: h.reason } : {}),
    ...(h.error ? { error: `${h.error.phase}: ${h.error.message}` } : {}),
    statementsPlanned: h.plan.length,
    statementsSent: h.actions.filter((a) => a.status === 'sent').length,
    errors: failedActions + (h.error ? 1 : 0),
    evidence: h.evidence,
    statements,
    ...(h.config && h.config.diff !== '' ? { diff: h.config.diff } : {}),
    log: h.log.map((e) => e.text),
    figures: figuresOf(h.evidence, h.vars, h.verify),
    ...(h.checks ? { checks: [...(h.checks.pre ?? []), ...(h.checks.post ?? [])] } : {}),
    ...(h.backup ? { backup: h.backup.text } : {}),
  };
}

function hostOfPlan(h: PlannedHost): HostView {
  return {
    host: h.host,
    status: h.status,
    changed: h.actions.length > 0,
    ...(h.reason !== undefined ? { reason: h.reason } : {}),
    ...(h.error ? { error: `${h.error.phase}: ${h.error.message}` } : {}),
    statementsPlanned: h.actions.length,
    statementsSent: 0,
    errors: h.error ? 1 : 0,
    evidence: h.evidence,
    statements: h.actions.map((a) => ({ cli: a.cli, status: 'planned', ...(a.wide ? { wide: a.wide } : {}) })),
    ...(h.config && h.config.diff !== '' ? { diff: h.config.diff } : {}),
    log: h.log,
    figures: figuresOf(h.evidence, h.vars, undefined),
    ...(h.checks ? { checks: h.checks } : {}),
  };
}

/**
 * The figures the shipped playbooks register: ah-cleanup's ah_sessions and top_peers,
 * session-table-guard's spus; thresholds come from the host's vars. A playbook that
 * registers none of them simply has no charts.
 */
export function figuresOf(
  evidence: Readonly<Record<string, unknown>>,
  vars: Readonly<Record<string, unknown>>,
  verify: HostResult['verify'],
): HostFigures {
  const peers = records(evidence.top_peers).flatMap((r) => (typeof r.peer === 'string' && isCount(r.count) ? [{ peer: r.peer, sessions: r.count }] : []));
  const spus = records(evidence.spus).flatMap((r) =>
    isCount(r.active) && isCount(r.max) && typeof r.percent === 'number'
      ? [{ label: [r.node, r.spu].filter((s) => typeof s === 'string' && s !== '').join(' ') || 'SPU', active: r.active, max: r.max, percent: r.percent }]
      : [],
  );
  const ah = [evidence.ah_sessions, evidence['ah.count']].find(isCount);
  const sessions = ah ?? (spus.length > 0 ? spus.reduce((n, s) => n + s.active, 0) : undefined);
  const watermarks = (
    [
      ['guard high watermark', evidence.high_watermark ?? (spus.length > 0 ? vars.high_watermark : undefined)],
      ['aging high watermark', spus.length > 0 ? vars.aging_high_watermark : undefined],
      ['aging low watermark', spus.length > 0 ? vars.aging_low_watermark : undefined],
    ] as const
  ).flatMap(([name, v]) => (typeof v === 'number' ? [{ name, percent: v }] : []));
  return {
    ...(sessions !== undefined ? { sessions } : {}),
    ...(ah !== undefined ? { ahSessions: ah } : {}),
    peers,
    ...(peers.length > 0 && typeof vars.min_peer_sessions === 'number' ? { peerThreshold: vars.min_peer_sessions } : {}),
    spus,
    watermarks,
    verify: Object.entries(verify ?? {}).map(([name, v]) => ({ name, before: v.before, after: v.after })),
  };
}

/** Equal-width buckets of a "nice" width (1, 2 or 5 times a power of ten), at most about ten. */
export function histogram(values: readonly number[]): HistogramBucket[] {
  if (values.length === 0) return [];
  const max = Math.max(...values);
  const min = Math.min(...values);
  const width = niceWidth((max - min) / Math.min(10, Math.max(1, Math.ceil(Math.sqrt(values.length)))));
  const start = Math.floor(min / width) * width;
  const buckets: HistogramBucket[] = [];
  for (let from = start; from <= max; from += width) {
    buckets.push({ from, to: from + width, hosts: values.filter((v) => v >= from && v < from + width).length });
  }
  return buckets;
}

function niceWidth(raw: number): number {
  if (raw <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].find((m) => m * power >= raw)!;
  return step * power;
}

function records(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null && !Array.isArray(r)) : [];
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}
