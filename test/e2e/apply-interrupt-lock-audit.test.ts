import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Report } from '../../src/report/json-report.ts';
import { SAME_INTERRUPT_MS } from '../../src/cli/run-control.ts';
import { runCli, startCli } from '../helpers/cli.ts';
import { HostileServer, writeFleetInventory } from '../helpers/hostile-server.ts';

const HOSTS = ['h1', 'h2', 'h3', 'h4'];

/**
 * Holds every device's flow-session reply until the test opens it, so a run is caught
 * mid-collect for as long as the test needs, however slow the machine: no test here
 * waits on a clock.
 */
class Gate {
  private opened: Promise<void> = Promise.resolve();
  private openIt: () => void = () => undefined;

  /** Replies wait from now on. */
  hold(): void {
    this.opened = new Promise((resolve) => (this.openIt = resolve));
  }

  open(): void {
    this.openIt();
  }

  passed(): Promise<void> {
    return this.opened;
  }
}

describe('runbook apply: interruption, the run lock and the audit log', () => {
  const gate = new Gate();
  const servers: Record<string, HostileServer> = {};
  let dir: string;
  let inventory: string;
  let env: Record<string, string>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-interrupt-'));
    for (const [i, name] of HOSTS.entries()) {
      servers[name] = await HostileServer.start({
        seed: i + 1,
        onRpc: async (rpc) => {
          if (rpc.name === 'get-flow-session-information') await gate.passed();
          return false;
        },
      });
    }
    inventory = await writeFleetInventory(dir, servers, Object.fromEntries(HOSTS.map((h) => [h, { min_peer_sessions: 40 }])));
    env = servers.h1.env();
  });
  after(async () => {
    gate.open();
    for (const s of Object.values(servers)) await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  const args = (report: string, lockDir: string) => ['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--forks', '1', '-v', '--report', report, '--lock-dir', lockDir];
  const INTERRUPTED = /runbook: interrupted \(SIGINT\): finishing hosts in flight/;

  it('Ctrl-C: the host in flight finishes, no other starts, and the report says so', async () => {
    const report = join(dir, 'interrupted.json');
    gate.hold();
    try {
      const cli = await startCli(args(report, join(dir, 'locks-1')), /h1 \| collect/, { env });
      const closed = once(cli.child, 'close');
      cli.child.kill('SIGINT');
      await cli.until(INTERRUPTED);
      gate.open();
      const [code] = (await closed) as [number];
      assert.equal(code, 130, cli.output());
      const rep = JSON.parse(await readFile(report, 'utf8')) as Report;
      assert.equal(rep.run.interrupted, true);
      assert.deepEqual(rep.run.hosts.map((h) => h.host), ['h1']);
      assert.equal(rep.run.hosts[0].status, 'changed');
      assert.deepEqual(rep.run.notRun, ['h2', 'h3', 'h4']);
      assert.match(cli.output(), /h2 +not run/);
    } finally {
      gate.open();
    }
  });

  it('a second Ctrl-C stops at once and still writes what it has: the host in flight too, and the run\'s mode', async () => {
    const report = join(dir, 'stopped.json');
    gate.hold();
    try {
      const cli = await startCli(args(report, join(dir, 'locks-2')), /h1 \| collect/, { env });
      const closed = once(cli.child, 'close');
      cli.child.kill('SIGINT');
      await cli.until(INTERRUPTED);
      // A signal within SAME_INTERRUPT_MS of the first is the same one passed on again (npx does that):
      // the second Ctrl-C of a person comes later. h1's collect is still held meanwhile.
      await new Promise((r) => setTimeout(r, SAME_INTERRUPT_MS * 2));
      cli.child.kill('SIGINT');
      const [code] = (await closed) as [number];
      assert.equal(code, 130, cli.output());
      const rep = JSON.parse(await readFile(report, 'utf8')) as Report;
      assert.equal(rep.run.interrupted, true);
      assert.equal(rep.run.dryRun, true);
      assert.deepEqual(rep.run.hosts.map((h) => [h.host, h.status, h.error?.kind]), [['h1', 'failed', 'interrupted']]);
      assert.deepEqual(rep.run.notRun, ['h2', 'h3', 'h4']);
    } finally {
      gate.open();
    }
  });

  it('a signal passed on again at once (as npx does with the terminal\'s Ctrl-C) is one interrupt, not two', async () => {
    const report = join(dir, 'twice.json');
    gate.hold();
    try {
      const cli = await startCli([...args(report, join(dir, 'locks-5')), '--limit', 'h1,h2'], /h1 \| collect/, { env });
      const closed = once(cli.child, 'close');
      cli.child.kill('SIGINT');
      cli.child.kill('SIGINT');
      await cli.until(INTERRUPTED);
      gate.open();
      const [code] = (await closed) as [number];
      assert.equal(code, 130, cli.output());
      const rep = JSON.parse(await readFile(report, 'utf8')) as Report;
      assert.deepEqual(rep.run.hosts.map((h) => [h.host, h.status]), [['h1', 'changed']]);
      assert.deepEqual(rep.run.notRun, ['h2']);
    } finally {
      gate.open();
    }
  });

  it('a second acting run on the same inventory while one is going exits 5 and leaves the first alone', async () => {
    const lockDir = join(dir, 'locks-3');
    // Only acting runs take the lock.
    const acting = ['-e', 'dry_run=false', '--yes', '--audit-log', join(dir, 'audit-3.jsonl')];
    gate.hold();
    try {
      // The first run holds the lock until its collect is let through.
      const first = await startCli([...args(join(dir, 'first.json'), lockDir), '--limit', 'h1', ...acting], /h1 \| collect/, { env });
      const firstClosed = once(first.child, 'close');
      const second = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--lock-dir', lockDir, ...acting], { env });
      assert.equal(second.code, 5, second.stdout + second.stderr);
      assert.match(second.stderr, /another runbook run \(pid \d+ on .*holds the lock for this inventory/);
      assert.deepEqual(servers.h2.rpcNames, [], 'the second run contacted nothing');
      gate.open();
      const [code] = (await firstClosed) as [number];
      assert.equal(code, 0, first.output());
    } finally {
      gate.open();
    }
    // The lock is released: the next run starts.
    const third = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--limit', 'h2', '-q', '--lock-dir', lockDir, '-e', 'dry_run=false', '--yes', '--audit-log', join(dir, 'audit-3.jsonl')], { env });
    assert.equal(third.code, 0, third.stderr);
  });

  it('the audit log has one line per state-changing RPC sent, and a dry run writes none', async () => {
    const log = join(dir, 'audit.jsonl');
    const dry = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--limit', 'h4', '-q', '--audit-log', log, '--lock-dir', join(dir, 'locks-4')], { env });
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(existsSync(log), false);
    const wet = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--limit', 'h4', '-q', '-e', 'dry_run=false', '--yes', '--audit-log', log, '--report', join(dir, 'wet.json'), '--lock-dir', join(dir, 'locks-4')], { env });
    assert.equal(wet.code, 0, wet.stderr);
    const lines = (await readFile(log, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { host: string; seq: number; phase: string; rpc: string; cli: string; outcome?: string });
    const rep = JSON.parse(await readFile(join(dir, 'wet.json'), 'utf8')) as Report;
    const intents = lines.filter((l) => l.phase === 'intent');
    assert.deepEqual(intents.map((l) => l.cli), rep.run.hosts[0].plan.map((a) => a.cli));
    // Each intent is followed, before the next one, by its outcome.
    assert.deepEqual(lines.map((l) => [l.phase, l.seq]), intents.flatMap((l) => [['intent', l.seq], ['outcome', l.seq]]));
    assert.ok(lines.every((l) => l.host === 'h4' && (l.phase === 'intent' || l.outcome === 'ok')));
    assert.equal(lines[0].rpc, 'clear-ike-security-association');
  });
});
