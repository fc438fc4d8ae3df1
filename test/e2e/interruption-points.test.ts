import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { SAME_INTERRUPT_MS } from '../../src/cli/run-control.ts';
import type { Report } from '../../src/report/json-report.ts';
import { HostileServer, type ReceivedRpc } from '../helpers/hostile-server.ts';
import { startInPty } from '../helpers/pty.ts';

interface AuditLine {
  seq: number;
  phase: 'intent' | 'outcome';
  rpc: string;
  cli: string;
  outcome?: string;
}

/** RPCs that change a device's running or candidate configuration or its state. */
const changing = (name: string) => name.startsWith('clear-') || name === 'load-configuration' || name === 'commit-configuration';

/**
 * A device that stops at one RPC (the `nth` one `at` matches): it either holds the RPC
 * until the test releases it (then answers as the lab), or executes it and never answers.
 */
async function pausingServer(scenario: string, at: (rpc: ReceivedRpc) => boolean, nth: number, how: 'hold' | 'execute-and-withhold') {
  let seen = 0;
  let reached!: () => void;
  const paused = new Promise<void>((r) => (reached = r));
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const server: HostileServer = await HostileServer.start({
    scenario,
    onRpc: async (rpc) => {
      if (!at(rpc) || ++seen !== nth) return false;
      reached();
      if (how === 'hold') {
        await released;
        return false;
      }
      server.backend.answer(rpc.node.children[0]!, { id: 1, user: 'lab' });
      return true;
    },
  });
  return { server, paused, release };
}

async function interrupted(opts: { scenario: string; playbook: string; vars: Record<string, unknown>; at: (rpc: ReceivedRpc) => boolean; nth: number; how: 'hold' | 'execute-and-withhold'; presses: 1 | 2 }) {
  const dir = await mkdtemp(join(tmpdir(), 'runbook-points-'));
  const { server, paused, release } = await pausingServer(opts.scenario, opts.at, opts.nth, opts.how);
  try {
    const inv = await server.writeInventory(dir, 'srx', opts.vars);
    const report = join(dir, 'report.json');
    const auditFile = join(dir, 'audit.jsonl');
    const t = startInPty(['apply', opts.playbook, '-i', inv, '-e', 'dry_run=false', '--yes', '--rpc-timeout', '600', '--report', report, '--audit-log', auditFile, '--lock-dir', join(dir, 'locks')], { env: server.env() });
    let code: number | null;
    try {
      await paused;
      t.type('\x03');
      await t.waitFor(/interrupted \(SIGINT\): finishing hosts in flight/);
      if (opts.presses === 2) {
        await new Promise((r) => setTimeout(r, SAME_INTERRUPT_MS * 2));
        t.type('\x03');
      } else {
        release();
      }
      code = await t.exited;
    } finally {
      release();
      t.child.kill('SIGKILL');
    }
    const audit = (await readFile(auditFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as AuditLine);
    const intents = audit.filter((l) => l.phase === 'intent');
    const outcome = new Map(audit.filter((l) => l.phase === 'outcome').map((l) => [l.seq, l.outcome]));
    const rep = JSON.parse(await readFile(report, 'utf8')) as Report;
    // Stopped at once or not, the report is a report.
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    (addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv }).default(ajv);
    const validate = ajv.compile(JSON.parse(await readFile('schemas/report.schema.json', 'utf8')) as object);
    assert.ok(validate(rep), JSON.stringify(validate.errors));
    // The audit log and the device agree, RPC for RPC.
    assert.deepEqual(intents.map((l) => l.rpc), server.rpcNames.filter(changing));
    return { code, t, intents, outcomes: intents.map((l) => outcome.get(l.seq)), host: rep.run.hosts[0]!, rep };
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const ahCleanup = { scenario: 'three-peers', playbook: 'playbooks/ah-cleanup.yml', vars: { min_peer_sessions: 40 } };

it('Ctrl-C during collect: the host finishes, every clear it got is audited ok and in the report', async () => {
  const r = await interrupted({ ...ahCleanup, at: (rpc) => rpc.name === 'get-flow-session-information', nth: 1, how: 'hold', presses: 1 });
  assert.equal(r.code, 130, r.t.output());
  assert.equal(r.host.status, 'changed');
  assert.ok(r.intents.length > 0);
  assert.ok(r.outcomes.every((o) => o === 'ok'));
  assert.deepEqual(r.host.actions.filter((a) => a.status === 'sent').map((a) => a.action.cli), r.intents.map((l) => l.cli));
});

it('Ctrl-C between two clears of one host: the act step finishes; audit, report and device agree', async () => {
  const r = await interrupted({ ...ahCleanup, at: (rpc) => rpc.name.startsWith('clear-'), nth: 2, how: 'hold', presses: 1 });
  assert.equal(r.code, 130, r.t.output());
  assert.equal(r.host.status, 'changed');
  assert.equal(r.intents.length, r.host.plan.length, 'every planned clear was sent');
  assert.ok(r.outcomes.every((o) => o === 'ok'));
  assert.deepEqual(r.host.actions.map((a) => a.action.cli), r.intents.map((l) => l.cli));
});

it('two Ctrl-C during commit confirmed (executed, not answered): the load is ok, the commit outcome unknown, in the audit log and the report', async () => {
  const r = await interrupted({
    scenario: 'busy',
    playbook: 'playbooks/flow-aging-baseline.yml',
    vars: {},
    at: (rpc) => rpc.name === 'commit-configuration' && rpc.xml.includes('<confirmed/>'),
    nth: 1,
    how: 'execute-and-withhold',
    presses: 2,
  });
  assert.equal(r.code, 130, r.t.output());
  assert.deepEqual(r.intents.map((l) => l.cli.replace(/ comment .*/, '')), ['load set terminal', 'commit confirmed 5']);
  assert.deepEqual(r.outcomes, ['ok', 'unknown']);
  assert.equal(r.rep.run.dryRun, false);
  assert.equal(r.host.error?.kind, 'interrupted');
  assert.deepEqual(r.host.actions.map((a) => [a.action.rpc, a.status, a.error?.kind]), [['load-configuration', 'sent', undefined], ['commit-configuration', 'failed', 'unknown']]);
});
