/**
 * Issue 13's end-to-end proofs: a rollout through Redis (BullMQ) and `runbook worker`
 * processes gives the report, audit log, recap and exit code of the same rollout run
 * locally on an identical lab (same scenarios, same seeds), and each device receives each
 * state-changing RPC exactly once. Each test starts its own labs: one driven through the
 * queue, its twin driven locally.
 */
import assert from 'node:assert/strict';
import { type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { DeviceBackend } from '../../src/lab/backend.ts';
import type { LabHostSpec } from '../../src/lab/lab.ts';
import type { PlanArtifact } from '../../src/plan/artifact.ts';
import type { Report } from '../../src/report/json-report.ts';
import { runCli, startCli, type CliResult, type StartedCli } from '../helpers/cli.ts';
import { startLab } from '../helpers/lab.ts';
import { writeLabInventory } from '../helpers/lab-inventory.ts';
import { redisUnavailable, startRedis, type RunningRedis } from '../helpers/redis.ts';

type StartedLab = Awaited<ReturnType<typeof startLab>>;
type AuditLine = Record<string, unknown>;

const PLAYBOOK = 'playbooks/ah-cleanup.yml';

/**
 * A small fleet with every outcome of ah-cleanup: hosts that clear their top two peers
 * (three-peers: 12 statements, one-peer: 18), hosts with no peer over the bar (ok), and
 * hosts below min_total_sessions (skipped); `refusingClears`: hosts that answer each IPsec
 * clear with an rpc-error (failed). 350 AH sessions from 8 peers keeps it fast.
 */
function fleet(n: number, opts: { refusingClears?: readonly number[] } = {}): { specs: LabHostSpec[]; vars: Record<string, Record<string, unknown>> } {
  const specs: LabHostSpec[] = [];
  const vars: Record<string, Record<string, unknown>> = {};
  for (let i = 0; i < n; i++) {
    const name = `srx-${String(i).padStart(3, '0')}`;
    const faults = opts.refusingClears?.includes(i) ? { faults: { rpcErrorOn: ['clear-ipsec-security-association'] } } : {};
    specs.push({ name, scenario: ['three-peers', 'one-peer', 'no-peer', 'three-peers'][i % 4]!, seed: i + 1, overrides: { ahSessions: 350, peers: 8 }, ...faults });
    vars[name] = { min_total_sessions: i % 4 === 3 ? 100_000 : 100, min_peer_sessions: 50, top_peers: 2, runbook_queue: i % 2 === 0 ? 'ams' : 'fra' };
  }
  return { specs, vars };
}

/** Two identical labs: one for the queue, one for the local run. */
async function twinLabs(specs: LabHostSpec[], vars: Record<string, Record<string, unknown>>, localSpecs = specs) {
  const queued = await startLab(specs);
  const local = await startLab(localSpecs);
  return { queued, local, queuedInventory: await writeLabInventory(queued, vars), localInventory: await writeLabInventory(local, vars) };
}

const deviceOf = (lab: StartedLab, host: string) => (lab.host(host).backend as DeviceBackend).device;
const rpcKey = (rpc: string, args: Readonly<Record<string, unknown>> | undefined) => `${rpc} ${JSON.stringify(args ?? {})}`;
/** The state-changing RPCs a device received, in order, as "rpc {args}". */
const changesReceived = (lab: StartedLab, host: string) => deviceOf(lab, host).stateChangingRpcs().map((e) => rpcKey(e.rpc, e.args));

/** Fields that differ between any two runs: times and durations. */
const VOLATILE = new Set(['startedAt', 'finishedAt', 'ms', 'readAt']);
/** A backup's files: kept where the host ran (a worker's --backup-dir), named by the run's start and id. */
const BACKUP_FILE = /\/\S*\/backups\/([^/\s]+)\/[^/\s]+\.(conf|set)/g;

function stripVolatile(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(BACKUP_FILE, '<backups>/$1/<run>.$2');
  if (Array.isArray(value)) return value.map(stripVolatile);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => !VOLATILE.has(k)).map(([k, v]) => [k, stripVolatile(v)]));
  }
  return value;
}

