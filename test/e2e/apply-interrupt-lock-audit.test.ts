import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Report } from '../../src/report/json-report.ts';
import { runCli, startCli } from '../helpers/cli.ts';
import { startLab } from '../helpers/lab.ts';
import { writeLabInventory } from '../helpers/lab-inventory.ts';

type StartedLab = Awaited<ReturnType<typeof startLab>>;

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

  it('a second Ctrl-C stops at once and still writes what it has', async () => {
    const report = join(lab.dir, 'stopped.json');
    const { child, output } = await startCli(args(report, join(lab.dir, 'locks-2')), /h1 \| collect/);
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    const [code] = (await once(child, 'close')) as [number];
    assert.equal(code, 130, output());
    const rep = JSON.parse(await readFile(report, 'utf8')) as Report;
    assert.equal(rep.run.interrupted, true);
    assert.deepEqual(rep.run.hosts, []);
    assert.deepEqual(rep.run.notRun, ['h1', 'h2', 'h3', 'h4']);
  });

  it('a second acting run on the same inventory while one is going exits 5 and leaves the first alone', async () => {
    const lockDir = join(lab.dir, 'locks-3');
    const acting = ['-e', 'dry_run=false', '--yes', '--audit-log', join(lab.dir, 'audit-3.jsonl')];
    const first = await startCli([...args(join(lab.dir, 'first.json'), lockDir), '--limit', 'h1', ...acting], /h1 \| collect/);
    const second = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--lock-dir', lockDir, ...acting]);
    assert.equal(second.code, 5, second.stdout + second.stderr);
    assert.match(second.stderr, /another runbook run \(pid \d+ on .*holds the lock for this inventory/);
    const [code] = (await once(first.child, 'close')) as [number];
    assert.equal(code, 0, first.output());
    // The lock is released: the next run starts.
    const third = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--limit', 'h2', '-q', '--lock-dir', lockDir, ...acting]);
    assert.equal(third.code, 0, third.stderr);
  });

  it('the audit log has one line per state-changing RPC sent, and a dry run writes none', async () => {
    const log = join(lab.dir, 'audit.jsonl');
    const dry = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--limit', 'h4', '-q', '--audit-log', log, '--lock-dir', join(lab.dir, 'locks-4')]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(existsSync(log), false);
    const wet = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--limit', 'h4', '-q', '-e', 'dry_run=false', '--yes', '--audit-log', log, '--report', join(lab.dir, 'wet.json'), '--lock-dir', join(lab.dir, 'locks-4')]);
    assert.equal(wet.code, 0, wet.stderr);
    const lines = (await readFile(log, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { host: string; rpc: string; cli: string; status: string });
    const rep = JSON.parse(await readFile(join(lab.dir, 'wet.json'), 'utf8')) as Report;
    assert.deepEqual(lines.map((l) => l.cli), rep.run.hosts[0].plan.map((a) => a.cli));
    assert.ok(lines.every((l) => l.host === 'h4' && l.status === 'sent'));
    assert.equal(lines[0].rpc, 'clear-ike-security-association');
  });
});
