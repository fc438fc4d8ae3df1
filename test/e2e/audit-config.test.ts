import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { HostileServer, type HostileOptions } from '../helpers/hostile-server.ts';

interface AuditLine {
  seq: number;
  phase: 'intent' | 'outcome';
  run: string;
  host: string;
  rpc: string;
  cli: string;
  statements?: string[];
  outcome?: string;
}

/** The configuration RPCs that change the candidate or the running configuration. */
const CHANGING = new Set(['load-configuration', 'commit-configuration']);

async function configRun(extra: readonly string[], onRpc?: HostileOptions['onRpc']) {
  const dir = await mkdtemp(join(tmpdir(), 'runbook-audit-config-'));
  const server = await HostileServer.start({ scenario: 'busy', ...(onRpc ? { onRpc } : {}) });
  try {
    const inv = await server.writeInventory(dir);
    const audit = join(dir, 'audit.jsonl');
    const r = await runCli(['apply', 'playbooks/flow-aging-baseline.yml', '-i', inv, '--audit-log', audit, '--lock-dir', join(dir, 'locks'), ...extra], { env: server.env() });
    const lines = (await readFile(audit, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as AuditLine);
    const intents = lines.filter((l) => l.phase === 'intent');
    const outcome = new Map(lines.filter((l) => l.phase === 'outcome').map((l) => [l.seq, l.outcome]));
    // One intent per configuration RPC that can change state, in the order the device got them.
    assert.deepEqual(intents.map((l) => l.rpc), server.rpcNames.filter((n) => CHANGING.has(n)));
    assert.ok(lines.every((l) => l.host === 'hostile-srx' && l.run === lines[0]!.run));
    return { r, steps: intents.map((l) => [l.cli.replace(/ comment .*/, ''), outcome.get(l.seq)]), intents };
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

it('audit log, configuration change committed: the load with its statements, commit confirmed and the confirming commit', async () => {
  const { r, steps, intents } = await configRun(['-e', 'dry_run=false', '--yes']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(steps, [['load set terminal', 'ok'], ['commit confirmed 5', 'ok'], ['commit', 'ok']]);
  assert.ok(intents[0]!.statements!.length > 0 && intents[0]!.statements!.every((s) => s.startsWith('set ') || s.startsWith('delete ')));
});

it('audit log, a commit the device refuses: the load, the refused commit confirmed, and the discard are all there', async () => {
  const { r, steps } = await configRun(['-e', 'dry_run=false', '--yes'], async (rpc, reply) => {
    if (rpc.name !== 'commit-configuration' || !rpc.xml.includes('<confirmed/>')) return false;
    await reply.whole(`${reply.open}<rpc-error><error-severity>error</error-severity><error-message>configuration check-out failed</error-message></rpc-error>\n${reply.close}`);
    return true;
  });
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.deepEqual(steps, [['load set terminal', 'ok'], ['commit confirmed 5', 'failed'], ['rollback 0', 'ok']]);
});

it('audit log, a dry run of a configuration change: what touched the candidate (load, commit check, the discard)', async () => {
  const { r, steps } = await configRun([]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(steps, [['load set terminal', 'ok'], ['commit check', 'ok'], ['rollback 0', 'ok']]);
});
