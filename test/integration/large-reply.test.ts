import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { flowSessions } from '../../src/junos/flow-sessions.ts';
import { buildRpc } from '../../src/junos/rpc.ts';
import { NetconfSession } from '../../src/transport/session.ts';
import { labConnect, startLab } from '../helpers/lab.ts';

type StartedLab = Awaited<ReturnType<typeof startLab>>;

const AH_SESSIONS = 130_000;

describe('a reply of several hundred MB', () => {
  let lab: StartedLab;
  before(async () => {
    lab = await startLab([{ name: 'big', scenario: 'large', seed: 7, overrides: { ahSessions: AH_SESSIONS }, base11: true }]);
  });
  after(async () => lab.cleanup());

  it('is extracted as it streams, never held whole', async () => {
    const s = await NetconfSession.connect(labConnect(lab, 'big', { rpcTimeoutMs: 120_000 }));
    let records = 0;
    const peers = new Set<string>();
    const x = flowSessions({
      onRecord: (r) => {
        records++;
        if (r.sourceAddress) peers.add(r.sourceAddress);
      },
    });
    // Memory is sampled while the reply streams: a client holding the reply as a string
    // would need at least its size in heap.
    let maxHeap = 0;
    const sampler = setInterval(() => (maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed)), 20);
    try {
      const reply = await s.rpc(buildRpc('get-flow-session-information', { protocol: 'ah' }), { handler: x });
      const r = x.result();
      assert.ok(reply.bytes > 250 * 1024 * 1024, `reply was only ${(reply.bytes / 2 ** 20).toFixed(0)} MB`);
      assert.equal(r.total, AH_SESSIONS);
      assert.equal(records, AH_SESSIONS);
      assert.equal(r.sessions.length, 0, 'records were streamed to onRecord, not kept');
      assert.ok(peers.size > 1);
      assert.ok(maxHeap < reply.bytes / 2, `peak heap ${(maxHeap / 2 ** 20).toFixed(0)} MB for a ${(reply.bytes / 2 ** 20).toFixed(0)} MB reply`);
    } finally {
      clearInterval(sampler);
      await s.close();
    }
  });
});
