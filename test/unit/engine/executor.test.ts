import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runPlaybook, type RunOptions } from '../../../src/engine/executor.ts';
import type { EngineHost } from '../../../src/engine/host-run.ts';
import type { RunResult } from '../../../src/contracts/results.ts';
import { FakeFleet, names, playbook } from './fakes.ts';

const statuses = (run: RunResult) => Object.fromEntries(run.hosts.map((h) => [h.host, h.status]));
const run = (fleet: FakeFleet, hosts: readonly EngineHost[], opts: RunOptions) => runPlaybook(playbook, hosts, opts, fleet.emit);

describe('runPlaybook: batches and forks', () => {
  it('without serial runs every host as one batch, forks at a time, results in input order', async () => {
    const fleet = new FakeFleet();
    const r = await run(fleet, fleet.hosts(names('h', 7)), { forks: 3 });
    assert.deepEqual(r.batches, [names('h', 7)]);
    assert.deepEqual(fleet.of('batch-start'), [{ type: 'batch-start', index: 1, hosts: names('h', 7) }]);
    assert.equal(fleet.maxInFlight, 3);
    assert.equal(fleet.maxConnecting, 3);
    assert.deepEqual(r.hosts.map((h) => h.host), names('h', 7));
    assert.deepEqual(r.recap, { ok: 7, changed: 0, skipped: 0, failed: 0, unreachable: 0 });
    assert.deepEqual(r.notRun, []);
    assert.equal(r.stopped, undefined);
    assert.equal(r.hosts[0]!.connectAttempts, undefined);
    assert.deepEqual(r.hosts.map((h) => h.evidence['sw.count']), Array(7).fill(1));
  });

  it('with serial, a batch starts only when the one before has finished; forks still bound each batch', async () => {
    const fleet = new FakeFleet();
    const r = await run(fleet, fleet.hosts(names('h', 6)), { forks: 2, serial: [1, 3] });
    assert.deepEqual(r.batches, [['h1'], ['h2', 'h3', 'h4'], ['h5', 'h6']]);
    assert.deepEqual(fleet.of('batch-start').map((e) => [e.index, e.hosts]), [[1, ['h1']], [2, ['h2', 'h3', 'h4']], [3, ['h5', 'h6']]]);
    const trace = fleet.trace();
    assert.deepEqual(trace.slice(0, 4), ['batch 1', 'start h1', 'done h1', 'batch 2']);
    const batch3 = trace.indexOf('batch 3');
    for (const h of ['h2', 'h3', 'h4']) assert.ok(trace.indexOf(`done ${h}`) < batch3, h);
    assert.equal(fleet.maxInFlight, 2);
    assert.deepEqual(r.hosts.map((h) => h.host), names('h', 6));
    assert.equal(r.recap.ok, 6);
  });

  it('a batch smaller than forks holds the run to the batch size', async () => {
    const fleet = new FakeFleet();
    await run(fleet, fleet.hosts(names('h', 6)), { forks: 10, serial: '50%' });
    assert.equal(fleet.maxInFlight, 3);
  });

  it('refuses bad options before connecting to anything', async () => {
    const fleet = new FakeFleet();
    const hosts = fleet.hosts(['a']);
    await assert.rejects(run(fleet, hosts, { forks: 1, maxFailPercentage: 120 }), RangeError);
    await assert.rejects(run(fleet, hosts, { forks: 1, serial: -2 }), RangeError);
    await assert.rejects(run(fleet, hosts, { forks: 1, retries: { attempts: 0, backoffMs: 10 } }), RangeError);
    await assert.rejects(run(fleet, hosts, { forks: 1, retries: { attempts: 2, backoffMs: -1 } }), RangeError);
    assert.deepEqual(fleet.connects, []);
    assert.deepEqual(fleet.events, []);
  });
});

