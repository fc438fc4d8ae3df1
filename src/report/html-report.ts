import type { CheckResult, CheckValue } from '../contracts/checks.ts';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FleetView, HostView } from './fleet-view.ts';
import { STATUSES } from './fleet-view.ts';
import { html, jsonForScript, trusted, type Html } from './html-escape.ts';

const require = createRequire(import.meta.url);

let chartLibrary: string | undefined;

/** Chart.js's UMD build (not in the package's exports map: found beside its main file), once per process, without its source map comment (the page must reference no URL). */
function chartJs(): string {
  chartLibrary ??= readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8').replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n');
  return chartLibrary;
}

const CLIENT = readFileSync(new URL('./html-client.js', import.meta.url), 'utf8');
const STYLE = readFileSync(new URL('./html-report.css', import.meta.url), 'utf8');

/**
 * One self-contained HTML file: styles, Chart.js, the figures and the script are inlined,
 * and a Content-Security-Policy forbids the page any network access. Every table is
 * rendered here, so the page reads without JavaScript; the script adds the charts,
 * sorting, filtering and the expandable hosts.
 */
export function renderHtmlReport(view: FleetView): string {
  const figures = {
    statuses: STATUSES.map((s) => ({ status: s, hosts: view.statuses[s] })),
    histogram: view.sessionHistogram.map((b) => ({ label: `${b.from}–${b.to - 1}`, hosts: b.hosts })),
    hosts: view.hosts.map((h) => h.figures),
    checks: view.hosts.map((h) => checkPoints(h.checks)),
  };
  return (
    '<!doctype html>\n' +
    html`<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${view.title}</title>
<style>${trusted(STYLE)}</style>
</head><body>
${header(view)}
${fleetSection(view)}
${hostsSection(view)}
<script type="application/json" id="runbook-figures">${jsonForScript(figures)}</script>
<script>${trusted(chartJs())}</script>
<script>${trusted(CLIENT)}</script>
</body></html>
`.text
  );
}

function header(view: FleetView): Html {
  const seconds = view.startedAt && view.finishedAt ? (Date.parse(view.finishedAt) - Date.parse(view.startedAt)) / 1000 : undefined;
  return html`<header><h1>${view.title}</h1>
<p class="meta">playbook <code>${view.playbook.file}</code>${view.runId !== undefined ? html` · run <code class="run-id">${view.runId}</code>` : ''}${view.ticket !== undefined ? html` · ticket <code class="ticket">${view.ticket}</code>` : ''} (${view.playbook.name}) · ${view.source === 'plan' ? 'plan for review: nothing was sent' : view.dryRun ? 'dry run: "changed" means would change' : 'acting run'}
${view.startedAt ? html` · started ${view.startedAt}` : ''}${view.finishedAt ? html` · finished ${view.finishedAt}` : ''}${seconds !== undefined ? html` · ${seconds.toFixed(1)} s` : ''}
${view.interrupted ? html` · <strong>interrupted</strong>` : ''}</p>
${view.stopped ? html`<p class="stopped">${view.stopped}</p>` : ''}
<p class="recap" id="recap">${STATUSES.map((s) => html`<span class="status status-${s}">${s} ${view.statuses[s]}</span> `)}</p></header>`;
}

function fleetSection(view: FleetView): Html {
  return html`<section id="fleet"><h2>Fleet</h2><div class="figures">
<figure><figcaption>Hosts by status</figcaption><div class="chart"><canvas id="chart-statuses" aria-label="Hosts by status"></canvas></div>
<table class="data" id="table-statuses"><thead><tr><th>status</th><th>hosts</th></tr></thead><tbody>
${STATUSES.map((s) => html`<tr><td>${s}</td><td class="num">${view.statuses[s]}</td></tr>`)}</tbody></table></figure>
${view.sessionHistogram.length > 0
  ? html`<figure><figcaption>Hosts by session count</figcaption><div class="chart"><canvas id="chart-sessions" aria-label="Hosts by session count"></canvas></div>
<table class="data" id="table-sessions"><thead><tr><th>sessions</th><th>hosts</th></tr></thead><tbody>
${view.sessionHistogram.map((b) => html`<tr><td>${b.from}–${b.to - 1}</td><td class="num">${b.hosts}</td></tr>`)}</tbody></table></figure>`
  : ''}
</div></section>`;
}

