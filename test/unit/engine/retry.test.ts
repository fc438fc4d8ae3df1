import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runPlaybook, type RunOptions } from '../../../src/engine/executor.ts';
import { backoffDelay, isTransient, seededRandom, type Sleep } from '../../../src/engine/retry.ts';
import { TransportError } from '../../../src/transport/errors.ts';
import { FakeFleet, playbook, type FakeSpec } from './fakes.ts';

/** A sleep that only records: tests never wait and never look at a clock. */
function recordingSleep(): { sleep: Sleep; waits: number[] } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => void waits.push(ms) };
}

async function runOne(spec: FakeSpec, opts: Partial<RunOptions> = {}) {
  const fleet = new FakeFleet();
  const { sleep, waits } = recordingSleep();
  const r = await runPlaybook(playbook, fleet.hosts(['h1'], { h1: spec }), { forks: 1, sleep, random: () => 0.5, ...opts }, fleet.emit);
  return { host: r.hosts[0]!, waits, connects: fleet.connects };
}

describe('connect retries', () => {
  it('retries connect and timeout failures, doubling the backoff, and records the attempts', async () => {
    const { host, waits, connects } = await runOne({ connectErrors: ['connect', 'timeout'] }, { retries: { attempts: 3, backoffMs: 100 } });
    assert.equal(host.status, 'ok');
    assert.equal(host.connectAttempts, 3);
    assert.deepEqual(connects, ['h1', 'h1', 'h1']);
    // Equal jitter with random() = 0.5: ceiling/2 + 0.5 * ceiling/2, ceilings 100 then 200.
    assert.deepEqual(waits, [75, 150]);
    assert.deepEqual(
      host.log.map((l) => l.text),
      ['connect attempt 1 of 3 failed (h1: connect: simulated connect failure); retrying in 75 ms', 'connect attempt 2 of 3 failed (h1: timeout: simulated timeout failure); retrying in 150 ms'],
    );
  });

  it('gives up after the last attempt: unreachable, with the last error', async () => {
    const { host, waits } = await runOne({ connectErrors: ['connect', 'connect', 'timeout', 'connect'] }, { retries: { attempts: 3, backoffMs: 1000 }, random: () => 0 });
    assert.equal(host.status, 'unreachable');
    assert.equal(host.connectAttempts, 3);
    assert.deepEqual(waits, [500, 1000]);
    assert.deepEqual(host.error, { phase: 'connect', kind: 'timeout', message: 'h1: timeout: simulated timeout failure' });
  });

  it('never retries auth or host key failures, nor a session that closed', async () => {
    for (const phase of ['auth', 'hostkey', 'closed'] as const) {
      const { host, waits, connects } = await runOne({ connectErrors: [phase] }, { retries: { attempts: 5, backoffMs: 100 } });
      assert.equal(host.connectAttempts, 1, phase);
      assert.deepEqual(waits, [], phase);
      assert.deepEqual(connects, ['h1'], phase);
      assert.equal(host.status, phase === 'closed' ? 'failed' : 'unreachable', phase);
    }
  });

  it('stops retrying when a later failure is not transient', async () => {
    const { host, waits } = await runOne({ connectErrors: ['timeout', 'auth'] }, { retries: { attempts: 5, backoffMs: 10 } });
    assert.equal(host.connectAttempts, 2);
    assert.equal(host.error?.kind, 'auth');
    assert.deepEqual(waits, [8]);
  });

  it('without retries: one attempt, and no connectAttempts in the result', async () => {
    const { host, waits, connects } = await runOne({ connectErrors: ['connect'] });
    assert.equal(host.status, 'unreachable');
    assert.equal(host.connectAttempts, undefined);
    assert.deepEqual(connects, ['h1']);
    assert.deepEqual(waits, []);
  });

  it('an abort during a backoff ends the host with its last error, starting no new attempt', async () => {
    const abort = new AbortController();
    const waits: number[] = [];
    const sleep: Sleep = async (ms, signal) => {
      waits.push(ms);
      assert.equal(signal, abort.signal);
      abort.abort();
    };
    const { host, connects } = await runOne({ connectErrors: ['connect', 'connect'] }, { retries: { attempts: 4, backoffMs: 100 }, sleep, signal: abort.signal });
    assert.equal(host.status, 'unreachable');
    assert.equal(host.connectAttempts, 1);
    assert.deepEqual(connects, ['h1']);
    assert.deepEqual(waits, [75]);
  });

  it('the same seed gives the same jitter; every wait lies in [ceiling/2, ceiling]', async () => {
    const spec: FakeSpec = { connectErrors: ['connect', 'connect', 'connect', 'connect'] };
    const a = await runOne(spec, { retries: { attempts: 5, backoffMs: 200 }, random: seededRandom(42) });
    const b = await runOne(spec, { retries: { attempts: 5, backoffMs: 200 }, random: seededRandom(42) });
    assert.deepEqual(a.waits, b.waits);
    assert.equal(a.waits.length, 4);
    a.waits.forEach((w, i) => {
      const ceiling = 200 * 2 ** i;
      assert.ok(w >= ceiling / 2 && w <= ceiling, `${w} in [${ceiling / 2}, ${ceiling}]`);
    });
    assert.equal(a.host.status, 'ok');
    assert.equal(a.host.connectAttempts, 5);
  });
});

describe('retry helpers (pure)', () => {
  it('backoffDelay doubles its ceiling per retry, half fixed and half jitter', () => {
    assert.deepEqual([1, 2, 3, 4].map((n) => backoffDelay(n, 100, () => 0)), [50, 100, 200, 400]);
    assert.deepEqual([1, 2, 3].map((n) => backoffDelay(n, 100, () => 0.999999)), [100, 200, 400]);
    assert.equal(backoffDelay(1, 0, () => 0.7), 0);
  });

  it('isTransient: TransportError connect and timeout only', () => {
    assert.equal(isTransient(new TransportError('h', 'connect', 'refused')), true);
    assert.equal(isTransient(new TransportError('h', 'timeout', 'slow')), true);
    for (const phase of ['auth', 'hostkey', 'closed', 'protocol', 'parse'] as const) assert.equal(isTransient(new TransportError('h', phase, 'x')), false, phase);
    assert.equal(isTransient(new Error('connect')), false);
  });

  it('seededRandom is reproducible and in [0, 1)', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const xs = Array.from({ length: 1000 }, () => a());
    assert.deepEqual(xs.slice(0, 5), Array.from({ length: 5 }, () => b()));
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    assert.notDeepEqual(xs.slice(0, 5), Array.from({ length: 5 }, seededRandom(8)));
  });
});
