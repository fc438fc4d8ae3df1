import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Report } from '../../src/report/json-report.ts';
import { runCli } from '../helpers/cli.ts';

const CHROMIUM = process.env.RUNBOOK_CHROMIUM ?? '/usr/bin/chromium';
const noChromium = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (Debian: apt-get install chromium; .ci/run installs it)`;
/** Where the screenshot of the default lab run's report is kept (the OS temp dir; `npm run screenshot` copies it into docs/). */
export const SCREENSHOT = join(tmpdir(), 'runbook-report-screenshot.png');

describe('the HTML report of the default lab run', { skip: noChromium }, () => {
  let dir: string;
  let report: Report;
  let browser: Browser;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-html-'));
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '--report', join(dir, 'run.json'), '--html', join(dir, 'apply.html'), '--lock-dir', dir], { timeoutMs: 180_000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    report = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as Report;
    const rendered = await runCli(['report', join(dir, 'run.json'), '--html', join(dir, 'report.html')]);
    assert.equal(rendered.code, 0, rendered.stderr);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  });
  after(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is the same page whether written by apply --html or by runbook report from the JSON', async () => {
    assert.equal(await readFile(join(dir, 'apply.html'), 'utf8'), await readFile(join(dir, 'report.html'), 'utf8'));
  });

  it('renders offline: hosts, statuses, charts equal to the report, a host expands to its statements', async (t) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const attempted: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith('file:')) attempted.push(req.url());
    });
    // Anything but the file itself is refused: the page must need nothing else.
    await page.route(/^(?!file:)/, (route) => route.abort());
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);
    assert.deepEqual(errors, []);

    // The header names the run as its commit comments and audit lines do.
    assert.match(report.runId ?? '', /^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    assert.equal(await page.textContent('header code.run-id'), report.runId);
    assert.equal(await page.$$eval('header code.ticket', (els) => els.map((e) => e.textContent)).then((t) => t[0]), report.ticket);

    const rows = await page.$$eval('#host-table tr.host-row', (trs) => trs.map((tr) => ({ host: (tr as HTMLElement).dataset.host, status: (tr as HTMLElement).dataset.status })));
    assert.deepEqual(rows, report.run.hosts.map((h) => ({ host: h.host, status: h.status })));

    const statuses = await page.evaluate(() => {
      const chart = (globalThis as any).Chart.getChart(document.getElementById('chart-statuses'));
      return { labels: chart.data.labels, data: chart.data.datasets[0].data };
    });
    const recap = report.run.recap;
    assert.deepEqual(statuses.labels, ['ok', 'changed', 'skipped', 'failed', 'unreachable', 'not-run']);
    assert.deepEqual(statuses.data, [recap.ok, recap.changed, recap.skipped, recap.failed, recap.unreachable, report.run.notRun.length]);
    const histogram = await page.evaluate(() => (globalThis as any).Chart.getChart(document.getElementById('chart-sessions')).data.datasets[0].data as number[]);
    assert.equal(histogram.reduce((a, b) => a + b, 0), report.run.hosts.length, 'every host that reported sessions is in one bucket');

    // Click the first changed host: its statements, and its peers chart with the threshold line.
    const index = report.run.hosts.findIndex((h) => h.status === 'changed');
    const host = report.run.hosts[index]!;
    assert.equal(await page.isVisible(`tr.host-details[data-index="${index}"]`), false);
    await page.click(`tr.host-row[data-index="${index}"]`);
    assert.equal(await page.isVisible(`tr.host-details[data-index="${index}"]`), true);
    const statements = await page.$$eval(`tr.host-details[data-index="${index}"] tr.statement td:first-child`, (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(statements, host.plan.map((a) => a.cli));
    const peers = await page.evaluate((i) => {
      const chart = (globalThis as any).Chart.getChart(document.getElementById(`chart-peers-${i}`));
      return { labels: chart.data.labels, sessions: chart.data.datasets[0].data, threshold: chart.data.datasets[1].data };
    }, index);
    const top = host.evidence.top_peers as { peer: string; count: number }[];
    assert.deepEqual(peers.labels, top.map((p) => p.peer));
    assert.deepEqual(peers.sessions, top.map((p) => p.count));
    assert.deepEqual(peers.threshold, top.map(() => host.vars.min_peer_sessions));

    // Filter to the skipped hosts, then back; sort by sessions, most first.
    await page.selectOption('#status-filter', 'skipped');
    assert.equal(await page.textContent('#shown-count'), `${recap.skipped} of ${report.run.hosts.length} hosts`);
    await page.selectOption('#status-filter', '');
    await page.click('th[data-sort="sessions"]');
    await page.click('th[data-sort="sessions"]');
    const order = await page.$$eval('#host-table tr.host-row', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.host));
    const bySessions = [...report.run.hosts].sort((a, b) => (b.evidence['ah.count'] as number) - (a.evidence['ah.count'] as number)).map((h) => h.host);
    assert.deepEqual(order, bySessions);

    // The filter folded the host away; open it again for the screenshot.
    await page.click(`tr.host-row[data-index="${index}"]`);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    t.diagnostic(`screenshot: ${SCREENSHOT}`);
    assert.deepEqual(attempted, [], 'the page asked for nothing over the network');
    await page.close();
  });

  it('escapes device strings: a peer named like markup stays text', async () => {
    const { renderHtmlReport } = await import('../../src/report/html-report.ts');
    const { viewOfReport } = await import('../../src/report/fleet-view.ts');
    const hostile = structuredClone(report) as any;
    hostile.run.hosts[0].evidence.top_peers = [{ peer: '</script><img src=x onerror=alert(1)>', count: 5 }];
    hostile.run.hosts[0].log = [{ level: 1, text: '<b>bold</b>' }];
    const page = await browser.newPage();
    await page.setContent(renderHtmlReport(viewOfReport(hostile)));
    assert.equal(await page.$$eval('img', (imgs) => imgs.length), 0);
    await page.click('tr.host-row[data-index="0"]');
    assert.equal(await page.textContent('tr.host-details[data-index="0"] table.peers td'), '</script><img src=x onerror=alert(1)>');
    assert.match((await page.textContent('tr.host-details[data-index="0"] pre.log'))!, /<b>bold<\/b>/);
    await page.close();
  });

  it("a host's failed check items: a pre and a post bar per item, by key, equal to the report's; the Checks table keeps every figure", async () => {
    const { renderHtmlReport } = await import('../../src/report/html-report.ts');
    const { viewOfReport } = await import('../../src/report/fleet-view.ts');
    const withChecks = structuredClone(report) as any;
    const compare = { op: 'list-not-less', table: 'ah', field: '$count', key: ['peer'], phase: 'pre-post', passed: false, checked: 747 };
    withChecks.run.hosts[0].checks = {
      pre: [{ name: 'an SPU is nearly full', op: 'in-range', table: 'summary', field: 'percent', key: ['spu'], phase: 'pre', passed: false, checked: 2, failures: [{ key: { spu: 'spc0' }, pre: 97, reason: 'percent 97 is outside 0..90' }] }],
      post: [
        {
          ...compare,
          name: 'no unselected peer lost sessions',
          failures: [
            { key: { peer: '3.0.0.1' }, pre: 41, post: 0, delta: -41, reason: '41 records in pre, 0 in post' },
            // Not numbers: no bar, only the table's row.
            { key: { peer: '3.0.0.2' }, pre: ['a', 'b'], post: 'a', reason: 'state b in pre, missing in post' },
            { key: { peer: '3.0.0.3' }, pre: 12, post: 3, delta: -9, reason: '12 records in pre, 3 in post' },
          ],
        },
      ],
    };
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.setContent(renderHtmlReport(viewOfReport(withChecks)));
    await page.click('tr.host-row[data-index="0"]');
    const chart = await page.evaluate(() => {
      const c = (globalThis as any).Chart.getChart(document.getElementById('chart-checks-0'));
      return { labels: c.data.labels, datasets: c.data.datasets.map((d: { label: string; data: (number | null)[] }) => ({ label: d.label, data: d.data })) };
    });
    assert.deepEqual(errors, []);
    assert.deepEqual(chart.labels, ['an SPU is nearly full: spu=spc0', 'no unselected peer lost sessions: peer=3.0.0.1', 'no unselected peer lost sessions: peer=3.0.0.3']);
    assert.deepEqual(chart.datasets, [
      { label: 'pre', data: [97, 41, 12] },
      { label: 'post', data: [null, 0, 3] },
    ]);
    const items = await page.$$eval('tr.host-details[data-index="0"] table.checks tr.check-item', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(3, 6).map((td) => td.textContent)));
    assert.deepEqual(items, [
      ['spu=spc0', '97', ''],
      ['peer=3.0.0.1', '41', '0'],
      ['peer=3.0.0.2', 'a, b', 'a'],
      ['peer=3.0.0.3', '12', '3'],
    ]);
    // A host without failed check items has no checks chart.
    assert.equal(await page.$('#chart-checks-1'), null);
    await page.close();
  });

  it("the session-table guard's page: use per SPU against the watermarks, before and after, the configuration diff", async () => {
    const inventory = join(dir, 'full.yml');
    await writeFile(inventory, 'all:\n  hosts:\n    lab-full-1: { lab_scenario: full, lab_seed: 1 }\n');
    const json = join(dir, 'guard.json');
    const r = await runCli(['apply', 'playbooks/session-table-guard.yml', '-i', inventory, '-e', 'dry_run=false', '--yes', '--report', json, '--html', join(dir, 'guard.html'), '--audit-log', join(dir, 'audit.jsonl'), '--lock-dir', dir, '-q']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const host = (JSON.parse(await readFile(json, 'utf8')) as Report).run.hosts[0]!;
    const spus = host.evidence.spus as { percent: number }[];
    assert.ok(spus.length > 0 && host.verify?.summary && host.config, 'the guard acted: SPUs, a verify and a configuration change');

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(join(dir, 'guard.html')).href);
    await page.click('tr.host-row[data-index="0"]');
    const chart = await page.evaluate(() => {
      const c = (globalThis as any).Chart.getChart(document.getElementById('chart-spus-0'));
      return c.data.datasets.map((d: { label: string; data: number[] }) => ({ label: d.label, data: d.data }));
    });
    const flat = (v: unknown) => spus.map(() => v);
    assert.deepEqual(chart, [
      { label: 'use %', data: spus.map((s) => s.percent) },
      { label: 'guard high watermark', data: flat(host.vars.high_watermark) },
      { label: 'aging high watermark', data: flat(host.vars.aging_high_watermark) },
      { label: 'aging low watermark', data: flat(host.vars.aging_low_watermark) },
    ]);
    const verify = await page.evaluate(() => (globalThis as any).Chart.getChart(document.getElementById('chart-verify-0')).data.datasets.map((d: { data: number[] }) => d.data));
    assert.deepEqual(verify, [[host.verify!.summary!.before], [host.verify!.summary!.after]]);
    assert.equal(await page.textContent('tr.host-details[data-index="0"] pre.diff'), host.config!.diff);
    await page.close();
  });

  it("the session-table guard over the default lab: a host skipped below the watermark still shows its use per SPU, chart and table", async () => {
    const json = join(dir, 'guard-lab.json');
    const r = await runCli(['apply', 'playbooks/session-table-guard.yml', '--report', json, '--html', join(dir, 'guard-lab.html'), '--audit-log', join(dir, 'audit.jsonl'), '--lock-dir', dir, '-q']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const hosts = (JSON.parse(await readFile(json, 'utf8')) as Report).run.hosts;
    // lab-srx-05, the cluster: SPUs of both nodes.
    const index = hosts.findIndex((h) => h.host === 'lab-srx-05');
    const host = hosts[index]!;
    assert.equal(host.status, 'skipped');
    const spus = host.evidence.spus as { node: string; spu: string; active: number; max: number; percent: number }[];
    const labels = spus.map((s) => `${s.node} ${s.spu}`);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(join(dir, 'guard-lab.html')).href);
    await page.click(`tr.host-row[data-index="${index}"]`);
    const chart = await page.evaluate((i) => {
      const c = (globalThis as any).Chart.getChart(document.getElementById(`chart-spus-${i}`));
      return { labels: c.data.labels, datasets: c.data.datasets.map((d: { label: string; data: number[] }) => ({ label: d.label, data: d.data })) };
    }, index);
    assert.deepEqual(chart.labels, labels);
    assert.deepEqual(chart.datasets[0], { label: 'use %', data: spus.map((s) => s.percent) });
    assert.deepEqual(chart.datasets[1], { label: 'guard high watermark', data: spus.map(() => 80) });
    const rows = await page.$$eval(`tr.host-details[data-index="${index}"] table.spus tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    assert.deepEqual(rows, [
      ...spus.map((s, k) => [labels[k], String(s.active), String(s.max), String(s.percent)]),
      ['guard high watermark', '', '', '80'],
      ['aging high watermark', '', '', '90'],
      ['aging low watermark', '', '', '70'],
    ]);
    await page.close();
  });
});
