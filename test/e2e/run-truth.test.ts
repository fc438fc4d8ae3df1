import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
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
    const report = join(dir, 'check.json');
    const r = await runCli(['apply', 'playbooks/clear-sessions.yml', ...common(), '-e', 'dry_run=false', '-e', 'destination_port=53', '--check', '-q', '--report', report], { env: server.env() });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout.split('\n')[0], /^runbook: inventory .*hostile-inventory\.yml, 1 host · CHECK$/);
    const rep = JSON.parse(await readFile(report, 'utf8')) as { run: { dryRun: boolean; hosts: { vars: Record<string, unknown> }[] } };
    assert.equal(rep.run.dryRun, true);
    assert.equal(rep.run.hosts[0].vars.dry_run, true, 'the report\'s vars agree with what was done');
    assert.deepEqual(server.rpcNames.filter((n) => n.startsWith('clear')), [], 'a check sends no clear');
  });

  it('a device\'s forged error text is escaped on the terminal and kept exact in the report', async () => {
    // XML carries no C0 control and folds line breaks, but C1 controls (NEL, CSI) and bidi
    // overrides arrive intact: a terminal acts on them.
    const forged = 'bad thing\u0085PLAY RECAP \u009b2J\u202eok=9';
    const liar = await HostileServer.start({
      onRpc: async (rpc, reply) => {
        if (rpc.name !== 'get-flow-session-information') return false;
        await reply.whole(`${reply.open}<rpc-error><error-severity>error</error-severity><error-message>${forged}</error-message></rpc-error>${reply.close}`);
        return true;
      },
    });
    try {
      const liarDir = await mkdtemp(join(dir, 'liar-'));
      const inv = await liar.writeInventory(liarDir, 'fw-edge-1');
      const report = join(liarDir, 'report.json');
      for (const verbosity of [[], ['-q']]) {
        const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inv, '--report', report, '--lock-dir', liarDir, ...verbosity], { env: liar.env() });
        assert.equal(r.code, 3, r.stdout + r.stderr);
        assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('PLAY RECAP')).length, 1, r.stdout);
        assert.ok(r.stdout.includes('bad thing\\x85PLAY RECAP \\x9b2J\\u202eok=9'), r.stdout);
        assert.doesNotMatch(r.stdout, /[\u0085\u009b\u202e]/);
      }
      const rep = JSON.parse(await readFile(report, 'utf8')) as { run: { hosts: { error?: { message: string } }[] } };
      assert.ok(rep.run.hosts[0].error!.message.includes(forged), 'the report keeps the device\'s text exact');
    } finally {
      await liar.close();
    }
  });
});