function hostsSection(view: FleetView): Html {
  const columns: [string, string, 'text' | 'num'][] = [
    ['host', 'host', 'text'],
    ['status', 'status', 'text'],
    ['changed', 'changed', 'text'],
    ['planned', 'statements', 'num'],
    ['sent', 'sent', 'num'],
    ['errors', 'errors', 'num'],
    ['sessions', 'sessions', 'num'],
  ];
  return html`<section id="hosts"><h2>Hosts</h2>
<div class="controls"><input id="host-filter" type="search" placeholder="filter by host, status or text" aria-label="filter hosts">
<select id="status-filter" aria-label="status"><option value="">every status</option>${STATUSES.slice(0, 5).map((s) => html`<option value="${s}">${s}</option>`)}</select>
<span id="shown-count">${view.hosts.length} of ${view.hosts.length} hosts</span></div>
<table id="host-table" class="data"><thead><tr>${columns.map(([key, label, type]) => html`<th data-sort="${key}" data-type="${type}" tabindex="0">${label}</th>`)}</tr></thead>
<tbody>${view.hosts.map((h, i) => hostRows(h, i))}</tbody></table>
${view.notRun.length > 0 ? html`<p class="not-run">Not run: ${view.notRun.join(', ')}</p>` : ''}
</section>`;
}

function hostRows(h: HostView, i: number): Html {
  const sessions = h.figures.sessions;
  return html`<tr class="host-row" data-index="${i}" data-host="${h.host}" data-status="${h.status}" tabindex="0" aria-expanded="false">
<td data-value="${h.host}"><span class="toggle">▸</span> ${h.host}</td><td data-value="${h.status}"><span class="status status-${h.status}">${h.status}</span></td>
<td data-value="${h.changed ? 'yes' : 'no'}">${h.changed ? 'yes' : 'no'}</td><td class="num" data-value="${h.statementsPlanned}">${h.statementsPlanned}</td>
<td class="num" data-value="${h.statementsSent}">${h.statementsSent}</td><td class="num" data-value="${h.errors}">${h.errors}</td>
<td class="num" data-value="${sessions ?? -1}">${sessions ?? ''}</td></tr>
<tr class="host-details" data-index="${i}" hidden><td colspan="7">${hostDetails(h, i)}</td></tr>`;
}