/** Two reports' runs equal host for host, but for what differs from run to run; a difference names its host. */
function assertSameRun(actual: Report, expected: Report): void {
  const summary = (r: Report) => ({ dryRun: r.run.dryRun, interrupted: r.run.interrupted, recap: r.run.recap, notRun: r.run.notRun, batches: r.run.batches, hosts: r.run.hosts.map((h) => h.host) });
  assert.deepEqual(summary(actual), summary(expected));
  for (const [i, host] of actual.run.hosts.entries()) assert.deepEqual(stripVolatile(host), stripVolatile(expected.run.hosts[i]), `host ${host.host}`);
}

/** The recap as printed (PLAY RECAP to the end). */
const recapOf = (stdout: string) => stdout.slice(stdout.indexOf('PLAY RECAP'));

const readReport = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as Report;
async function readAudit(file: string): Promise<AuditLine[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as AuditLine);
}

/** Sorted JSON texts: the same lines in any order compare equal. */
const asBag = (lines: readonly AuditLine[]) => lines.map((l) => JSON.stringify(l)).sort();

/** Runs the CLI with every output it writes in `dir` (plan takes no run lock). */
function runIn(dir: string, args: readonly string[]): Promise<CliResult> {
  const lock = args[0] === 'apply' ? ['--lock-dir', join(dir, 'locks')] : [];
  return runCli([...args, '--audit-log', join(dir, 'audit.jsonl'), ...lock], { cwd: dir, timeoutMs: 600_000 });
}

interface RunningWorker {
  readonly cli: StartedCli;
  readonly auditLog: string;
  readonly exit: Promise<number | null>;
}

