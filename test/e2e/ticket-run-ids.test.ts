import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { DeviceBackend } from '../../src/lab/backend.ts';
import { LAB_PASSWORD, LAB_PASSWORD_ENV, LAB_USER } from '../../src/lab/lab.ts';
import type { PlanArtifact } from '../../src/plan/artifact.ts';
import { parsePlan } from '../../src/plan/read.ts';
import { readReport } from '../../src/report/read-report.ts';
import { runCli } from '../helpers/cli.ts';
import { startLab } from '../helpers/lab.ts';
import { writeLabInventory } from '../helpers/lab-inventory.ts';

type StartedLab = Awaited<ReturnType<typeof startLab>>;

const PYTHON = '/usr/bin/python3';
const INTEROP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'interop');
const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{8}$/;
const PLAYBOOK = 'playbooks/flow-aging-baseline.yml';

/** Only what the probe needs: no PYTHONPATH or pyenv variables, no real ~/.ssh. */
const pythonEnv = (): NodeJS.ProcessEnv => ({ PATH: '/usr/bin:/bin', HOME: tmpdir(), LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1', [LAB_PASSWORD_ENV]: LAB_PASSWORD });
const importFails = spawnSync(PYTHON, ['-c', 'import ncclient'], { encoding: 'utf8', timeout: 20_000, env: pythonEnv() });
const NO_NCCLIENT = importFails.error || importFails.status !== 0 ? `${PYTHON} cannot import ncclient (apt-get install python3-ncclient)` : undefined;

interface CommitEntry {
  'sequence-number': string;
  user: string;
  client: string;
  comment: string | null;
  log: string | null;
}

/** The device's commit history as ncclient reads it (get-commit-information). */
function commitsByNcclient(lab: StartedLab, host: string): Promise<CommitEntry[]> {
  const h = lab.host(host);
  const args = [join(INTEROP_DIR, 'ncclient_commits.py'), '--host', h.address, '--port', String(h.port), '--user', LAB_USER, '--known-hosts', lab.knownHostsFile, '--timeout', '60'];
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, { cwd: INTEROP_DIR, env: pythonEnv(), stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000, killSignal: 'SIGKILL' });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`ncclient_commits.py exited ${code}: ${out}\n${err.slice(-3000)}`));
      resolve((JSON.parse(out) as { commits: CommitEntry[] }).commits);
    });
  });
}

/**
 * Ticket and run ids end to end: the CLI against lab devices, the commit comment read
 * back from the device by ncclient, the audit log, the report, the plan, and apply --plan's
 * refusal of another ticket.
 */