describe('runPlaybook: the failure policy', () => {
  it('max_fail_percentage stops after the batch that exceeds it; the batches after are not run', async () => {
    const fleet = new FakeFleet();
    const hosts = fleet.hosts(names('h', 10), { h2: { rpcError: true }, h6: { rpcError: true }, h7: { connectErrors: ['connect'] } });
    const r = await run(fleet, hosts, { forks: 4, serial: '40%', maxFailPercentage: 25 });
    assert.deepEqual(r.batches, [['h1', 'h2', 'h3', 'h4'], ['h5', 'h6', 'h7', 'h8'], ['h9', 'h10']]);
    // Batch 1: 1 of 4 is 25%, not exceeded. Batch 2: 2 of 4 (one of them unreachable) is.
    assert.deepEqual(r.stopped, { reason: 'max_fail_percentage 25% exceeded: 2 of 4 hosts in batch 2 failed or were unreachable', afterBatch: 2 });
    assert.deepEqual(fleet.of('run-stopped'), [{ type: 'run-stopped', reason: r.stopped!.reason, afterBatch: 2 }]);
    assert.deepEqual(r.hosts.map((h) => h.host), names('h', 8));
    assert.deepEqual(statuses(r), { h1: 'ok', h2: 'failed', h3: 'ok', h4: 'ok', h5: 'ok', h6: 'failed', h7: 'unreachable', h8: 'ok' });
    assert.deepEqual(r.notRun, ['h9', 'h10']);
    assert.deepEqual(fleet.of('batch-start').map((e) => e.index), [1, 2]);
    assert.equal(r.interrupted, false);
    const types = fleet.events.map((e) => e.type);
    assert.deepEqual(types.slice(-2), ['run-stopped', 'run-done']);
  });

  it('unreachable hosts alone use up the budget (auth and host key failures too)', async () => {
    const fleet = new FakeFleet();
    const hosts = fleet.hosts(names('h', 6), { h1: { connectErrors: ['auth'] }, h2: { connectErrors: ['hostkey'] } });
    const r = await run(fleet, hosts, { forks: 5, serial: 3, maxFailPercentage: 50 });
    assert.deepEqual(statuses(r), { h1: 'unreachable', h2: 'unreachable', h3: 'ok' });
    assert.equal(r.stopped?.reason, 'max_fail_percentage 50% exceeded: 2 of 3 hosts in batch 1 failed or were unreachable');
    assert.deepEqual(r.notRun, ['h4', 'h5', 'h6']);
    assert.deepEqual(r.recap, { ok: 1, changed: 0, skipped: 0, failed: 0, unreachable: 2 });
  });

  it('once a batch is over budget no more of its hosts start; those in flight finish', async () => {
    const fleet = new FakeFleet();
    const hosts = fleet.hosts(names('h', 5), { h2: { rpcError: true }, h3: { rpcError: true } });
    const r = await run(fleet, hosts, { forks: 1, maxFailPercentage: 20 });
    // 1 of 5 is 20%: go on; 2 of 5 is 40%: h4 and h5 never start.
    assert.deepEqual(statuses(r), { h1: 'ok', h2: 'failed', h3: 'failed' });
    assert.deepEqual(r.notRun, ['h4', 'h5']);
    assert.deepEqual(r.stopped, { reason: 'max_fail_percentage 20% exceeded: 2 of 5 hosts in batch 1 failed or were unreachable', afterBatch: 1 });
    assert.deepEqual(fleet.connects, ['h1', 'h2', 'h3']);
  });

  it('any_errors_fatal: one failure and no new host starts, in flight ones finish', async () => {
    const serialOne = new FakeFleet();
    const r1 = await run(serialOne, serialOne.hosts(names('h', 6), { h2: { connectErrors: ['connect'] } }), { forks: 1, serial: 3, anyErrorsFatal: true });
    assert.deepEqual(statuses(r1), { h1: 'ok', h2: 'unreachable' });
    assert.deepEqual(r1.notRun, ['h3', 'h4', 'h5', 'h6']);
    assert.deepEqual(r1.stopped, { reason: 'any_errors_fatal: 1 of 3 hosts in batch 1 failed or was unreachable (h2)', afterBatch: 1 });

    const wide = new FakeFleet();
    const r3 = await run(wide, wide.hosts(names('h', 6), { h2: { rpcError: true } }), { forks: 3, serial: 3, anyErrorsFatal: true });
    assert.deepEqual(statuses(r3), { h1: 'ok', h2: 'failed', h3: 'ok' });
    assert.deepEqual(r3.notRun, ['h4', 'h5', 'h6']);
  });

  it('a failed canary stops the rollout; a good one lets it go on', async () => {
    const bad = new FakeFleet();
    const r = await run(bad, bad.hosts(names('h', 5), { h1: { rpcError: true } }), { forks: 5, serial: [1, '50%'] });
    assert.deepEqual(r.batches, [['h1'], ['h2', 'h3'], ['h4', 'h5']]);
    assert.deepEqual(r.stopped, { reason: 'whole batch failed: 1 of 1 host in batch 1 failed or was unreachable', afterBatch: 1 });
    assert.deepEqual(r.notRun, ['h2', 'h3', 'h4', 'h5']);

    const good = new FakeFleet();
    const r2 = await run(good, good.hosts(names('h', 5), { h3: { rpcError: true } }), { forks: 5, serial: [1, '50%'] });
    assert.equal(r2.stopped, undefined);
    assert.deepEqual(r2.notRun, []);
    assert.deepEqual(r2.recap, { ok: 4, changed: 0, skipped: 0, failed: 1, unreachable: 0 });
  });

  it('without any policy, failures never stop a single-batch run', async () => {
    const fleet = new FakeFleet();
    const r = await run(fleet, fleet.hosts(names('h', 3), { h1: { rpcError: true }, h2: { rpcError: true }, h3: { connectErrors: ['timeout'] } }), { forks: 1 });
    assert.equal(r.stopped, undefined);
    assert.deepEqual(r.notRun, []);
    assert.deepEqual(fleet.of('run-stopped'), []);
  });
});