async function startWorker(redis: RunningRedis, dir: string, name: string, queues: readonly string[], concurrency: number): Promise<RunningWorker> {
  const home = join(dir, name);
  await mkdir(home, { recursive: true });
  const auditLog = join(home, 'audit.jsonl');
  const args = ['worker', '--redis', redis.url, ...queues.flatMap((q) => ['--queue', q]), '--concurrency', String(concurrency), '--audit-log', auditLog, '--name', name];
  const cli = await startCli(args, /serving queue/, { cwd: home, timeoutMs: 60_000 });
  return { cli, auditLog, exit: exitOf(cli.child) };
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** SIGTERM by pid, SIGKILL if it has not gone after 30 s. */
async function stopWorker(w: RunningWorker): Promise<void> {
  if (w.cli.child.exitCode !== null || w.cli.child.signalCode !== null) return;
  w.cli.child.kill('SIGTERM');
  const timer = setTimeout(() => w.cli.child.kill('SIGKILL'), 30_000);
  await w.exit;
  clearTimeout(timer);
}

/** Polls `ready` every 100 ms; fails after `ms` (a generous bound, not a race). */
async function waitUntil(ready: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A queue's waiting and active jobs, as BullMQ keeps them. */
function redisJobCounts(redis: RunningRedis, queue: string): { waiting: number; active: number } {
  return { waiting: Number(redis.cli('LLEN', `runbook:${queue}:wait`).trim()), active: Number(redis.cli('LLEN', `runbook:${queue}:active`).trim()) };
}

const skip = redisUnavailable();

describe('distributed rollout: workers through Redis give what a local run gives', { skip }, () => {
  let dir: string;
  let redis: RunningRedis;
  const workers: RunningWorker[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-distributed-'));
    redis = await startRedis(join(dir, 'redis'));
    // Two queues (regions): two workers serve ams only, one serves ams and fra.
    workers.push(await startWorker(redis, dir, 'w1', ['ams'], 5));
    workers.push(await startWorker(redis, dir, 'w2', ['ams'], 5));
    workers.push(await startWorker(redis, dir, 'w3', ['ams', 'fra'], 5));
  });
  after(async () => {
    await Promise.all(workers.map(stopWorker));
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** A fresh temp dir for one run's outputs. */
  const runDir = async (name: string) => {
    const d = join(dir, name);
    await mkdir(d, { recursive: true });
    return d;
  };
  /** The test's labs, stopped when it ends (400 lab devices need not outlive their test). */
  const keep = <T extends { queued: StartedLab; local: StartedLab }>(t: TestContext, twins: T): T => {
    t.after(() => Promise.all([twins.queued.cleanup(), twins.local.cleanup()]));
    return twins;
  };

  it('200 devices, 3 workers on two queues, one coordinator: the local run\'s report, recap and exit code; each change sent once, audited once', async (t) => {
    // srx-004 (ams) and srx-005 (fra) refuse their IPsec clears: failed hosts, failed audit outcomes.
    const { specs, vars } = fleet(200, { refusingClears: [4, 5] });
    const { queued, local, queuedInventory, localInventory } = keep(t, await twinLabs(specs, vars));
    const qDir = await runDir('act-queued');
    const lDir = await runDir('act-local');
    const args = (inventory: string, d: string) => ['apply', join(process.cwd(), PLAYBOOK), '-i', inventory, '-e', 'dry_run=false', '--yes', '--forks', '20', '-q', '--report', join(d, 'report.json')];

    const viaQueue = await runIn(qDir, [...args(queuedInventory, qDir), '--redis', redis.url, '--queue-timeout', '120']);
    const locally = await runIn(lDir, args(localInventory, lDir));
    assert.equal(locally.code, 3, locally.stdout + locally.stderr);
    assert.equal(viaQueue.code, locally.code, viaQueue.stdout + viaQueue.stderr);
    assert.equal(recapOf(viaQueue.stdout), recapOf(locally.stdout));
    assert.match(recapOf(locally.stdout), /^ok=50 changed=98 skipped=50 failed=2 unreachable=0$/m);

    const qReport = await readReport(join(qDir, 'report.json'));
    const lReport = await readReport(join(lDir, 'report.json'));
    assertSameRun(qReport, lReport);
    assert.deepEqual(qReport.run.hosts.map((h) => h.host), specs.map((s) => s.name), 'every host, in inventory order');
    // Each acting host's configuration was kept before its first change, by the worker that ran it.
    for (const h of qReport.run.hosts.filter((x) => x.status === 'changed')) {
      assert.ok(h.backup && workers.some((w) => h.backup!.text.startsWith(dirname(w.auditLog))), `${h.host}: backup ${h.backup?.text}`);
      assert.notEqual((await readFile(h.backup.text, 'utf8')).trim(), '', `${h.host}: backup text`);
    }

    // Each state-changing RPC reached its device exactly once: the report's sent actions, no more, as locally.
    // (The lab's rpc-error fault answers before the device sees the RPC: a refused clear is in the audit log, not in rpcLog.)
    const sentBy = (h: Report['run']['hosts'][number], statuses: readonly string[]) => h.actions.filter((a) => statuses.includes(a.status)).map((a) => rpcKey(a.action.rpc, a.action.args));
    let changes = 0;
    for (const h of qReport.run.hosts) {
      const received = changesReceived(queued, h.host);
      assert.equal(new Set(received).size, received.length, `${h.host}: no RPC received twice`);
      assert.deepEqual(received, sentBy(h, ['sent']), `${h.host}: what the device got is what the report says was sent`);
      assert.deepEqual(received, changesReceived(local, h.host), `${h.host}: what the local run sent`);
      changes += sentBy(h, ['sent', 'failed']).length;
    }
    assert.equal(changes, 50 * 12 + 50 * 18, 'every planned statement was sent (on_error: continue)');

    // The coordinator's audit log: one intent and one outcome line per change, relayed from the workers' own logs.
    const runId = qReport.runId!;
    const coordinator = await readAudit(join(qDir, 'audit.jsonl'));
    assert.ok(coordinator.every((l) => l.run === runId));
    const intents = coordinator.filter((l) => l.phase === 'intent');
    const outcomes = coordinator.filter((l) => l.phase === 'outcome');
    assert.equal(intents.length, changes);
    assert.equal(outcomes.length, changes);
    const failedActions = qReport.run.hosts.flatMap((h) => h.actions.filter((a) => a.status === 'failed'));
    assert.ok(failedActions.length > 0);
    assert.equal(outcomes.filter((l) => l.outcome === 'failed').length, failedActions.length);
    assert.equal(outcomes.filter((l) => l.outcome === 'ok').length, changes - failedActions.length);
    for (const h of qReport.run.hosts) {
      const audited = intents.filter((l) => l.host === h.host).map((l) => rpcKey(String(l.rpc), l.args as Record<string, string>));
      assert.deepEqual(audited, sentBy(h, ['sent', 'failed']), `${h.host}: audited as sent`);
    }
    const fromWorkers = (await Promise.all(workers.map((w) => readAudit(w.auditLog)))).flat().filter((l) => l.run === runId);
    assert.deepEqual(asBag(coordinator), asBag(fromWorkers), "the coordinator's audit log is the workers' lines");
    // The run left nothing of its own in Redis: no job, delivery mark, relayed audit line or run lock.
    const leftovers = redis.cli('--scan').split('\n').filter((k) => k.includes(runId) || k.startsWith('runbook:_:lock:') || k.startsWith('runbook:_:device:'));
    assert.deepEqual(leftovers, []);
    // Each host ran on a worker of its queue: w1 and w2 serve ams only, so every fra host ran on w3.
    const hostsRunBy = async (w: RunningWorker) => new Set((await readAudit(w.auditLog)).filter((l) => l.run === runId).map((l) => String(l.host)));
    const [w1, w2, w3] = await Promise.all(workers.slice(0, 3).map(hostsRunBy));
    for (const host of [...w1!, ...w2!]) assert.equal(vars[host]!.runbook_queue, 'ams', `${host} ran on an ams worker`);
    const actingFra = qReport.run.hosts.filter((h) => sentBy(h, ['sent', 'failed']).length > 0 && vars[h.host]!.runbook_queue === 'fra').map((h) => h.host);
    assert.equal(actingFra.length, 50);
    assert.deepEqual(actingFra.filter((h) => !w3!.has(h)), [], 'every fra host ran on w3');
  });

  it('a dry run through the queue gives the local dry run\'s report and sends no state-changing RPC', async (t) => {
    const { specs, vars } = fleet(200);
    const { queued, local, queuedInventory, localInventory } = keep(t, await twinLabs(specs, vars));
    const qDir = await runDir('dry-queued');
    const lDir = await runDir('dry-local');
    const args = (inventory: string, d: string) => ['apply', join(process.cwd(), PLAYBOOK), '-i', inventory, '--forks', '20', '-q', '--report', join(d, 'report.json')];
    const viaQueue = await runIn(qDir, [...args(queuedInventory, qDir), '--redis', redis.url, '--queue-timeout', '120']);
    const locally = await runIn(lDir, args(localInventory, lDir));
    assert.equal(locally.code, 0, locally.stdout + locally.stderr);
    assert.equal(viaQueue.code, locally.code, viaQueue.stdout + viaQueue.stderr);
    assert.equal(recapOf(viaQueue.stdout), recapOf(locally.stdout));
    const qReport = await readReport(join(qDir, 'report.json'));
    assert.equal(qReport.run.dryRun, true);
    assertSameRun(qReport, await readReport(join(lDir, 'report.json')));
    for (const s of specs) assert.deepEqual(deviceOf(queued, s.name).stateChangingRpcs(), [], `${s.name}: a dry run sends nothing`);
    for (const s of specs) assert.deepEqual(deviceOf(local, s.name).stateChangingRpcs(), []);
    assert.equal((await readAudit(join(qDir, 'audit.jsonl'))).length, 0, 'nothing audited');
  });

  it('plan --redis, then apply --plan --redis acts only on the reviewed plan, as a local plan and apply do', async (t) => {
    const { specs, vars } = fleet(8);
    const { queued, local, queuedInventory, localInventory } = keep(t, await twinLabs(specs, vars));
    const qDir = await runDir('plan-queued');
    const lDir = await runDir('plan-local');
    const playbook = join(process.cwd(), PLAYBOOK);
    const redisArgs = ['--redis', redis.url, '--queue-timeout', '120'];

    const qPlan = await runIn(qDir, ['plan', playbook, '-i', queuedInventory, '-o', join(qDir, 'plan.json'), '-q', ...redisArgs]);
    const lPlan = await runIn(lDir, ['plan', playbook, '-i', localInventory, '-o', join(lDir, 'plan.json'), '-q']);
    assert.equal(lPlan.code, 0, lPlan.stdout + lPlan.stderr);
    assert.equal(qPlan.code, lPlan.code, qPlan.stdout + qPlan.stderr);
    const qArtifact = JSON.parse(await readFile(join(qDir, 'plan.json'), 'utf8')) as PlanArtifact;
    const lArtifact = JSON.parse(await readFile(join(lDir, 'plan.json'), 'utf8')) as PlanArtifact;
    assert.deepEqual(qArtifact.hosts, lArtifact.hosts, 'the same plan, host for host');
    assert.deepEqual(qArtifact.extraVars, { dry_run: false });
    for (const s of specs) assert.deepEqual(deviceOf(queued, s.name).stateChangingRpcs(), [], `${s.name}: planning sent nothing`);

    // Between review and apply, one peer of srx-000 clears itself on both labs: that host drifts.
    const drifted = qArtifact.hosts.find((h) => h.host === 'srx-000')!;
    assert.equal(drifted.status, 'changed');
    const peer = drifted.actions[0]!.args!['peer-address']!;
    for (const lab of [queued, local]) for (const index of deviceOf(lab, 'srx-000').tunnelIndexesOf(peer)) deviceOf(lab, 'srx-000').clearIpsecSas({ index });

    const qApply = await runIn(qDir, ['apply', '--plan', join(qDir, 'plan.json'), '--yes', '-q', '--report', join(qDir, 'report.json'), ...redisArgs]);
    const lApply = await runIn(lDir, ['apply', '--plan', join(lDir, 'plan.json'), '--yes', '-q', '--report', join(lDir, 'report.json')]);
    // srx-000 was reviewed with statements and not acted on: the work asked for was not done.
    assert.equal(lApply.code, 8, lApply.stdout + lApply.stderr);
    assert.equal(qApply.code, lApply.code, qApply.stdout + qApply.stderr);
    assert.match(qApply.stdout, /^NOT DONE: reviewed statements were not sent to srx-000$/m);
    assert.equal(recapOf(qApply.stdout), recapOf(lApply.stdout));
    const qReport = await readReport(join(qDir, 'report.json'));
    assertSameRun(qReport, await readReport(join(lDir, 'report.json')));

    const byHost = new Map(qReport.run.hosts.map((h) => [h.host, h]));
    assert.equal(byHost.get('srx-000')!.status, 'skipped');
    assert.match(byHost.get('srx-000')!.reason!, /drifted since the plan was reviewed/);
    assert.deepEqual(changesReceived(queued, 'srx-000'), [], 'nothing sent to the drifted host');
    // Every other host got exactly the reviewed statements, once.
    for (const h of qArtifact.hosts.filter((x) => x.host !== 'srx-000')) {
      assert.deepEqual(changesReceived(queued, h.host), h.actions.map((a) => rpcKey(a.rpc, a.args)), `${h.host}: the reviewed actions, once`);
      assert.deepEqual(changesReceived(queued, h.host), changesReceived(local, h.host));
      assert.equal(byHost.get(h.host)!.status, h.status);
    }
  });

  it('a worker given SIGTERM mid-job finishes it, takes no new job and exits 0; the rollout ends on another worker', async (t) => {
    // srx-000 answers its IKE clear 8 s late, so its worker is still acting when the signal comes (the local twin answers at once).
    const { specs, vars: fleetVars } = fleet(4);
    const slowed: LabHostSpec[] = specs.map((s, i) => (i === 0 ? { ...s, faults: { slowMs: 8_000, rpcs: ['clear-ike-security-association'] } } : s));
    const vars = Object.fromEntries(specs.map((s) => [s.name, { ...fleetVars[s.name], runbook_queue: 'term', top_peers: 1 }]));
    const { queued, local, queuedInventory, localInventory } = keep(t, await twinLabs(slowed, vars, specs));
    const qDir = await runDir('term-queued');
    const lDir = await runDir('term-local');
    const args = (inventory: string, d: string) => ['apply', join(process.cwd(), PLAYBOOK), '-i', inventory, '-e', 'dry_run=false', '--yes', '-q', '--report', join(d, 'report.json')];

    const stopping = await startWorker(redis, dir, 'stopping', ['term'], 1);
    // --forks 1: one job on the queue at a time, so the next one waits while the signalled worker finishes.
    const coordinator = runIn(qDir, [...args(queuedInventory, qDir), '--forks', '1', '--redis', redis.url, '--queue-timeout', '300']);
    // The intent line is written before the RPC is sent: from then on the worker waits 8 s for srx-000's answer.
    const intent = async () => (await readAudit(stopping.auditLog)).some((l) => l.host === 'srx-000' && l.phase === 'intent');
    await waitUntil(intent, 120_000, "the worker's intent line for srx-000's first clear");
    stopping.cli.child.kill('SIGTERM');
    assert.deepEqual(deviceOf(queued, 'srx-000').stateChangingRpcs(), [], 'the signal came while the clear was unanswered');
    assert.equal(await stopping.exit, 0, stopping.cli.output());
    assert.match(stopping.cli.output(), /^runbook worker: SIGTERM: taking no new job; finishing the ones in flight/m);
    assert.match(stopping.cli.output(), /^runbook worker: stopped$/m);
    // It finished srx-000's job and took no other, though the next one was waiting.
    const stoppedLines = await readAudit(stopping.auditLog);
    assert.deepEqual([...new Set(stoppedLines.map((l) => l.host))], ['srx-000']);
    assert.equal(stoppedLines.filter((l) => l.phase === 'outcome').length, changesReceived(queued, 'srx-000').length);
    // The coordinator puts srx-001's job on the queue once srx-000's result is in; no worker takes it.
    await waitUntil(() => redisJobCounts(redis, 'term').waiting === 1, 60_000, "srx-001's job on queue term");
    assert.deepEqual(redisJobCounts(redis, 'term'), { waiting: 1, active: 0 }, 'srx-001 waits for a worker');

    const taking = await startWorker(redis, dir, 'taking', ['term'], 1);
    workers.push(taking);
    const viaQueue = await coordinator;
    const locally = await runIn(lDir, [...args(localInventory, lDir), '--forks', '1']);
    assert.equal(locally.code, 0, locally.stdout + locally.stderr);
    assert.equal(viaQueue.code, locally.code, viaQueue.stdout + viaQueue.stderr);
    assert.equal(recapOf(viaQueue.stdout), recapOf(locally.stdout));
    const qReport = await readReport(join(qDir, 'report.json'));
    assertSameRun(qReport, await readReport(join(lDir, 'report.json')));
    assert.equal(qReport.run.hosts[0]!.status, 'changed', 'the job in flight was finished');
    const takenLines = await readAudit(taking.auditLog);
    assert.ok(takenLines.every((l) => l.host !== 'srx-000'));
    for (const s of specs) assert.deepEqual(changesReceived(queued, s.name), changesReceived(local, s.name), `${s.name}: sent once, as locally`);
    assert.ok(takenLines.some((l) => l.host === 'srx-001'), 'the rest of the rollout ran on the other worker');

    // Idle, a worker stops at once on SIGTERM, the same way.
    taking.cli.child.kill('SIGTERM');
    assert.equal(await taking.exit, 0, taking.cli.output());
    assert.match(taking.cli.output(), /^runbook worker: stopped$/m);
  });
  it("a worker closes a run's audit log when the run's last job here ends: rotated between jobs, the next job writes a new file", async (t) => {
    // Two acting hosts one after the other (--forks 1); srx-000 answers its IKE clear 8 s late.
    const { specs, vars: fleetVars } = fleet(2);
    const slowed: LabHostSpec[] = specs.map((s, i) => (i === 0 ? { ...s, faults: { slowMs: 8_000, rpcs: ['clear-ike-security-association'] } } : s));
    const vars = Object.fromEntries(specs.map((s) => [s.name, { ...fleetVars[s.name], runbook_queue: 'rotate', top_peers: 1 }]));
    const lab = await startLab(slowed);
    t.after(() => lab.cleanup());
    const inventory = await writeLabInventory(lab, vars);
    const qDir = await runDir('rotate');
    const worker = await startWorker(redis, dir, 'rotating', ['rotate'], 1);
    workers.push(worker);
    const run = runIn(qDir, ['apply', join(process.cwd(), PLAYBOOK), '-i', inventory, '-e', 'dry_run=false', '--yes', '-q', '--forks', '1', '--redis', redis.url, '--queue-timeout', '300']);
    const intent = async () => (await readAudit(worker.auditLog)).some((l) => l.host === 'srx-000' && l.phase === 'intent');
    await waitUntil(intent, 120_000, "the worker's intent line for srx-000's first clear");
    // Rotated (as logrotate does) while srx-000's job is in flight.
    const rotated = `${worker.auditLog}.1`;
    await rename(worker.auditLog, rotated);
    assert.deepEqual(deviceOf(lab, 'srx-000').stateChangingRpcs(), [], 'rotated while the clear was unanswered');
    const done = await run;
    assert.equal(done.code, 0, done.stdout + done.stderr);
    // srx-000's job kept its file to the end; srx-001's, the next job of the run, opened the log at its path again.
    const hosts = async (file: string) => [...new Set((await readAudit(file)).map((l) => l.host))];
    assert.deepEqual(await hosts(rotated), ['srx-000']);
    assert.deepEqual(await hosts(worker.auditLog), ['srx-001']);
    assert.equal((await readAudit(rotated)).length, 2 * changesReceived(lab, 'srx-000').length, 'every intent with its outcome');
  });
  it('serial batches and the failure budget are counted across the workers as a local run counts them', async (t) => {
    // Batches of 2, then 4; in the second, srx-004 and srx-005 refuse their clears: 2 of 4 failed > 25 %, the rollout stops there.
    const { specs, vars } = fleet(12, { refusingClears: [4, 5] });
    const { queued, local, queuedInventory, localInventory } = keep(t, await twinLabs(specs, vars));
    const playbook = join(dir, 'budgeted.yml');
    const text = await readFile(PLAYBOOK, 'utf8');
    assert.ok(text.includes('\nhosts: all\n'));
    await writeFile(playbook, text.replace('\nhosts: all\n', '\nhosts: all\nserial: [2, 4]\nmax_fail_percentage: 25\n'));
    const qDir = await runDir('budget-queued');
    const lDir = await runDir('budget-local');
    const args = (inventory: string, d: string) => ['apply', playbook, '-i', inventory, '-e', 'dry_run=false', '--yes', '-q', '--report', join(d, 'report.json')];
    const viaQueue = await runIn(qDir, [...args(queuedInventory, qDir), '--redis', redis.url, '--queue-timeout', '120']);
    const locally = await runIn(lDir, args(localInventory, lDir));
    assert.equal(locally.code, 6, locally.stdout + locally.stderr);
    assert.equal(viaQueue.code, locally.code, viaQueue.stdout + viaQueue.stderr);
    assert.equal(recapOf(viaQueue.stdout), recapOf(locally.stdout));
    const qReport = await readReport(join(qDir, 'report.json'));
    assertSameRun(qReport, await readReport(join(lDir, 'report.json')));
    assert.deepEqual(qReport.run.hosts.map((h) => h.host), specs.slice(0, 6).map((s) => s.name));
    assert.deepEqual(qReport.run.notRun, specs.slice(6).map((s) => s.name));
    for (const s of specs) assert.deepEqual(changesReceived(queued, s.name), changesReceived(local, s.name), `${s.name}: as locally`);
    for (const s of specs.slice(6)) assert.deepEqual(deviceOf(queued, s.name).rpcLog, [], `${s.name}: not run, not contacted`);
  });
});
