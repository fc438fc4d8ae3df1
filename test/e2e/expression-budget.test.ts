import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SAME_INTERRUPT_MS } from '../../src/cli/run-control.ts';
import type { Report } from '../../src/report/json-report.ts';
import { runCli, startCli } from '../helpers/cli.ts';

/** A playbook whose second step's expression would run for ever (10^12 steps, a million-item range each). */
const RUNAWAY = `name: Runaway
steps:
  - name: Collect AH sessions
    register: ah
    collect:
      rpc: get-flow-session-information
      args: { protocol: ah }
      item: flow-session
      fields:
        peer: flow-information[direction='In']/source-address
  - name: Count for ever
    analyze:
      require: $count([1..1000000].$count([1..1000000])) > 0
      otherwise: never
`;

async function until(output: () => string, pattern: RegExp, ms = 60_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (pattern.test(output())) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`no ${pattern} within ${ms} ms; output:\n${output()}`);
}

describe('runbook apply: an expression that would run for ever', () => {
  let dir: string;
  let playbook: string;
  let inventory: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'runbook-expr-budget-'));
    playbook = join(dir, 'runaway.yml');
    writeFileSync(playbook, RUNAWAY);
    inventory = join(dir, 'inventory.yml');
    writeFileSync(inventory, 'all:\n  hosts:\n    lab-a: { lab_scenario: busy, lab_seed: 1 }\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('passes validate: what it costs shows only when it runs', async () => {
    const r = await runCli(['validate', playbook]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  it('validate refuses what it can see: a literal range over the budget, a regex RE2 cannot run (exit 2, located)', async () => {
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, RUNAWAY.replace('$count([1..1000000].$count([1..1000000])) > 0', '$count([1..1e7].[1..1e7]) > 0 and $contains(vars.x, /(a)\\1/)').replace('name: Runaway', 'name: Runaway\nvars:\n  x: abc'));
    const r = await runCli(['validate', bad]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`${bad}:15:25: .*the range \\[1\\.\\.10000000\\] has 10000000 items, more than an expression may build \\(1000000\\)`));
  });

  it('is ended by its time budget: the host fails, naming the step and where the expression is written', async () => {
    const report = join(dir, 'report.json');
    const r = await runCli(['apply', playbook, '-i', inventory, '-q', '--expr-timeout', '0.5', '--report', report, '--lock-dir', join(dir, 'locks')]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    const host = (JSON.parse(readFileSync(report, 'utf8')) as Report).run.hosts[0];
    assert.equal(host.status, 'failed');
    assert.equal(host.error?.kind, 'expression');
    assert.equal(host.error?.step, 'Count for ever');
    assert.equal(host.error?.message, `${playbook}:13:16: expression '$count([1..1000000].$count([1..1000000])) > 0' was stopped by its budget: it ran longer than 0.5 s`);
  });

  it('SIGTERM is served while it runs: the run stops, and a second SIGTERM exits 130 at once', async () => {
    const report = join(dir, 'interrupted.json');
    const { child, output } = await startCli(['apply', playbook, '-i', inventory, '-v', '--expr-timeout', '3600', '--report', report, '--lock-dir', join(dir, 'locks')], /analyze: Count for ever/, { timeoutMs: 60_000 });
    try {
      child.kill('SIGTERM');
      await until(output, /interrupted \(SIGTERM\): finishing hosts in flight/);
      // A second signal within SAME_INTERRUPT_MS is the first passed on again; a person's second one comes later.
      await new Promise((r) => setTimeout(r, SAME_INTERRUPT_MS * 2));
      child.kill('SIGTERM');
      const [code] = (await once(child, 'close')) as [number];
      assert.equal(code, 130, output());
      const rep = JSON.parse(readFileSync(report, 'utf8')) as Report;
      assert.equal(rep.run.interrupted, true);
      // The host in flight is in the report, stopped mid-analyze: failed as interrupted.
      assert.deepEqual(rep.run.hosts.map((h) => [h.host, h.status, h.error?.kind]), [['lab-a', 'failed', 'interrupted']]);
      assert.deepEqual(rep.run.notRun, []);
    } finally {
      // Whatever failed above, the runaway run does not outlive the test.
      child.kill('SIGKILL');
    }
  });
});
