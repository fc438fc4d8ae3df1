/**
 * The faults of a distributed rollout (issue 13), each end to end: a private redis-server,
 * `runbook worker` processes and a coordinator (`apply --redis`), against hostile servers
 * that answer like lab devices and can hold any RPC until the test lets it go. Every
 * fault is arranged by holding an RPC (the test knows where each job is, however slow the
 * machine), and every assertion is on data: the report, the audit logs, what each device
 * received and did (its rpcLog), exit codes and Redis's contents. Time bounds are only
 * generous "it ended" limits.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DeviceBackend } from '../../src/lab/backend.ts';
import type { Report } from '../../src/report/json-report.ts';
import { startCli, type StartedCli } from '../helpers/cli.ts';
import { HostileServer, writeFleetInventory, type ReceivedRpc } from '../helpers/hostile-server.ts';
import { redisUnavailable, startRedis, type RunningRedis } from '../helpers/redis.ts';

const HOSTS = ['h1', 'h2', 'h3'];
const PLAYBOOK = 'playbooks/ah-cleanup.yml';
/** three-peers with this threshold plans clears of three peers on every host: many state-changing RPCs. */
const VARS = { min_peer_sessions: 40 };
/**
 * --stall-timeout where a worker is killed: short, so the job comes back soon, yet long enough that a
 * live worker on a loaded machine renews its locks in time (every STALL_S / 2 s).
 */
const STALL_S = '3';
/** A bound that only proves "it ended": many times any deadline configured here. */
const ENDED_MS = 90_000;

/** Holds RPCs until the test opens it: the test, not a clock, decides where a job is. */
class Gate {
  private opened = false;
  private readonly waiters: (() => void)[] = [];

