import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Report } from '../../src/report/json-report.ts';
import { runCli } from '../helpers/cli.ts';
import { HostileServer, writeFleetInventory } from '../helpers/hostile-server.ts';

const promtool = spawnSync('promtool', ['--version']).status === 0;
const NO_PROMTOOL = 'promtool (Debian package prometheus) is not installed';

/** `promtool check metrics` on the text, as a subtest that says it was skipped and why when promtool is absent. */
async function passesPromtool(t: TestContext, text: string): Promise<void> {
  await t.test('passes promtool check metrics', (st) => {
    if (!promtool) return st.skip(NO_PROMTOOL);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
  });
}

/** The samples of a textfile: "name{a="x",b="y"}" → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m) out.set(m[1]! + (m[2] ?? ''), Number(m[3]));
  }
  return out;
}

describe('--metrics-file: Prometheus textfile of the run', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-metrics-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("of the default lab: passes promtool, and every value is the report's", async (t) => {
    const prom = join(dir, 'ah.prom');
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '--limit', 'lab-srx-01,lab-srx-03', '--report', join(dir, 'ah.json'), '--metrics-file', prom, '--lock-dir', dir, '-q']);
    assert.equal(r.code, 0, r.stderr);
    const text = await readFile(prom, 'utf8');
    assert.deepEqual((await readdir(dir)).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
    await passesPromtool(t, text);
    assert.match(text, /^# HELP runbook_run_hosts .+\n# TYPE runbook_run_hosts gauge$/m);
    const report = JSON.parse(await readFile(join(dir, 'ah.json'), 'utf8')) as Report;
    const run = report.run;
    const m = samples(text);
    const p = 'playbook="ah-cleanup"';
    assert.equal(m.get(`runbook_run_start_timestamp_seconds{${p}}`), Date.parse(run.startedAt) / 1000);
    assert.equal(m.get(`runbook_run_end_timestamp_seconds{${p}}`), Date.parse(run.finishedAt) / 1000);
    assert.equal(m.get(`runbook_run_duration_seconds{${p}}`), (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000);
    assert.equal(m.get(`runbook_run_exit_code{${p}}`), 0);
    for (const status of ['ok', 'changed', 'skipped', 'failed', 'unreachable'] as const) assert.equal(m.get(`runbook_run_hosts{${p},status="${status}"}`), run.recap[status], status);
    assert.equal(m.get(`runbook_run_statements_planned{${p}}`), run.hosts.reduce((n, h) => n + h.plan.length, 0));
    assert.equal(m.get(`runbook_run_statements_sent{${p}}`), 0);
    for (const h of run.hosts) {
      const l = `${p},host="${h.host}"`;
      assert.equal(m.get(`runbook_host_status{${l},status="${h.status}"}`), 1);
      assert.equal(m.get(`runbook_host_ah_sessions{${l}}`), h.evidence['ah.count']);
      assert.equal(m.get(`runbook_host_statements_planned{${l}}`), h.plan.length);
      assert.equal(m.get(`runbook_host_peers_selected{${l}}`), h.status === 'changed' ? (h.evidence.top_peers as unknown[]).length : undefined);
    }
  });

  it('of the session-table guard: use per host and SPU, as a ratio of the report\'s counts', async () => {
    const inventory = join(dir, 'full.yml');
    await writeFile(inventory, 'all:\n  hosts:\n    lab-full-1: { lab_scenario: full, lab_seed: 1 }\n');
    const prom = join(dir, 'guard.prom');
    const r = await runCli(['apply', 'playbooks/session-table-guard.yml', '-i', inventory, '--report', join(dir, 'guard.json'), '--metrics-file', prom, '--lock-dir', dir, '--audit-log', join(dir, 'audit.jsonl'), '-q']);
    assert.equal(r.code, 0, r.stderr);
    const host = (JSON.parse(await readFile(join(dir, 'guard.json'), 'utf8')) as Report).run.hosts[0]!;
    const spus = host.evidence.spus as { node: string; spu: string; active: number; max: number }[];
    assert.ok(spus.length > 0, 'the full scenario is above the watermark: its SPUs are in the evidence');
    const m = samples(await readFile(prom, 'utf8'));
    for (const s of spus) {
      const l = `playbook="session-table-guard",host="lab-full-1",spu="${[s.node, s.spu].filter(Boolean).join(' ') || 'SPU'}"`;
      assert.equal(m.get(`runbook_host_session_table_use_ratio{${l}}`), s.active / s.max);
      assert.equal(m.get(`runbook_host_session_table_sessions{${l}}`), s.active);
      assert.equal(m.get(`runbook_host_session_table_max_sessions{${l}}`), s.max);
    }
  });

  it("of the session-table guard over the default lab: hosts skipped below the watermark still have their use per SPU, in the report and the metrics", async (t) => {
    const prom = join(dir, 'guard-lab.prom');
    const json = join(dir, 'guard-lab.json');
    const r = await runCli(['apply', 'playbooks/session-table-guard.yml', '--report', json, '--metrics-file', prom, '--lock-dir', dir, '--audit-log', join(dir, 'audit.jsonl'), '-q']);
    assert.equal(r.code, 0, r.stderr);
    const text = await readFile(prom, 'utf8');
    await passesPromtool(t, text);
    const m = samples(text);
    const hosts = (JSON.parse(await readFile(json, 'utf8')) as Report).run.hosts;
    assert.deepEqual(hosts.map((h) => h.host), ['lab-srx-01', 'lab-srx-02', 'lab-srx-03', 'lab-srx-04', 'lab-srx-05']);
    for (const h of hosts) {
      assert.equal(h.status, 'skipped', h.host);
      assert.match(h.reason ?? '', /below the high watermark 80%/);
      const spus = h.evidence.spus as { node: string | null; spu: string; active: number; max: number; percent: number }[];
      // Every SPU the host read, with the figures its log said.
      assert.equal(spus.length, h.evidence['summary.count'], h.host);
      const said = h.log.map((e) => /^ {2}(.+): (\d+) of (\d+) sessions \(([\d.]+)%\)$/.exec(e.text)).filter((x) => x !== null);
      assert.deepEqual(spus.map((s) => [[s.node, s.spu].filter(Boolean).join(' '), s.active, s.max, s.percent]), said.map((x) => [x[1], Number(x[2]), Number(x[3]), Number(x[4])]));
      assert.equal(h.evidence.busiest_percent, Math.max(...spus.map((s) => s.percent)));
      for (const s of spus) {
        const l = `playbook="session-table-guard",host="${h.host}",spu="${[s.node, s.spu].filter(Boolean).join(' ')}"`;
        assert.equal(m.get(`runbook_host_session_table_use_ratio{${l}}`), s.active / s.max, l);
        assert.equal(m.get(`runbook_host_session_table_sessions{${l}}`), s.active, l);
        assert.equal(m.get(`runbook_host_session_table_max_sessions{${l}}`), s.max, l);
      }
    }
    assert.ok((hosts[4]!.evidence.spus as { node: string }[]).some((s) => s.node === 'node1'), 'the cluster counts per node');
  });

  it("of an acting run: statements sent, per host and over the run, are the report's sent actions", async (t) => {
    const server = await HostileServer.start({ scenario: 'busy', seed: 1 });
    const acting = await mkdtemp(join(dir, 'acting-'));
    try {
      const inventory = await server.writeInventory(acting, 'fw-act-1');
      const prom = join(acting, 'act.prom');
      const json = join(acting, 'act.json');
      const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '-e', 'dry_run=false', '--yes', '--report', json, '--metrics-file', prom, '--lock-dir', acting, '--audit-log', join(acting, 'audit.jsonl'), '--backup-dir', join(acting, 'backups'), '-q'], { env: server.env() });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const text = await readFile(prom, 'utf8');
      await passesPromtool(t, text);
      const run = (JSON.parse(await readFile(json, 'utf8')) as Report).run;
      const host = run.hosts[0]!;
      const sent = host.actions.filter((a) => a.status === 'sent').length;
      assert.ok(sent > 0, 'the run sent clears (else a hard-coded 0 would pass)');
      assert.equal(server.rpcNames.filter((n) => n.startsWith('clear')).length, sent, 'each sent action reached the device');
      const m = samples(text);
      const p = 'playbook="ah-cleanup"';
      assert.equal(m.get(`runbook_run_dry_run{${p}}`), 0);
      assert.equal(m.get(`runbook_run_exit_code{${p}}`), 0);
      assert.equal(m.get(`runbook_run_statements_sent{${p}}`), sent);
      assert.equal(m.get(`runbook_host_statements_sent{${p},host="fw-act-1"}`), sent);
      assert.equal(m.get(`runbook_host_statements_planned{${p},host="fw-act-1"}`), host.plan.length);
      assert.equal(m.get(`runbook_host_status{${p},host="fw-act-1",status="changed"}`), 1);
    } finally {
      await server.close();
    }
  });

  it('of a run where a collect fails on one host: exit code 3, and the hosts by status', async (t) => {
    const failing = await HostileServer.start({
      onRpc: async (rpc, reply) => {
        if (rpc.name !== 'get-flow-session-information') return false;
        await reply.whole(`${reply.open}<rpc-error><error-severity>error</error-severity><error-message>flow table unavailable</error-message></rpc-error>${reply.close}`);
        return true;
      },
    });
    const healthy = await HostileServer.start({ scenario: 'busy', seed: 1 });
    const fdir = await mkdtemp(join(dir, 'failing-'));
    try {
      const inventory = await writeFleetInventory(fdir, { 'fw-bad-1': failing, 'fw-good-1': healthy });
      const prom = join(fdir, 'fail.prom');
      const json = join(fdir, 'fail.json');
      const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--report', json, '--metrics-file', prom, '--lock-dir', fdir, '--audit-log', join(fdir, 'audit.jsonl'), '-q'], { env: failing.env() });
      assert.equal(r.code, 3, r.stdout + r.stderr);
      const text = await readFile(prom, 'utf8');
      await passesPromtool(t, text);
      const run = (JSON.parse(await readFile(json, 'utf8')) as Report).run;
      assert.deepEqual(run.hosts.map((h) => [h.host, h.status]), [['fw-bad-1', 'failed'], ['fw-good-1', 'changed']]);
      const m = samples(text);
      const p = 'playbook="ah-cleanup"';
      assert.equal(m.get(`runbook_run_exit_code{${p}}`), 3);
      assert.deepEqual(
        ['ok', 'changed', 'skipped', 'failed', 'unreachable'].map((status) => m.get(`runbook_run_hosts{${p},status="${status}"}`)),
        [0, 1, 0, 1, 0],
      );
      assert.equal(m.get(`runbook_host_status{${p},host="fw-bad-1",status="failed"}`), 1);
      assert.equal(m.get(`runbook_host_status{${p},host="fw-good-1",status="changed"}`), 1);
    } finally {
      await failing.close();
      await healthy.close();
    }
  });

  it('the example alert rules load, and fire on a failed host for 2 h', { skip: promtool ? false : NO_PROMTOOL }, () => {
    const check = spawnSync('promtool', ['check', 'rules', 'deploy/prometheus/runbook-alerts.yml'], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    const test = spawnSync('promtool', ['test', 'rules', 'test/fixtures/prometheus/runbook-alerts.test.yml'], { encoding: 'utf8' });
    assert.equal(test.status, 0, test.stdout + test.stderr);
  });

  it('a metrics file that cannot be written is a warning; the exit code is the run\'s', async () => {
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '--limit', 'lab-srx-03', '--metrics-file', join(dir, 'no-such-dir', 'x.prom'), '--lock-dir', dir, '-q']);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /warning: metrics not written to .*x\.prom/);
  });
});
