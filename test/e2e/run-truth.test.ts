import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { HostileServer } from '../helpers/hostile-server.ts';

/** A run says what it targets and how, and its exit code tells done, nothing to do and not done apart. */
describe('what a run says about itself', () => {
  let dir: string;
  let server: HostileServer;
  let inventory: string;
  const common = () => ['-i', inventory, '--lock-dir', dir, '--audit-log', join(dir, 'audit.jsonl')];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-truth-'));
    server = await HostileServer.start({ scenario: 'full' });
    inventory = await server.writeInventory(dir, 'fw-edge-1');
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('clear-sessions with nothing asked for: exit 7 before connecting, saying why', async () => {
    const r = await runCli(['apply', 'playbooks/clear-sessions.yml', ...common(), '-e', 'dry_run=false', '--yes'], { env: server.env() });
    assert.equal(r.code, 7, r.stdout + r.stderr);
    assert.match(r.stdout, /^nothing to do: nothing asked for: give session_id, a filter/m);
    assert.equal(server.accepted, 0, 'no host was contacted');
    const plan = await runCli(['plan', 'playbooks/clear-sessions.yml', ...common().slice(0, 2), '-o', join(dir, 'plan.json')], { env: server.env() });
    assert.equal(plan.code, 7, plan.stdout + plan.stderr);
    assert.equal(server.accepted, 0);
  });

  it('names the inventory and ACTING first, and a refused prompt names the hosts it would touch', async () => {
    const r = await runCli(['apply', 'playbooks/clear-sessions.yml', ...common(), '-e', 'dry_run=false', '-e', 'destination_port=53'], { env: server.env() });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout.split('\n')[0], /^runbook: inventory .*hostile-inventory\.yml, 1 host · ACTING$/);
    assert.match(r.stderr, /state-changing RPCs to 1 host: fw-edge-1; inventory .*hostile-inventory\.yml, 1 host · ACTING\. Not on a terminal/);
    assert.equal(server.accepted, 0);
  });

  it('says CHECK for --check, whatever the vars say', async () => {
    const r = await runCli(['apply', 'playbooks/clear-sessions.yml', ...common(), '-e', 'dry_run=false', '-e', 'destination_port=53', '--check', '-q'], { env: server.env() });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout.split('\n')[0], /^runbook: inventory .*hostile-inventory\.yml, 1 host · CHECK$/);
    assert.deepEqual(server.rpcNames.filter((n) => n.startsWith('clear')), [], 'a check sends no clear');
  });
});
