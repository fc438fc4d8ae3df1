import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import type { Report } from '../../src/report/json-report.ts';
import { SAME_INTERRUPT_MS } from '../../src/cli/run-control.ts';
import { RUNBOOK_BIN } from '../helpers/cli.ts';
import { HostileServer, type ReceivedRpc } from '../helpers/hostile-server.ts';
import { startInPty } from '../helpers/pty.ts';

interface AuditLine {
  run: string;
  host: string;
  seq: number;
  phase: 'intent' | 'outcome';
  rpc: string;
  cli: string;
  args?: Record<string, string>;
  outcome?: 'ok' | 'failed' | 'unknown';
}

const readAudit = async (file: string): Promise<AuditLine[]> =>
  (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as AuditLine);

/**
 * A device that executes the third clear it gets and never answers it: the moment where
 * a kill used to lose the clear from both the audit log and the report.
 */
async function withholdingServer(): Promise<{ server: HostileServer; withheld: Promise<ReceivedRpc>; clears: () => ReceivedRpc[] }> {
  let seen = 0;
  let resolveWithheld!: (r: ReceivedRpc) => void;
  const withheld = new Promise<ReceivedRpc>((r) => (resolveWithheld = r));
  const server: HostileServer = await HostileServer.start({
    onRpc: (rpc) => {
      if (!rpc.name.startsWith('clear-')) return false;
      if (++seen !== 3) return false;
      // The device does it (the lab's state changes) and the answer never leaves.
      server.backend.answer(rpc.node.children[0]!, { id: 1, user: 'lab' });
      resolveWithheld(rpc);
      return true;
    },
  });
  return { server, withheld, clears: () => server.received.filter((r) => r.name.startsWith('clear-')) };
}

const acting = (inv: string, dir: string) => [
  'apply', 'playbooks/ah-cleanup.yml', '-i', inv, '-e', 'dry_run=false', '--yes', '--rpc-timeout', '600',
  '--report', join(dir, 'report.json'), '--audit-log', join(dir, 'audit.jsonl'), '--lock-dir', join(dir, 'locks'),
];

/** Audit intents match, one to one and in order, the state-changing RPCs the device received. */
function assertIntentsAreWhatTheDeviceGot(lines: AuditLine[], received: ReceivedRpc[]): void {
  const intents = lines.filter((l) => l.phase === 'intent');
  assert.deepEqual(intents.map((l) => l.rpc), received.map((r) => r.name));
  for (const [i, l] of intents.entries()) {
    for (const [k, v] of Object.entries(l.args ?? {})) assert.match(received[i]!.xml, new RegExp(`<${k}>${v.replace(/\./g, '\\.')}</${k}>`), `${l.cli}: ${k}`);
  }
}

it('SIGKILL after the device executed a clear and before it answered: the audit log shows that clear as sent, outcome unknown; the last report survives', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'runbook-kill-'));
  const { server, withheld, clears } = await withholdingServer();
  try {
    const inv = await server.writeInventory(dir, 'hostile-srx', { min_peer_sessions: 40 });
    const previous = '{"an earlier": "report"}\n';
    await writeFile(join(dir, 'report.json'), previous);
    const child = spawn(process.execPath, [RUNBOOK_BIN, ...acting(inv, dir)], { env: { ...process.env, ...server.env(), NO_COLOR: '1', CI: 'true' }, stdio: 'ignore' });
    const closed = once(child, 'close');
    await withheld;
    child.kill('SIGKILL');
    await closed;

    const lines = await readAudit(join(dir, 'audit.jsonl'));
    assertIntentsAreWhatTheDeviceGot(lines, clears());
    const intents = lines.filter((l) => l.phase === 'intent');
    assert.equal(intents.length, 3);
    const outcomes = new Map(lines.filter((l) => l.phase === 'outcome').map((l) => [l.seq, l.outcome]));
    assert.deepEqual(intents.map((l) => outcomes.get(l.seq)), ['ok', 'ok', undefined], 'the withheld clear: an intent with no outcome, i.e. sent, outcome unknown');
    // Written whole or not at all: the kill left the last report as it was.
    assert.equal(await readFile(join(dir, 'report.json'), 'utf8'), previous);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

it('two Ctrl-C typed at a terminal while the device holds the answer to a clear it executed: exit 130, the audit log says outcome unknown, the report has every RPC the device got and the real mode', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'runbook-ctrlc-'));
  const { server, withheld, clears } = await withholdingServer();
  try {
    const inv = await server.writeInventory(dir, 'hostile-srx', { min_peer_sessions: 40 });
    const t = startInPty(acting(inv, dir), { env: server.env() });
    try {
      await withheld;
      t.type('\x03');
      await t.waitFor(/interrupted \(SIGINT\): finishing hosts in flight/);
      // A second Ctrl-C within SAME_INTERRUPT_MS is taken for the first passed on again (npx does that); wait past it.
      await new Promise((r) => setTimeout(r, SAME_INTERRUPT_MS * 2));
      t.type('\x03');
      assert.equal(await t.exited, 130, t.output());
    } finally {
      t.child.kill('SIGKILL');
    }

    const lines = await readAudit(join(dir, 'audit.jsonl'));
    assertIntentsAreWhatTheDeviceGot(lines, clears());
    const intents = lines.filter((l) => l.phase === 'intent');
    const outcomes = new Map(lines.filter((l) => l.phase === 'outcome').map((l) => [l.seq, l.outcome]));
    assert.deepEqual(intents.map((l) => outcomes.get(l.seq)), ['ok', 'ok', 'unknown']);

    const rep = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as Report;
    assert.equal(rep.run.dryRun, false, 'the mode the run had, not a guess from the hosts finished');
    assert.equal(rep.run.interrupted, true);
    assert.deepEqual(rep.run.notRun, []);
    const h = rep.run.hosts[0]!;
    assert.equal(h.host, 'hostile-srx');
    assert.equal(h.error?.kind, 'interrupted');
    assert.deepEqual(h.actions.map((a) => a.action.cli), intents.map((l) => l.cli));
    assert.deepEqual(h.actions.map((a) => [a.status, a.error?.kind]), [['sent', undefined], ['sent', undefined], ['failed', 'unknown']]);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