describe('ticket and run ids', () => {
  let lab: StartedLab;
  let inventory: string;
  let n = 0;
  const device = (name: string) => (lab.host(name).backend as DeviceBackend).device;
  const out = (name: string) => join(lab.dir, `${++n}-${name}`);
  const common = () => ['-i', inventory, '--audit-log', join(lab.dir, 'audit.jsonl')];
  const lockDir = () => ['--lock-dir', join(lab.dir, 'locks')];
  const auditLines = async () => (await readFile(join(lab.dir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

  before(async () => {
    lab = await startLab([
      { name: 't1', scenario: 'busy', seed: 1 },
      { name: 't2', scenario: 'busy', seed: 2 },
      { name: 't3', scenario: 'busy', seed: 3 },
      { name: 't4', scenario: 'busy', seed: 4 },
    ]);
    inventory = await writeLabInventory(lab, { t4: { runbook_ticket: 'INV-9' } });
  });
  after(async () => lab.cleanup());

  it('every commit carries runbook <run-id> <ticket> <playbook>, read back by ncclient; the audit lines and the report carry the same ids', async (t: TestContext) => {
    const report = out('report.json');
    const r = await runCli(['apply', PLAYBOOK, ...common(), ...lockDir(), '--limit', 't1', '--ticket', 'CHG-4242', '--report', report, '-e', 'dry_run=false', '--yes'], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const rep = await readReport(report);
    assert.match(rep.runId ?? '', RUN_ID);
    assert.equal(rep.ticket, 'CHG-4242');
    assert.equal(r.stdout.split('\n')[1], `runbook: run ${rep.runId}, ticket CHG-4242`);
    const comment = `runbook ${rep.runId} CHG-4242 flow-aging-baseline.yml`;
    // commit confirmed, then the confirming commit: both carry the ids.
    assert.deepEqual(device('t1').config.history.slice(0, 2).map((c) => c.log), [comment, comment]);
    const lines = (await auditLines()).filter((l) => l.run === rep.runId);
    assert.equal(lines.filter((l) => l.phase === 'intent' && l.rpc === 'commit-configuration').length, 2, 'commit confirmed and commit, audited');
    assert.ok(lines.every((l) => l.ticket === 'CHG-4242' && l.host === 't1'));
    if (NO_NCCLIENT) return t.skip(NO_NCCLIENT);
    const commits = await commitsByNcclient(lab, 't1');
    assert.deepEqual(commits.slice(0, 2).map((c) => [c['sequence-number'], c.user, c.client, c.comment, c.log]), [
      ['0', LAB_USER, 'netconf', null, comment],
      ['1', LAB_USER, 'netconf', 'commit confirmed, rollback in 5mins', comment],
    ]);
  });

  it('a bad --ticket is an input error: exit 2, named, nothing contacted', async () => {
    const r = await runCli(['apply', PLAYBOOK, ...common(), ...lockDir(), '--limit', 't2', '--ticket', 'CHG 42', '-e', 'dry_run=false', '--yes'], { timeoutMs: 60_000 });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /--ticket "CHG 42": a ticket id is one word/);
    assert.deepEqual(device('t2').rpcLog, []);
  });

  it('a run that ends with nothing to do still reports its ids', async () => {
    const report = out('report.json');
    const r = await runCli(['apply', 'playbooks/clear-sessions.yml', ...common(), ...lockDir(), '--limit', 't2', '--ticket', 'NTD-1', '--report', report, '-e', 'dry_run=false', '--yes'], { timeoutMs: 60_000 });
    assert.equal(r.code, 7, r.stdout + r.stderr);
    const rep = await readReport(report);
    assert.equal(rep.ticket, 'NTD-1');
    assert.match(rep.runId ?? '', RUN_ID);
    assert.deepEqual(device('t2').rpcLog, []);
  });

  it('plan records the ticket and its run id; apply --plan runs under the plan\'s ticket and refuses another, contacting nothing', async () => {
    const planFile = out('plan.json');
    const made = await runCli(['plan', PLAYBOOK, ...common(), '--limit', 't3', '--ticket', 'CHG-7', '-o', planFile], { timeoutMs: 120_000 });
    assert.equal(made.code, 0, made.stdout + made.stderr);
    const plan: PlanArtifact = parsePlan(await readFile(planFile, 'utf8'), planFile);
    assert.equal(plan.ticket, 'CHG-7');
    assert.match(plan.runId ?? '', RUN_ID);
    assert.ok((await auditLines()).filter((l) => l.host === 't3').every((l) => l.run === plan.runId && l.ticket === 'CHG-7'), 'the planning run\'s audit lines');
    const md = await runCli(['show', planFile, '--format', 'md']);
    assert.match(md.stdout, /^- \*\*Ticket:\*\* `CHG-7`$/m);

    const seen = device('t3').rpcLog.length;
    const refused = await runCli(['apply', '--plan', planFile, ...common(), ...lockDir(), '--ticket', 'CHG-8', '--yes'], { timeoutMs: 60_000 });
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /--ticket CHG-8: .*plan\.json was reviewed under ticket CHG-7; refusing to apply it under another/);
    assert.equal(device('t3').rpcLog.length, seen, 'nothing contacted');

    const report = out('report.json');
    const applied = await runCli(['apply', '--plan', planFile, ...common(), ...lockDir(), '--report', report, '--yes'], { timeoutMs: 120_000 });
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    const rep = await readReport(report);
    assert.equal(rep.ticket, 'CHG-7');
    assert.notEqual(rep.runId, plan.runId, 'apply is a run of its own');
    assert.equal(device('t3').config.history[0]!.log, `runbook ${rep.runId} CHG-7 flow-aging-baseline.yml`);
  });

  it('without --ticket, the inventory\'s runbook_ticket is the run\'s ticket', async () => {
    const planFile = out('plan.json');
    const made = await runCli(['plan', PLAYBOOK, ...common(), '--limit', 't4', '-o', planFile], { timeoutMs: 120_000 });
    assert.equal(made.code, 0, made.stdout + made.stderr);
    assert.equal(parsePlan(await readFile(planFile, 'utf8'), planFile).ticket, 'INV-9');
  });
});
