import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DeviceBackend } from '../../src/lab/backend.ts';
import type { Report } from '../../src/report/json-report.ts';
import { runCli } from '../helpers/cli.ts';
import { startLab } from '../helpers/lab.ts';
import { writeLabInventory } from '../helpers/lab-inventory.ts';

type StartedLab = Awaited<ReturnType<typeof startLab>>;

const HOSTS = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'];

describe('rolling rollouts over a lab fleet where some devices fail', () => {
  let lab: StartedLab;
  let inventory: string;
  const device = (name: string) => (lab.host(name).backend as DeviceBackend).device;
  const clears = (name: string) => device(name).stateChangingRpcs().filter((r) => r.outcome === 'ok').length;
  before(async () => {
    lab = await startLab([
      { name: 'r1', scenario: 'three-peers', seed: 1 },
      { name: 'r2', scenario: 'three-peers', seed: 2, faults: { refuse: true } },
      { name: 'r3', scenario: 'three-peers', seed: 3, faults: { rejectAuth: true } },
      { name: 'r4', scenario: 'three-peers', seed: 4, faults: { slowMs: 4000, rpcs: ['get-flow-session-information'] } },
      { name: 'r5', scenario: 'three-peers', seed: 5, faults: { rpcErrorOn: ['clear-ike-security-association', 'clear-ipsec-security-association'] } },
      { name: 'r6', scenario: 'three-peers', seed: 6 },
      { name: 'r7', scenario: 'three-peers', seed: 7 },
    ]);
    inventory = await writeLabInventory(lab, Object.fromEntries(HOSTS.map((h) => [h, { min_peer_sessions: 40 }])));
  });
  after(async () => lab.cleanup());

  const apply = (extra: string[], report: string) =>
    runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '-e', 'dry_run=false', '--yes', '--rpc-timeout', '1', '--report', report, '--lock-dir', join(lab.dir, 'locks'), '--audit-log', join(lab.dir, 'audit.jsonl'), ...extra], { timeoutMs: 120_000 });

  it('--check sends no state-changing RPC even with dry_run=false', async () => {
    const r = await apply(['--check', '--limit', 'r6,r7'], join(lab.dir, 'check.json'));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(device('r6').stateChangingRpcs(), []);
    assert.deepEqual(device('r7').stateChangingRpcs(), []);
  });

  it('a canary then batches of 3: the failure budget stops the rollout, unreachable hosts counting', async () => {
    const report = join(lab.dir, 'budget.json');
    const r = await apply(['--serial', '1,3', '--max-fail-percentage', '50'], report);
    assert.equal(r.code, 6, r.stdout + r.stderr);
    const rep = JSON.parse(await readFile(report, 'utf8')) as Report;
    assert.deepEqual(rep.run.batches, [['r1'], ['r2', 'r3', 'r4'], ['r5', 'r6', 'r7']]);
    assert.equal(rep.run.stopped?.afterBatch, 2);
    const status = Object.fromEntries(rep.run.hosts.map((h) => [h.host, `${h.status}${h.error ? `/${h.error.kind}` : ''}`]));
    assert.deepEqual(status, { r1: 'changed', r2: 'unreachable/connect', r3: 'unreachable/auth', r4: 'failed/timeout' });
    assert.deepEqual(rep.run.notRun, ['r5', 'r6', 'r7']);
    assert.equal(clears('r1'), 17);
    for (const h of ['r5', 'r6', 'r7']) assert.equal(clears(h), 0, h);
    assert.match(r.stdout, /stopped after batch 2: /);
    assert.match(r.stdout, /r6 +not run +the rollout stopped before this host started/);
  });

  it('any_errors_fatal: an rpc-error on a clear stops the rollout after that host', async () => {
    const report = join(lab.dir, 'fatal.json');
    const r = await apply(['--limit', 'r5,r6,r7', '--forks', '1', '--any-errors-fatal'], report);
    assert.equal(r.code, 6, r.stdout + r.stderr);
    const rep = JSON.parse(await readFile(report, 'utf8')) as Report;
    assert.deepEqual(rep.run.hosts.map((h) => [h.host, h.status]), [['r5', 'failed']]);
    assert.equal(rep.run.hosts[0].error?.kind, 'rpc-error');
    assert.ok(rep.run.hosts[0].actions.every((a) => a.status === 'failed'), 'on_error continue: every action was tried');
    assert.deepEqual(rep.run.notRun, ['r6', 'r7']);
    assert.equal(clears('r6'), 0);
  });
});