describe('runPlaybook: abort', () => {
  it('no new host starts once aborted, within a batch', async () => {
    const fleet = new FakeFleet();
    const abort = new AbortController();
    const emit = (e: Parameters<typeof fleet.emit>[0]) => {
      fleet.emit(e);
      if (e.type === 'host-done' && e.result.host === 'h2') abort.abort();
    };
    const r = await runPlaybook(playbook, fleet.hosts(names('h', 5)), { forks: 1, signal: abort.signal }, emit);
    assert.deepEqual(r.hosts.map((h) => h.host), ['h1', 'h2']);
    assert.deepEqual(r.notRun, ['h3', 'h4', 'h5']);
    assert.equal(r.interrupted, true);
    assert.equal(r.stopped, undefined);
  });

  it('no new batch starts once aborted', async () => {
    const fleet = new FakeFleet();
    const abort = new AbortController();
    const emit = (e: Parameters<typeof fleet.emit>[0]) => {
      fleet.emit(e);
      if (e.type === 'host-done' && e.result.host === 'h2') abort.abort();
    };
    const r = await runPlaybook(playbook, fleet.hosts(names('h', 6)), { forks: 2, serial: 2, signal: abort.signal }, emit);
    assert.deepEqual(fleet.of('batch-start').map((e) => e.index), [1]);
    assert.deepEqual(r.notRun, ['h3', 'h4', 'h5', 'h6']);
    assert.deepEqual(r.batches, [['h1', 'h2'], ['h3', 'h4'], ['h5', 'h6']]);
    assert.equal(r.interrupted, true);
  });

  it('an aborted signal before the start runs nothing', async () => {
    const fleet = new FakeFleet();
    const r = await run(fleet, fleet.hosts(names('h', 2)), { forks: 2, signal: AbortSignal.abort() });
    assert.deepEqual(r.notRun, ['h1', 'h2']);
    assert.deepEqual(fleet.connects, []);
  });
});