  passed(): Promise<void> {
    return this.opened ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  open(): void {
    this.opened = true;
    for (const w of this.waiters.splice(0)) w();
  }

  /** Holds again from now on. */
  rearm(): void {
    this.opened = false;
  }
}

const isClear = (rpc: ReceivedRpc) => rpc.name.startsWith('clear-');
const isCollect = (rpc: ReceivedRpc) => rpc.name === 'get-flow-session-information';

/** Polls `ready` until it holds; the bound only turns a hang into a failure with `what` in it. */
async function until(ready: () => boolean, what: string, boundMs = ENDED_MS): Promise<void> {
  const start = Date.now();
  while (!ready()) {
    if (Date.now() - start > boundMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function jsonLines(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const intents = (file: string, host: string) => jsonLines(file).filter((l) => l.phase === 'intent' && l.host === host);

function stateChanges(server: HostileServer): string[] {
  return (server.backend as DeviceBackend).device.stateChangingRpcs().map((e) => `${e.rpc} ${JSON.stringify(e.args)}`);
}

/** No state-changing RPC reached the device twice (each clear names its own peer or tunnel). */
function assertEachChangeOnce(name: string, server: HostileServer): void {
  const changes = stateChanges(server);
  assert.equal(new Set(changes).size, changes.length, `${name} got a state-changing RPC twice: ${changes.join(', ')}`);
}

interface Fleet {
  readonly dir: string;
  readonly servers: Record<string, HostileServer>;
  readonly gates: Record<string, Gate>;
  readonly inventory: string;
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Three devices; `hold(host, rpc, received)` says which RPC a device holds until its gate
 * opens (`received`: every RPC it got so far, this one included). A held RPC is answered
 * when the gate opens if its client is still there; one whose client died never reaches
 * the device, so the device's rpcLog holds only what was answered.
 */
async function startFleet(prefix: string, hold: (host: string, rpc: ReceivedRpc, received: readonly ReceivedRpc[]) => boolean, hostVars: Record<string, Record<string, unknown>> = {}): Promise<Fleet> {
  const dir = await mkdtemp(join(tmpdir(), `runbook-${prefix}-`));
  const servers: Record<string, HostileServer> = {};
  const gates: Record<string, Gate> = {};
  for (const [i, name] of HOSTS.entries()) {
    const gate = (gates[name] = new Gate());
    const server: HostileServer = (servers[name] = await HostileServer.start({
      seed: i + 1,
      onRpc: async (rpc, reply) => {
        if (!hold(name, rpc, server.received)) return false;
        await gate.passed();
        return reply.gone;
      },
    }));
  }
  const inventory = await writeFleetInventory(dir, servers, Object.fromEntries(HOSTS.map((h) => [h, { ...VARS, ...hostVars[h] }])));
  return {
    dir,
    servers,
    gates,
    inventory,
    env: servers.h1!.env(),
    async close() {
      for (const g of Object.values(gates)) g.open();
      for (const s of Object.values(servers)) await s.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const nth = (received: readonly ReceivedRpc[], test: (r: ReceivedRpc) => boolean) => received.filter(test).length;

interface Worker {
  readonly name: string;
  readonly cli: StartedCli;
  readonly auditLog: string;
  readonly closed: Promise<unknown>;
}

async function startWorker(fleet: Fleet, redis: RunningRedis, name: string, extra: readonly string[] = []): Promise<Worker> {
  const auditLog = join(fleet.dir, name, 'audit.jsonl');
  const args = ['worker', '--redis', redis.url, '--name', name, '--audit-log', auditLog, '--concurrency', '1', ...extra];
  const cli = await startCli(args, /serving queue/, { env: fleet.env, timeoutMs: 60_000 });
  return { name, cli, auditLog, closed: once(cli.child, 'close') };
}

/** The worker's exit code once it exits; the bound turns a worker that never stops into a failure. */
async function exitOf(w: Worker): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`worker ${w.name} did not exit; output:\n${w.cli.output()}`)), ENDED_MS)));
  try {
    const [code] = (await Promise.race([w.closed, bound])) as [number | null];
    return code;
  } finally {
    clearTimeout(timer);
  }
}

function stopAll(workers: readonly Worker[]): void {
  for (const w of workers) if (w.cli.child.exitCode === null && w.cli.child.signalCode === null) w.cli.child.kill('SIGKILL');
}

/**
 * A describe's fleet and its own Redis, started before its tests and stopped after them,
 * with the workers its tests start (`at.workers`) and, if given, one worker started first.
 */
function fleetWithRedis(
  prefix: string,
  hold: Parameters<typeof startFleet>[1],
  opts: { hostVars?: Parameters<typeof startFleet>[2]; redis?: Parameters<typeof startRedis>[1]; worker?: (fleet: Fleet, redis: RunningRedis) => Promise<Worker> } = {},
): { readonly fleet: Fleet; readonly redis: RunningRedis; readonly workers: Worker[] } {
  let fleet: Fleet | undefined;
  let redis: RunningRedis | undefined;
  const workers: Worker[] = [];
  before(async () => {
    fleet = await startFleet(prefix, hold, opts.hostVars);
    redis = await startRedis(join(fleet.dir, 'redis'), opts.redis);
    if (opts.worker) workers.push(await opts.worker(fleet, redis));
  });
  after(async () => {
    stopAll(workers);
    await redis?.stop();
    await fleet?.close();
  });
  return {
    get fleet() {
      return fleet!;
    },
    get redis() {
      return redis!;
    },
    workers,
  };
}

/** Every coordinator started: one a failed test left running is killed at the end. */
const coordinators: StartedCli[] = [];

interface Coordinator {
  readonly cli: StartedCli;
  readonly report: string;
  readonly auditLog: string;
  /** The exit code once it ends. */
  readonly done: Promise<number | null>;
}

async function startCoordinator(fleet: Fleet, redis: RunningRedis, tag: string, extra: readonly string[]): Promise<Coordinator> {
  const report = join(fleet.dir, `${tag}-report.json`);
  const auditLog = join(fleet.dir, `${tag}-audit.jsonl`);
  const args = ['apply', PLAYBOOK, '-i', fleet.inventory, '--redis', redis.url, '--report', report, '--audit-log', auditLog, '--lock-dir', join(fleet.dir, `${tag}-locks`), ...extra];
  const cli = await startCli(args, /./, { env: fleet.env, timeoutMs: 60_000 });
  coordinators.push(cli);
  const done = (once(cli.child, 'close') as Promise<[number | null]>).then(([code]) => code);
  return { cli, report, auditLog, done };
}

async function ended(c: Coordinator): Promise<{ code: number | null; report: Report }> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the coordinator did not end; output:\n${c.cli.output()}`)), ENDED_MS)));
  try {
    const code = await Promise.race([c.done, bound]);
    return { code, report: JSON.parse(readFileSync(c.report, 'utf8')) as Report };
  } finally {
    clearTimeout(timer);
    if (c.cli.child.exitCode === null) c.cli.child.kill('SIGKILL');
  }
}

const byHost = (report: Report) => new Map(report.run.hosts.map((h) => [h.host, h]));

function assertAccountsForAll(report: Report): void {
  assert.deepEqual([...report.run.hosts.map((h) => h.host), ...report.run.notRun].sort(), HOSTS, 'the report accounts for every host');
}

const ACT = ['-e', 'dry_run=false', '--yes'];

describe('distributed rollouts: faults', { skip: redisUnavailable() }, () => {
  after(() => {
    for (const c of coordinators) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  });

  describe('a worker SIGKILLed mid-act', () => {
    // h1 answers its first clear and holds its second: the first worker is mid-act, with a change made.
    const at = fleetWithRedis('kill-act', (host, rpc, received) => host === 'h1' && isClear(rpc) && nth(received, isClear) === 2);

    it('the job goes to another worker after the stall timeout, which re-collects and refuses to act; nothing is sent twice; the others finish', async () => {
      // One worker takes every job; it finishes h2 and h3 and stays mid-act on h1.
      const w1 = await startWorker(at.fleet, at.redis, 'w1', ['--stall-timeout', STALL_S, '--concurrency', '3']);
      at.workers.push(w1);
      const coordinator = await startCoordinator(at.fleet, at.redis, 'kill-act', ACT);
      const h1 = at.fleet.servers.h1!;
      await until(() => nth(h1.received, isClear) === 2, "h1's second clear to arrive");
      await coordinator.cli.until(/^h2 \| changed/m);
      await coordinator.cli.until(/^h3 \| changed/m);
      assert.equal(stateChanges(h1).length, 1, 'h1 made the first change');
      const sentByW1 = intents(w1.auditLog, 'h1');
      assert.equal(sentByW1.length, 2, "w1's audit log has an intent line for each clear it sent to h1");
      const w2 = await startWorker(at.fleet, at.redis, 'w2', ['--stall-timeout', STALL_S]);
      at.workers.push(w2);
      w1.cli.child.kill('SIGKILL');
      await w1.closed;

      const { code, report } = await ended(coordinator);
      assert.equal(code, 3, coordinator.cli.output());
      assertAccountsForAll(report);
      const hosts = byHost(report);
      const lost = hosts.get('h1')!;
      assert.equal(lost.status, 'failed');
      assert.equal(lost.error?.kind, 'queue');
      assert.match(lost.error?.message ?? '', /^worker lost mid-act: state unknown, re-plan/);
      assert.equal(hosts.get('h2')?.status, 'changed', JSON.stringify(hosts.get('h2')?.error));
      assert.equal(hosts.get('h3')?.status, 'changed', JSON.stringify(hosts.get('h3')?.error));

      // w2 took the job again, re-collected h1 and sent it nothing that changes state.
      assert.match(w2.cli.output(), /h1: job \S+ delivered again after its worker was lost; re-collecting without acting/);
      assert.equal(nth(h1.received, isCollect), 2, 'h1 was collected twice: by w1, then by w2');
      assert.equal(nth(h1.received, isClear), 2, 'no clear reached h1 after the kill');
      assert.deepEqual(intents(w2.auditLog, 'h1'), [], 'w2 sent h1 nothing that changes state');
      assert.ok(lost.steps.some((s) => s.kind === 'collect'), 'the refused host carries what the re-collect found');
      for (const [name, server] of Object.entries(at.fleet.servers)) assertEachChangeOnce(name, server);
      assert.equal(stateChanges(h1).length, 1);
      assert.ok(stateChanges(at.fleet.servers.h2!).length > 0 && stateChanges(at.fleet.servers.h3!).length > 0, 'h2 and h3 were changed');

      // The coordinator's audit log got w1's lines for h1 through Redis, the one answered and the one in flight.
      assert.deepEqual(intents(coordinator.auditLog, 'h1').map((l) => l.seq), sentByW1.map((l) => l.seq));

      // Redis: the delivery marks went with the results; h1's device lock is still the dead w1's (it expires
      // on its own), as w2's re-collect did not take it; h2's and h3's were released.
      assert.equal(at.redis.cli('--scan', '--pattern', 'runbook:_:delivery:*').trim(), '');
      assert.match(at.redis.cli('GET', 'runbook:_:device:h1').trim(), /@w1$/);
      assert.equal(at.redis.cli('--scan', '--pattern', 'runbook:_:device:h[23]').trim(), '');
    });
  });

  describe('a worker SIGKILLed mid-act while every other worker is busy', () => {
    // h1 holds its second clear (mid-act, one change made); h2 holds its first collect (its worker stays busy).
    const at = fleetWithRedis('kill-busy', (host, rpc, received) => (host === 'h1' && isClear(rpc) && nth(received, isClear) === 2) || (host === 'h2' && isCollect(rpc) && nth(received, isCollect) === 1));

    it('the job, back on the queue with no worker free, fails after --queue-timeout as lost mid-act, not as never taken', async () => {
      for (const name of ['w1', 'w2']) at.workers.push(await startWorker(at.fleet, at.redis, name, ['--stall-timeout', STALL_S]));
      // --queue-timeout 15 s: longer than a stall takes to be noticed (3 s lock + two 3 s checks), so the job is
      // usually back on the queue first; if the coordinator finds it lockless first, it fails it as lost too.
      const coordinator = await startCoordinator(at.fleet, at.redis, 'kill-busy', [...ACT, '--limit', 'h1,h2', '--queue-timeout', '15']);
      const [h1, h2] = [at.fleet.servers.h1!, at.fleet.servers.h2!];
      await until(() => nth(h1.received, isClear) === 2 && nth(h2.received, isCollect) === 1, 'h1 mid-act and h2 mid-collect');
      const actor = at.workers.find((w) => intents(w.auditLog, 'h1').length > 0)!;
      actor.cli.child.kill('SIGKILL');
      await actor.closed;
      // h2's worker stays busy until the coordinator has given up on h1.
      await coordinator.cli.until(/h1 \| failed/);
      at.fleet.gates.h2!.open();
      const lost = await ended(coordinator);
      assert.equal(lost.code, 3, coordinator.cli.output());
      const r1 = byHost(lost.report).get('h1')!;
      assert.equal(r1.error?.kind, 'queue');
      assert.match(r1.error?.message ?? '', /^worker lost mid-act: state unknown, re-plan \(its worker (was lost|stopped renewing the job's lock) and no worker of queue default took (the job|it) over within 15 s/);
      assert.doesNotMatch(r1.error?.message ?? '', /Nothing was sent/);
      assert.equal(byHost(lost.report).get('h2')?.status, 'changed');
      assert.equal(nth(h1.received, isClear), 2, 'nothing more reached h1');
      assert.equal(stateChanges(h1).length, 1);
      assert.equal(at.redis.cli('LLEN', 'runbook:default:wait').trim(), '0', 'the job is off the queue');
    });
  });

  describe('a worker SIGKILLed mid-dry-run', () => {
    // h1 holds its first collect only: the first worker is stuck there, a second delivery passes.
    const at = fleetWithRedis('kill-read', (host, rpc, received) => host === 'h1' && isCollect(rpc) && nth(received, isCollect) === 1);

    it('a read-only job is simply run again by another worker and ends ok', async () => {
      const w1 = await startWorker(at.fleet, at.redis, 'w1', ['--stall-timeout', STALL_S, '--concurrency', '3']);
      at.workers.push(w1);
      const coordinator = await startCoordinator(at.fleet, at.redis, 'kill-read', []);
      const h1 = at.fleet.servers.h1!;
      await until(() => nth(h1.received, isCollect) === 1, "h1's collect to arrive");
      await coordinator.cli.until(/^h2 \| changed/m);
      await coordinator.cli.until(/^h3 \| changed/m);
      const w2 = await startWorker(at.fleet, at.redis, 'w2', ['--stall-timeout', STALL_S]);
      at.workers.push(w2);
      w1.cli.child.kill('SIGKILL');
      await w1.closed;

      const { code, report } = await ended(coordinator);
      assert.equal(code, 0, coordinator.cli.output());
      assertAccountsForAll(report);
      assert.deepEqual(report.run.hosts.map((h) => [h.host, h.status]).sort(), HOSTS.map((h) => [h, 'changed']));
      assert.equal(nth(h1.received, isCollect), 2, 'h1 was collected again by w2');
      for (const server of Object.values(at.fleet.servers)) assert.deepEqual(stateChanges(server), [], 'a dry run changes nothing');
    });
  });

  describe('no worker serves a host\'s queue', () => {
    const at = fleetWithRedis('nowhere', () => false, { hostVars: { h3: { runbook_queue: 'nowhere' } } });

    it('the host fails with that reason after --queue-timeout, nothing is sent to it, the others finish', async () => {
      // Room for every job of queue default at once: the timeout is about h3's queue, not a busy worker
      // (a job waiting behind busy at.workers times out the same way: 'and free?').
      at.workers.push(await startWorker(at.fleet, at.redis, 'w1', ['--concurrency', '3']));
      // 5 s: time enough for the idle worker to take h1's and h2's jobs on a loaded machine.
      const coordinator = await startCoordinator(at.fleet, at.redis, 'nowhere', ['--queue-timeout', '5']);
      const { code, report } = await ended(coordinator);
      assert.equal(code, 3, coordinator.cli.output());
      assertAccountsForAll(report);
      const hosts = byHost(report);
      const h3 = hosts.get('h3')!;
      assert.equal(h3.status, 'failed');
      assert.equal(h3.error?.kind, 'queue');
      assert.match(h3.error?.message ?? '', /^no worker took the job from queue nowhere within 5 s \(--queue-timeout\).*Nothing was sent/);
      assert.equal(at.fleet.servers.h3!.accepted, 0, 'h3 was never contacted');
      assert.equal(hosts.get('h1')?.status, 'changed');
      assert.equal(hosts.get('h2')?.status, 'changed');
      // The job was taken off its queue, so a worker started later will not act on h3 behind the run's back.
      assert.equal(at.redis.cli('LLEN', 'runbook:nowhere:wait').trim(), '0');
      assert.equal(at.redis.cli('--scan', '--pattern', 'runbook:nowhere:*-[0-9]*').trim(), '', 'no job of the run is left in queue nowhere');
    });
  });

  describe('the per-device lock, held by a job elsewhere', () => {
    const at = fleetWithRedis('device-lock', () => false, { worker: (f, r) => startWorker(f, r, 'w1') });

    it('a device locked in Redis is not contacted and fails with the reason; the lock stays its holder\'s', async () => {
      const lock = 'runbook:_:device:h2';
      at.redis.cli('SET', lock, 'other-job@elsewhere', 'PX', '600000');
      const coordinator = await startCoordinator(at.fleet, at.redis, 'preset', ACT);
      const { code, report } = await ended(coordinator);
      assert.equal(code, 3, coordinator.cli.output());
      assertAccountsForAll(report);
      const hosts = byHost(report);
      const h2 = hosts.get('h2')!;
      assert.equal(h2.status, 'failed');
      assert.equal(h2.error?.kind, 'queue');
      assert.match(h2.error?.message ?? '', /^another runbook job \(other-job@elsewhere\) is acting on this device; not contacted/);
      assert.equal(at.fleet.servers.h2!.accepted, 0, 'h2 was never contacted');
      assert.equal(hosts.get('h1')?.status, 'changed');
      assert.equal(hosts.get('h3')?.status, 'changed');
      assert.equal(at.redis.cli('GET', lock).trim(), 'other-job@elsewhere', "the other job's lock is left alone");
      assert.equal(at.redis.cli('EXISTS', 'runbook:_:device:h1').trim(), '0', 'the run released the locks it took');
    });
  });

  describe('the per-device lock, held by a concurrent run', () => {
    // h1 holds its first clear: the first run is mid-act on it, holding its device lock.
    const at = fleetWithRedis('device-lock-2', (host, rpc, received) => host === 'h1' && isClear(rpc) && nth(received, isClear) === 1, { worker: (f, r) => startWorker(f, r, 'w1', ['--concurrency', '2']) });

    it('a second run, from another inventory naming the same device, does not contact it while the first acts on it', async () => {
      const h1 = at.fleet.servers.h1!;
      const first = await startCoordinator(at.fleet, at.redis, 'first', [...ACT, '--limit', 'h1']);
      await until(() => nth(h1.received, isClear) === 1, "the first run's clear to reach h1");
      const contacts = h1.accepted;

      // The same device under the same name in another inventory: another run lock, the same device lock.
      const otherDir = join(at.fleet.dir, 'other');
      await mkdir(otherDir);
      const otherInventory = await writeFleetInventory(otherDir, { h1 }, { h1: VARS });
      const second = await startCoordinator({ ...at.fleet, inventory: otherInventory }, at.redis, 'second', ACT);
      const { code, report } = await ended(second);
      assert.equal(code, 3, second.cli.output());
      assert.deepEqual(report.run.hosts.map((h) => h.host), ['h1']);
      const refused = report.run.hosts[0]!;
      assert.equal(refused.error?.kind, 'queue');
      assert.match(refused.error?.message ?? '', /^another runbook job \(\S+@w1\) is acting on this device; not contacted/);
      assert.equal(h1.accepted, contacts, 'the second run did not connect to h1');
      assert.equal(stateChanges(h1).length, 0, 'h1 changed nothing yet: its first clear is held');

      at.fleet.gates.h1!.open();
      const done = await ended(first);
      assert.equal(done.code, 0, first.cli.output());
      assert.equal(byHost(done.report).get('h1')?.status, 'changed');
      assert.ok(stateChanges(h1).length > 0);
      assertEachChangeOnce('h1', h1);
    });
  });

  describe('Redis restarted mid-run', () => {
    const heldCollects = (f: Fleet) => Object.values(f.servers).reduce((n, s) => n + nth(s.received, isCollect), 0);
    // Every device holds its first collect: the worker's two jobs are in flight and the third waits on the queue.
    const holdFirstCollect = (_host: string, rpc: ReceivedRpc, received: readonly ReceivedRpc[]) => isCollect(rpc) && nth(received, isCollect) === 1;

    /** A worker taking two jobs at a time and a coordinator, once the worker's two jobs are held at their first collect. */
    async function twoJobsHeld(at: ReturnType<typeof fleetWithRedis>, name: string, args: readonly string[]): Promise<{ w1: Worker; coordinator: Coordinator }> {
      const w1 = await startWorker(at.fleet, at.redis, 'w1', ['--concurrency', '2']);
      at.workers.push(w1);
      const coordinator = await startCoordinator(at.fleet, at.redis, name, args);
      await until(() => heldCollects(at.fleet) === 2, 'two jobs in flight');
      return { w1, coordinator };
    }

    /** Every host of the report failed with kind `queue`, its message checked by `message`. */
    function eachFailedByQueue(report: Awaited<ReturnType<typeof ended>>['report'], message: (text: string, host: string) => void): void {
      for (const h of report.run.hosts) {
        assert.equal(h.status, 'failed', h.host);
        assert.equal(h.error?.kind, 'queue', h.host);
        message(h.error?.message ?? '', h.host);
      }
    }

    describe('with persistence', () => {
      const at = fleetWithRedis('redis-aof', holdFirstCollect, { redis: { persist: true } });

      it('the coordinator and the at.workers reconnect and the run completes with every host\'s result', async () => {
        const { w1, coordinator } = await twoJobsHeld(at, 'aof', ACT);
        await at.redis.restart();
        for (const g of Object.values(at.fleet.gates)) g.open();

        const { code, report } = await ended(coordinator);
        assert.equal(code, 0, coordinator.cli.output());
        assertAccountsForAll(report);
        assert.deepEqual(report.run.hosts.map((h) => [h.host, h.status]).sort(), HOSTS.map((h) => [h, 'changed']));
        for (const [name, server] of Object.entries(at.fleet.servers)) {
          assertEachChangeOnce(name, server);
          assert.ok(stateChanges(server).length > 0, `${name} was changed`);
        }
        assert.doesNotMatch(w1.cli.output(), /delivered again/, 'no job was delivered twice');
        // Every line the worker wrote reached the coordinator's audit log through Redis.
        const sent = HOSTS.flatMap((h) => intents(w1.auditLog, h).map((l) => `${h} ${String(l.seq)}`));
        assert.ok(sent.length > 0);
        assert.deepEqual(HOSTS.flatMap((h) => intents(coordinator.auditLog, h).map((l) => `${h} ${String(l.seq)}`)), sent);
        assert.equal(w1.cli.child.exitCode, null, 'the worker is still serving');
      });
    });

    describe('without persistence', () => {
      const at = fleetWithRedis('redis-lost', holdFirstCollect);

      it('every host ends with a clear failure, the coordinator ends and says so in its exit code; the at.workers serve the next run', async () => {
        const { w1, coordinator } = await twoJobsHeld(at, 'lost', ['--queue-timeout', '10']);
        await at.redis.restart();

        // The devices still hold the collects: the coordinator learns the loss from Redis, not from the at.workers.
        const { code, report } = await ended(coordinator);
        assert.equal(code, 3, coordinator.cli.output());
        assertAccountsForAll(report);
        eachFailedByQueue(report, (text, host) => assert.match(text, /the job is gone from Redis \(Redis restarted without persistence, or was flushed\); a dry run sends nothing/, host));

        for (const g of Object.values(at.fleet.gates)) g.open();
        const next = await startCoordinator(at.fleet, at.redis, 'next', []);
        const again = await ended(next);
        assert.equal(again.code, 0, next.cli.output() + w1.cli.output());
        assert.deepEqual(again.report.run.hosts.map((h) => [h.host, h.status]).sort(), HOSTS.map((h) => [h, 'changed']));
        for (const server of Object.values(at.fleet.servers)) assert.deepEqual(stateChanges(server), []);
      });
    });

    describe('and not back', () => {
      const at = fleetWithRedis('redis-gone', holdFirstCollect);

      it('a Redis that stays down fails every host with that reason once --queue-timeout has passed; the coordinator ends', async () => {
        const { coordinator } = await twoJobsHeld(at, 'gone', ['--queue-timeout', '3']);
        await at.redis.stop();
        const { code, report } = await ended(coordinator);
        assert.equal(code, 3, coordinator.cli.output());
        assertAccountsForAll(report);
        eachFailedByQueue(report, (text, host) => {
          const down = /^Redis at redis:\/\/127\.0\.0\.1:\d+ unreachable for (\d+) s \(.+\); a dry run sends nothing/.exec(text);
          assert.ok(down, `${host}: ${text}`);
          assert.ok(Number(down[1]) >= 3, 'failed once --queue-timeout had passed');
        });
        // Each warning on a line of its own.
        assert.match(coordinator.cli.output(), /^runbook: Redis at redis:\/\/127\.0\.0\.1:\d+: .+; retrying$/m);
        assert.match(coordinator.cli.output(), /^runbook: could not read the workers' audit lines from Redis: .+; each worker's own audit log has them$/m);
      });
    });
  });

  describe('stopping a worker', () => {
    let fleet: Fleet;
    const workers: Worker[] = [];
    const redises: RunningRedis[] = [];
    // h1 holds the clear numbered holdAt: a job stays mid-act for as long as the test needs.
    let holdAt = 0;
    const holdNextClear = (h1: HostileServer) => (holdAt = nth(h1.received, isClear) + 1);
    before(async () => {
      fleet = await startFleet('worker-stop', (host, rpc, received) => host === 'h1' && isClear(rpc) && nth(received, isClear) === holdAt);
    });
    after(async () => {
      stopAll(workers);
      for (const r of redises) await r.stop();
      await fleet?.close();
    });

    it('SIGTERM while Redis is down: the idle worker still stops, exit 0', async () => {
      const redis = await startRedis(join(fleet.dir, 'redis-down'));
      redises.push(redis);
      const w1 = await startWorker(fleet, redis, 'w1');
      workers.push(w1);
      await redis.stop();
      await w1.cli.until(/runbook worker: .*ECONNREFUSED/);
      w1.cli.child.kill('SIGTERM');
      assert.equal(await exitOf(w1), 0, w1.cli.output());
      assert.match(w1.cli.output(), /^runbook worker: stopped$/m);
    });

    it('SIGTERM with a job in flight: the worker takes no new job, finishes that one (its result reaches the coordinator), exit 0', async () => {
      const redis = await startRedis(join(fleet.dir, 'redis-graceful'));
      redises.push(redis);
      const w1 = await startWorker(fleet, redis, 'w1');
      workers.push(w1);
      const h1 = fleet.servers.h1!;
      holdNextClear(h1);
      const coordinator = await startCoordinator(fleet, redis, 'graceful', [...ACT, '--limit', 'h1,h2']);
      await until(() => nth(h1.received, isClear) === holdAt, "h1's first clear to arrive");
      w1.cli.child.kill('SIGTERM');
      await w1.cli.until(/taking no new job; finishing the ones in flight/);
      fleet.gates.h1!.open();
      assert.equal(await exitOf(w1), 0, w1.cli.output());
      assert.match(w1.cli.output(), /^runbook worker: stopped$/m);
      // A job w1 did not take waits for a worker: one started now takes it.
      workers.push(await startWorker(fleet, redis, 'w2'));
      const { code, report } = await ended(coordinator);
      assert.equal(code, 0, coordinator.cli.output());
      assert.deepEqual(report.run.hosts.map((h) => [h.host, h.status]).sort(), [['h1', 'changed'], ['h2', 'changed']]);
      assert.ok(intents(w1.auditLog, 'h1').length > 0, 'w1 acted on h1');
      assertEachChangeOnce('h1', h1);
      fleet.gates.h1!.rearm();
    });

    it('a second SIGTERM exits at once with 130, the job in flight abandoned; the coordinator fails its host as lost mid-act', async () => {
      const redis = await startRedis(join(fleet.dir, 'redis-up'));
      redises.push(redis);
      const w1 = await startWorker(fleet, redis, 'w1', ['--stall-timeout', STALL_S]);
      workers.push(w1);
      const h1 = fleet.servers.h1!;
      holdNextClear(h1);
      const changesBefore = stateChanges(h1);
      const coordinator = await startCoordinator(fleet, redis, 'worker-stop', [...ACT, '--limit', 'h1', '--queue-timeout', '3']);
      await until(() => nth(h1.received, isClear) === holdAt, "h1's first clear to arrive");
      w1.cli.child.kill('SIGTERM');
      await w1.cli.until(/taking no new job; finishing the ones in flight/);
      w1.cli.child.kill('SIGTERM');
      assert.equal(await exitOf(w1), 130, w1.cli.output());
      assert.deepEqual(stateChanges(h1), changesBefore, 'the worker exited while h1 still held its clear');

      const { code: runCode, report } = await ended(coordinator);
      assert.equal(runCode, 3, coordinator.cli.output());
      const r1 = report.run.hosts[0]!;
      assert.equal(r1.error?.kind, 'queue');
      assert.match(r1.error?.message ?? '', /^worker lost mid-act: state unknown, re-plan \(its worker stopped renewing the job's lock and no worker of queue default took it over within 3 s/);
      assert.deepEqual(intents(coordinator.auditLog, 'h1').map((l) => l.rpc), [h1.received.filter(isClear).at(-1)!.name], "the clear in flight is in the coordinator's audit log");
    });
  });
});
