import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Report } from '../../src/report/json-report.ts';
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
  const INTERRUPTED = /runbook: interrupted: finishing hosts in flight/;

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

  it('a second Ctrl-C stops at once and still writes what it has', async () => {
    const report = join(dir, 'stopped.json');
    gate.hold();
    try {
      const cli = await startCli(args(report, join(dir, 'locks-2')), /h1 \| collect/, { env });
      const closed = once(cli.child, 'close');
      cli.child.kill('SIGINT');
      await cli.until(INTERRUPTED);
      // h1's collect is still held: the second Ctrl-C comes while it is in flight.
      cli.child.kill('SIGINT');
      const [code] = (await closed) as [number];
      assert.equal(code, 130, cli.output());
      const rep = JSON.parse(await readFile(report, 'utf8')) as Report;
      assert.equal(rep.run.interrupted, true);
      assert.deepEqual(rep.run.hosts, []);
      assert.deepEqual(rep.run.notRun, ['h1', 'h2', 'h3', 'h4']);
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
    const lines = (await readFile(log, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { host: string; rpc: string; cli: string; status: string });
    const rep = JSON.parse(await readFile(join(dir, 'wet.json'), 'utf8')) as Report;
    assert.deepEqual(lines.map((l) => l.cli), rep.run.hosts[0].plan.map((a) => a.cli));
    assert.ok(lines.every((l) => l.host === 'h4' && l.status === 'sent'));
    assert.equal(lines[0].rpc, 'clear-ike-security-association');
  });
});
