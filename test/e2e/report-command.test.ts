import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';

describe('runbook report and show --format html', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-report-cmd-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('refuses a file that is not JSON, located, exit 2, and writes nothing', async () => {
    await writeFile(join(dir, 'bad.json'), '{\n  "format": "runbook-report/1",\n  oops\n}\n');
    const r = await runCli(['report', join(dir, 'bad.json'), '--html', join(dir, 'out.html')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /bad\.json:3:3: is not valid JSON/);
    await assert.rejects(readFile(join(dir, 'out.html')));
  });

  it('refuses a plan or any other JSON given as a report', async () => {
    await writeFile(join(dir, 'other.json'), '{"format": "runbook-plan/1"}');
    const r = await runCli(['report', join(dir, 'other.json'), '--html', join(dir, 'out.html')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /other\.json: is not a runbook report: it has no "format": "runbook-report\/1"/);
  });

  it('renders a plan as the HTML page, one row per planned host (show --format html, plan --html)', async () => {
    const plan = join(dir, 'plan.json');
    const made = await runCli(['plan', 'playbooks/ah-cleanup.yml', '-o', plan, '--limit', 'lab-srx-01,lab-srx-03', '-q', '--html', join(dir, 'plan.html')]);
    assert.equal(made.code, 0, made.stderr);
    const r = await runCli(['show', plan, '--format', 'html']);
    assert.equal(r.code, 0, r.stderr);
    const fromPlanCommand = await readFile(join(dir, 'plan.html'), 'utf8');
    assert.match(fromPlanCommand, /<tr class="host-row"[^>]*data-host="lab-srx-01" data-status="changed"/);
    assert.match(r.stdout, /^<!doctype html>/);
    assert.deepEqual([...r.stdout.matchAll(/<tr class="host-row"[^>]*data-host="([^"]+)" data-status="(\w+)"/g)].map((m) => [m[1], m[2]]), [['lab-srx-01', 'changed'], ['lab-srx-03', 'skipped']]);
    assert.match(r.stdout, /plan for review: nothing was sent/);
    assert.doesNotMatch(r.stdout, /<(script|link|img)[^>]+(src|href)=/i, 'nothing loaded from anywhere');
  });
});
