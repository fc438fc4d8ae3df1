import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { figuresOf, histogram, viewOfRun } from '../../../src/report/fleet-view.ts';
import { renderHtmlReport } from '../../../src/report/html-report.ts';
import { CLEAR_IKE, hostResult, runResult } from '../../helpers/run-results.ts';

describe('fleet figures', () => {
  it("reads ah-cleanup's evidence: sessions, top peers and the min_peer_sessions threshold", () => {
    const f = figuresOf({ 'ah.count': 24770, ah_sessions: 24770, top_peers: [{ peer: '4.0.0.81', count: 3348 }, { peer: '1.0.0.3', count: 1663 }] }, { min_peer_sessions: 1000 }, undefined);
    assert.equal(f.sessions, 24770);
    assert.deepEqual(f.peers, [{ peer: '4.0.0.81', sessions: 3348 }, { peer: '1.0.0.3', sessions: 1663 }]);
    assert.equal(f.peerThreshold, 1000);
  });

  it("reads session-table-guard's spus against its watermarks", () => {
    const spus = [
      { node: 'node0', spu: 'FPC0 PIC0', active: 19000, max: 20000, percent: 95 },
      { node: '', spu: '', active: 100, max: 20000, percent: 0.5 },
    ];
    const f = figuresOf({ spus, high_watermark: 80 }, { high_watermark: 80, aging_high_watermark: 90, aging_low_watermark: 70 }, undefined);
    assert.deepEqual(f.spus.map((s) => [s.label, s.active, s.max, s.percent]), [['node0 FPC0 PIC0', 19000, 20000, 95], ['SPU', 100, 20000, 0.5]]);
    assert.equal(f.sessions, 19100);
    assert.deepEqual(f.watermarks, [
      { name: 'guard high watermark', percent: 80 },
      { name: 'aging high watermark', percent: 90 },
      { name: 'aging low watermark', percent: 70 },
    ]);
  });

  it('has before/after for every verify, and no figures from evidence it does not know', () => {
    const f = figuresOf({ whatever: [1, 2] }, {}, { ah: { before: 24770, after: 120 } });
    assert.deepEqual(f.verify, [{ name: 'ah', before: 24770, after: 120 }]);
    assert.deepEqual([f.sessions, f.peers, f.spus, f.watermarks], [undefined, [], [], []]);
  });

  it('buckets hosts by session count in equal, round widths that cover every host', () => {
    const b = histogram([8271, 15633, 18000, 23530, 24770]);
    assert.deepEqual(b, [
      { from: 0, to: 10000, hosts: 1 },
      { from: 10000, to: 20000, hosts: 2 },
      { from: 20000, to: 30000, hosts: 2 },
    ]);
    assert.deepEqual(histogram([]), []);
    assert.deepEqual(histogram([5, 5]), [{ from: 5, to: 6, hosts: 2 }]);
    const many = Array.from({ length: 1000 }, (_, i) => i * 37);
    assert.equal(histogram(many).reduce((n, x) => n + x.hosts, 0), 1000);
    assert.ok(histogram(many).length <= 11);
  });

  it('counts statuses, statements and errors per host', () => {
    const sent = { action: CLEAR_IKE, status: 'sent' as const };
    const failed = { action: CLEAR_IKE, status: 'failed' as const, error: { phase: 'act' as const, kind: 'rpc-error' as const, message: 'no such peer' } };
    const view = viewOfRun(runResult([hostResult('a', 'failed', { dryRun: false, plan: [CLEAR_IKE, CLEAR_IKE], actions: [sent, failed] }), hostResult('b', 'ok')], { notRun: ['c'] }));
    assert.deepEqual(view.statuses, { ok: 1, changed: 0, skipped: 0, failed: 1, unreachable: 0, 'not-run': 1 });
    const a = view.hosts[0]!;
    assert.deepEqual([a.statementsPlanned, a.statementsSent, a.errors, a.changed], [2, 1, 1, true]);
    assert.deepEqual(a.statements.map((s) => [s.status, s.error]), [['sent', undefined], ['failed', 'no such peer']]);
  });

  it('carries each host\'s checks, pre then post, and the HTML shows every failed item with its figures, escaped', () => {
    const check = (name: string, phase: 'pre' | 'pre-post', passed: boolean) => ({ name, op: 'list-not-less' as const, table: 'ah', field: '$count', key: ['peer'], phase, passed, checked: 2, failures: [], items: [{ key: { peer: '1.0.0.3' }, pre: 73, post: phase === 'pre' ? undefined : 0 }] });
    const lost = { ...check('no <unselected> peer lost sessions', 'pre-post', false), failures: [{ key: { peer: '1.0.0.3' }, pre: 73, post: 0, reason: '73 records in pre, 0 in post' }] };
    const view = viewOfRun(runResult([hostResult('a', 'failed', { checks: { pre: [check('pre one', 'pre', true)], post: [lost] } }), hostResult('b', 'ok')]));
    assert.deepEqual(view.hosts[0]!.checks?.map((c) => [c.name, c.passed]), [['pre one', true], ['no <unselected> peer lost sessions', false]]);
    assert.equal(view.hosts[1]!.checks, undefined);
    const page = renderHtmlReport(view);
    assert.ok(page.includes('<td>no &lt;unselected&gt; peer lost sessions</td><td>pre → post</td><td>FAIL</td><td colspan="3">2 items, 1 failed</td>'), page);
    assert.ok(page.includes('<td>peer=1.0.0.3</td><td class="num">73</td><td class="num">0</td><td>73 records in pre, 0 in post</td>'));
    // A passed check shows the figures it saw; the failed one its failures only.
    assert.ok(page.includes('<tr class="check-figure"><td></td><td></td><td></td><td>peer=1.0.0.3</td><td class="num">73</td><td class="num"></td><td></td></tr>'), page);
    assert.equal(page.split('class="check-figure"').length - 1, 1);
  });

  it('shows where a host\'s configuration was backed up, escaped, and the run id and ticket in the header', () => {
    const backup = { text: '/var/backups/<srx1>/20261204T220602Z.conf', set: '/var/backups/srx1/x.set', commit: {}, readAt: '2026-12-04T22:06:02Z' };
    const view = viewOfRun(runResult([hostResult('a', 'changed', { backup }), hostResult('b', 'ok')]), { runId: '20261204T220602Z-3f9a61c2', ticket: 'CHG<1>' });
    assert.equal(view.hosts[0]!.backup, '/var/backups/<srx1>/20261204T220602Z.conf');
    assert.equal(view.hosts[1]!.backup, undefined);
    const page = renderHtmlReport(view);
    assert.ok(page.includes('<p class="backup">configuration backed up before acting: <code>/var/backups/&lt;srx1&gt;/20261204T220602Z.conf</code></p>'), page);
    assert.equal(page.split('class="backup"').length - 1, 1);
    assert.ok(page.includes(' · run <code class="run-id">20261204T220602Z-3f9a61c2</code> · ticket <code class="ticket">CHG&lt;1&gt;</code>'));
    assert.ok(!renderHtmlReport(viewOfRun(runResult([hostResult('b', 'ok')]))).includes('class="run-id"'));
  });
});
