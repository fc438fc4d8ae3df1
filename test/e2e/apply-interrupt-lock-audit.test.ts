import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Report } from '../../src/report/json-report.ts';
import { SAME_INTERRUPT_MS } from '../../src/cli/run-control.ts';
import { runCli, startCli } from '../helpers/cli.ts';
import { startLab } from '../helpers/lab.ts';
import { writeLabInventory } from '../helpers/lab-inventory.ts';

type StartedLab = Awaited<ReturnType<typeof startLab>>;

/** Resolves once the output so far matches (the CLI's own words, not a guess at timing). */
async function waitFor(output: () => string, re: RegExp): Promise<void> {
  for (let i = 0; i < 600 && !re.test(output()); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(output(), re);
}

/** Each host answers its flow-session collect after a pause, so a run can be caught mid-way. */
const SLOW = { slowMs: 1500, rpcs: ['get-flow-session-information'] };

describe('runbook apply: interruption, the run lock and the audit log', () => {
  let lab: StartedLab;
  let inventory: string;
  before(async () => {
    lab = await startLab(['h1', 'h2', 'h3', 'h4'].map((name, i) => ({ name, scenario: 'three-peers', seed: i + 1, faults: SLOW })));
    inventory = await writeLabInventory(lab, Object.fromEntries(['h1', 'h2', 'h3', 'h4'].map((h) => [h, { min_peer_sessions: 40 }])));
  });
  after(async () => lab.cleanup());

  const args = (report: string, lockDir: string) => ['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--forks', '1', '-v', '--report', report, '--lock-dir', lockDir];

  it('Ctrl-C: the host in flight finishes, no other starts, and the report says so', async () => {
    const report = join(lab.dir, 'interrupted.json');
    const { child, output } = await startCli(args(report, join(lab.dir, 'locks-1')), /h1 \| collect/);
    child.kill('SIGINT');
    const [code] = (await once(child, 'close')) as [number];
    assert.equal(code, 130, output());
    const rep = JSON.parse(await readFile(report, 'utf8')) as Report;
    assert.equal(rep.run.interrupted, true);
    assert.deepEqual(rep.run.hosts.map((h) => h.host), ['h1']);
    assert.equal(rep.run.hosts[0].status, 'changed');
    assert.deepEqual(rep.run.notRun, ['h2', 'h3', 'h4']);
    assert.match(output(), /h2 +not run/);
  });

  it('a second Ctrl-C stops at once and still writes what it has: the host in flight too, and the run\'s mode', async () => {
    const report = join(lab.dir, 'stopped.json');
    const { child, output } = await startCli(args(report, join(lab.dir, 'locks-2')), /h1 \| collect/);
    child.kill('SIGINT');
    await waitFor(output, /interrupted \(SIGINT\)/);
    // A signal within SAME_INTERRUPT_MS of the first is the same one passed on again (npx does that).
    await new Promise((r) => setTimeout(r, SAME_INTERRUPT_MS * 2));
    child.kill('SIGINT');
    const [code] = (await once(child, 'close')) as [number];
    assert.equal(code, 130, output());
    const rep = JSON.parse(await readFile(report, 'utf8')) as Report;
    assert.equal(rep.run.interrupted, true);
    assert.equal(rep.run.dryRun, true);
    assert.deepEqual(rep.run.hosts.map((h) => [h.host, h.status, h.error?.kind]), [['h1', 'failed', 'interrupted']]);
    assert.deepEqual(rep.run.notRun, ['h2', 'h3', 'h4']);
  });

  it('a signal passed on again at once (as npx does with the terminal\'s Ctrl-C) is one interrupt, not two', async () => {
    const report = join(lab.dir, 'twice.json');
    const { child, output } = await startCli([...args(report, join(lab.dir, 'locks-5')), '--limit', 'h1,h2'], /h1 \| collect/);
    child.kill('SIGINT');
    child.kill('SIGINT');
    const [code] = (await once(child, 'close')) as [number];
    assert.equal(code, 130, output());
    const rep = JSON.parse(await readFile(report, 'utf8')) as Report;
    assert.deepEqual(rep.run.hosts.map((h) => [h.host, h.status]), [['h1', 'changed']]);
    assert.deepEqual(rep.run.notRun, ['h2']);
  });

  it('a second run on the same inventory while one is going exits 5 and leaves the first alone', async () => {
    const lockDir = join(lab.dir, 'locks-3');
    const first = await startCli([...args(join(lab.dir, 'first.json'), lockDir), '--limit', 'h1'], /h1 \| collect/);
    const second = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--lock-dir', lockDir]);
    assert.equal(second.code, 5, second.stdout + second.stderr);
    assert.match(second.stderr, /another runbook run \(pid \d+.*holds the lock for this inventory/);
    const [code] = (await once(first.child, 'close')) as [number];
    assert.equal(code, 0, first.output());
    // The lock is released: the next run starts.
    const third = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--limit', 'h2', '-q', '--lock-dir', lockDir]);
    assert.equal(third.code, 0, third.stderr);
  });

  it('the audit log has one line per state-changing RPC sent, and a dry run writes none', async () => {
    const log = join(lab.dir, 'audit.jsonl');
    const dry = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--limit', 'h4', '-q', '--audit-log', log, '--lock-dir', join(lab.dir, 'locks-4')]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(existsSync(log), false);
    const wet = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--limit', 'h4', '-q', '-e', 'dry_run=false', '--yes', '--audit-log', log, '--report', join(lab.dir, 'wet.json'), '--lock-dir', join(lab.dir, 'locks-4')]);
    assert.equal(wet.code, 0, wet.stderr);
    const lines = (await readFile(log, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { host: string; seq: number; phase: string; rpc: string; cli: string; outcome?: string });
    const rep = JSON.parse(await readFile(join(lab.dir, 'wet.json'), 'utf8')) as Report;
    const intents = lines.filter((l) => l.phase === 'intent');
    assert.deepEqual(intents.map((l) => l.cli), rep.run.hosts[0].plan.map((a) => a.cli));
    // Each intent is followed, before the next one, by its outcome.
    assert.deepEqual(lines.map((l) => [l.phase, l.seq]), intents.flatMap((l) => [['intent', l.seq], ['outcome', l.seq]]));
    assert.ok(lines.every((l) => l.host === 'h4' && (l.phase === 'intent' || l.outcome === 'ok')));
    assert.equal(lines[0].rpc, 'clear-ike-security-association');
  });
});