function hostDetails(h: HostView, i: number): Html {
  const f = h.figures;
  return html`<div class="details">
${h.reason ? html`<p class="reason">${h.reason}</p>` : ''}${h.error ? html`<p class="error">${h.error}</p>` : ''}
${h.backup !== undefined ? html`<p class="backup">configuration backed up before acting: <code>${h.backup}</code></p>` : ''}
<div class="figures">
${f.peers.length > 0
  ? html`<figure><figcaption>AH sessions per peer (top peers)${f.peerThreshold !== undefined ? html`, threshold ${f.peerThreshold}` : ''}</figcaption>
<div class="chart"><canvas id="chart-peers-${i}" data-chart="peers" data-index="${i}"></canvas></div>
<table class="data peers"><thead><tr><th>peer</th><th>AH sessions</th></tr></thead><tbody>${f.peers.map((p) => html`<tr><td>${p.peer}</td><td class="num">${p.sessions}</td></tr>`)}
${f.peerThreshold !== undefined ? html`<tr class="threshold"><td>threshold (min_peer_sessions)</td><td class="num">${f.peerThreshold}</td></tr>` : ''}</tbody></table></figure>`
  : ''}
${f.spus.length > 0
  ? html`<figure><figcaption>Session-table use per SPU</figcaption>
<div class="chart"><canvas id="chart-spus-${i}" data-chart="spus" data-index="${i}"></canvas></div>
<table class="data spus"><thead><tr><th>SPU</th><th>active</th><th>max</th><th>use %</th></tr></thead><tbody>${f.spus.map((s) => html`<tr><td>${s.label}</td><td class="num">${s.active}</td><td class="num">${s.max}</td><td class="num">${s.percent}</td></tr>`)}
${f.watermarks.map((w) => html`<tr class="threshold"><td>${w.name}</td><td></td><td></td><td class="num">${w.percent}</td></tr>`)}</tbody></table></figure>`
  : ''}
${f.verify.length > 0
  ? html`<figure><figcaption>Before and after acting: what each re-run collect (verify) counted</figcaption>
<div class="chart"><canvas id="chart-verify-${i}" data-chart="verify" data-index="${i}"></canvas></div>
<table class="data verify"><thead><tr><th>check</th><th>before</th><th>after</th></tr></thead><tbody>${f.verify.map((v) => html`<tr><td>${v.name}</td><td class="num">${v.before}</td><td class="num">${v.after}</td></tr>`)}</tbody></table></figure>`
  : ''}
${checkPoints(h.checks).length > 0
  ? html`<figure><figcaption>Checks: pre and post of each failed item (every figure is in the Checks table below)</figcaption>
<div class="chart"><canvas id="chart-checks-${i}" data-chart="checks" data-index="${i}"></canvas></div></figure>`
  : ''}
</div>
${h.checks && h.checks.length > 0
  ? html`<h3>Checks</h3><table class="data checks"><thead><tr><th>check</th><th>snapshot</th><th>result</th><th>item</th><th>pre</th><th>post</th><th>why</th></tr></thead><tbody>${h.checks.map(
      (c) => html`<tr class="check"><td>${c.name}</td><td>${c.phase === 'pre-post' ? 'pre → post' : c.phase}</td><td>${c.passed ? 'PASS' : 'FAIL'}</td><td colspan="3">${c.checked} items${c.failures.length > 0 ? `, ${c.failures.length} failed` : ''}</td><td>${c.reason ?? ''}</td></tr>
${c.failures.map((f) => html`<tr class="check-item"><td></td><td></td><td></td><td>${Object.entries(f.key).map(([k, v]) => `${k}=${String(v)}`).join(' ')}</td><td class="num">${figure(f.pre)}</td><td class="num">${figure(f.post)}</td><td>${f.reason}</td></tr>`)}
${c.passed ? c.items.map((it) => html`<tr class="check-figure"><td></td><td></td><td></td><td>${Object.entries(it.key).map(([k, v]) => `${k}=${String(v)}`).join(' ') || '(table)'}</td><td class="num">${figure(it.pre)}</td><td class="num">${figure(it.post)}</td><td>${it.delta !== undefined ? `delta ${it.delta > 0 ? '+' : ''}${it.delta}` : ''}</td></tr>`) : ''}
${c.passed && c.truncated ? html`<tr class="check-figure"><td></td><td></td><td></td><td colspan="4">… and ${c.truncated} more items</td></tr>` : ''}`,
    )}</tbody></table>`
  : ''}
<h3>Statements</h3>
${h.statements.length > 0
  ? html`<table class="data statements"><thead><tr><th>statement</th><th>status</th><th>note</th></tr></thead><tbody>${h.statements.map(
      (s) => html`<tr class="statement"><td><code>${s.cli}</code></td><td>${s.status}</td><td>${[s.wide ? `WIDE: ${s.wide}` : '', s.cleared !== undefined ? `${s.cleared} sessions cleared` : '', s.error ?? ''].filter(Boolean).join('; ')}</td></tr>`,
    )}</tbody></table>`
  : html`<p class="none">none</p>`}
${h.diff ? html`<h3>Configuration diff</h3><pre class="diff">${h.diff}</pre>` : ''}
<h3>Evidence</h3><pre class="evidence">${JSON.stringify(h.evidence, null, 2)}</pre>
<h3>Log</h3>${h.log.length > 0 ? html`<pre class="log">${h.log.join('\n')}</pre>` : html`<p class="none">none</p>`}
</div>`;
}

/** A check item's value(s) in one snapshot, as a cell. */
function figure(v: CheckValue | readonly CheckValue[] | undefined): string {
  if (v === undefined) return '';
  return Array.isArray(v) ? v.map(String).join(', ') : String(v);
}

/** One bar pair of a host's checks chart: a failed item, by key, with its pre and post figures. */
export interface CheckPoint {
  readonly label: string;
  readonly pre: number | null;
  readonly post: number | null;
}

/**
 * The failed items of a host's checks whose pre or post is a number, in the order the
 * checks and their failures come: a value that is not a number (a string, a list of
 * several records) has no bar and stays in the table. The label is the item's key, with
 * the check's name in front when more than one check has points (a key alone is ambiguous then).
 */
export function checkPoints(checks: readonly CheckResult[] | undefined): CheckPoint[] {
  const number = (v: CheckValue | readonly CheckValue[] | undefined) => (typeof v === 'number' ? v : null);
  const perCheck = (checks ?? []).map((c) => ({
    name: c.name,
    points: c.failures.flatMap((f) => {
      const pre = number(f.pre);
      const post = number(f.post);
      const key = Object.entries(f.key).map(([k, v]) => `${k}=${String(v)}`).join(' ');
      return pre === null && post === null ? [] : [{ key, pre, post }];
    }),
  })).filter((c) => c.points.length > 0);
  return perCheck.flatMap((c) => c.points.map((p) => ({ label: perCheck.length > 1 ? `${c.name}: ${p.key}` : p.key, pre: p.pre, post: p.post })));
}
