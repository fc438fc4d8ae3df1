import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { HostResult, HostResultStore, HostResults } from '../../../src/contracts/results.ts';
import { runJobsWith } from '../../../src/engine/executor.ts';
import type { HostJob } from '../../../src/engine/job.ts';
import { playbookRef } from '../../../src/engine/playbook-source.ts';
import { hostResult } from '../../helpers/run-results.ts';
import { playbook } from './fakes.ts';

// A full collection on demand, so the test can see what is still reachable.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function jobOf(name: string): HostJob {
  return { playbook: playbookRef(playbook), host: { name, groups: ['all'], vars: {} }, connection: { name, address: '192.0.2.1', port: 830, username: 'ops', knownHostsFile: '/k' }, dryRun: true };
}

/** A store that counts what it is given and keeps nothing, as a spool on disk keeps nothing in memory. */
function countingStore(): HostResultStore & { readonly put: (i: number, r: HostResult) => void; count: number } {
  const store = {
    count: 0,
    put: () => void store.count++,
    hosts: (): HostResults => ({ length: store.count, [Symbol.iterator]: () => [][Symbol.iterator]() }),
  };
  return store;
}

describe('the executor keeps no host result once the store has it', () => {
  it('holds none of 200 hosts\' results (each with 200 KB of evidence) after their run, nor in its run result', async () => {
    const jobs = Array.from({ length: 200 }, (_, i) => jobOf(`srx${i}`));
    const refs: WeakRef<HostResult>[] = [];
    const store = countingStore();
    const run = await runJobsWith(playbook, jobs, { forks: 10 }, () => undefined, store, async (job) => {
      const r = hostResult(job.host.name, job.host.name.endsWith('7') ? 'failed' : 'ok', { evidence: { rows: 'x'.repeat(200_000) } });
      refs.push(new WeakRef(r));
      return r;
    });
    assert.equal(store.count, 200);
    assert.deepEqual(run.recap, { ok: 180, changed: 0, skipped: 0, failed: 20, unreachable: 0 });
    assert.deepEqual(run.notRun, []);
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    const alive = refs.filter((r) => r.deref() !== undefined).length;
    assert.equal(alive, 0, `${alive} of 200 host results are still reachable after the run`);
  });
});
