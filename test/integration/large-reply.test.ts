import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { flowSessions } from '../../src/junos/tables/flow-sessions.ts';
import { buildRpc } from '../../src/junos/rpc.ts';
import { parseTablePath, tableExtractor } from '../../src/junos/table.ts';
import { NetconfSession } from '../../src/transport/session.ts';
import { labConnect, startLab } from '../helpers/lab.ts';

type StartedLab = Awaited<ReturnType<typeof startLab>>;

const AH_SESSIONS = 130_000;
const MB = 2 ** 20;

/** Samples the heap while a reply streams: a client holding the reply as text would need at least its size. */
function heapSampler(): { readonly max: number; stop(): void } {
  let max = 0;
  const timer = setInterval(() => (max = Math.max(max, process.memoryUsage().heapUsed)), 20);
  return {
    get max() {
      return max;
    },
    stop: () => clearInterval(timer),
  };
}

describe('a reply of several hundred MB', () => {
  let lab: StartedLab;
  /** Sessions per peer, as the flowSessions extractor read them. */
  const perPeer = new Map<string, number>();
  before(async () => {
    lab = await startLab([{ name: 'big', scenario: 'large', seed: 7, overrides: { ahSessions: AH_SESSIONS }, base11: true }]);
  });
  after(async () => lab.cleanup());

  it('is extracted as it streams, never held whole', async () => {
    const s = await NetconfSession.connect(labConnect(lab, 'big', { rpcTimeoutMs: 120_000 }));
    let records = 0;
    const x = flowSessions({
      onRecord: (r) => {
        records++;
        if (r.sourceAddress) perPeer.set(r.sourceAddress, (perPeer.get(r.sourceAddress) ?? 0) + 1);
      },
    });
    const heap = heapSampler();
    try {
      const reply = await s.rpc(buildRpc('get-flow-session-information', { protocol: 'ah' }), { handler: x });
      const r = x.result();
      assert.ok(reply.bytes > 250 * MB, `reply was only ${(reply.bytes / MB).toFixed(0)} MB`);
      assert.equal(r.total, AH_SESSIONS);
      assert.equal(records, AH_SESSIONS);
      assert.equal(r.sessions.length, 0, 'records were streamed to onRecord, not kept');
      assert.ok(perPeer.size > 1);
      assert.ok(heap.max < reply.bytes / 2, `peak heap ${(heap.max / MB).toFixed(0)} MB for a ${(reply.bytes / MB).toFixed(0)} MB reply`);
    } finally {
      heap.stop();
      await s.close();
    }
  });

  it('keeps the records of the ah-cleanup collect small: no reply text pinned, values shared', async () => {
    const s = await NetconfSession.connect(labConnect(lab, 'big', { rpcTimeoutMs: 120_000 }));
    const peer = parseTablePath("flow-information[direction='In']/source-address");
    const flag = parseTablePath('session-flag');
    assert.ok('steps' in peer && 'steps' in flag);
    // session-flag ("0x10000/0x0/0x1") is long enough for V8 to keep it as a slice of its chunk.
    const table = tableExtractor({
      item: 'flow-session',
      fields: [
        { name: 'peer', kind: 'path', path: peer.steps, type: 'string' },
        { name: 'flag', kind: 'path', path: flag.steps, type: 'string' },
      ],
    });
    const start = process.memoryUsage().heapUsed;
    const heap = heapSampler();
    try {
      const reply = await s.rpc(buildRpc('get-flow-session-information', { protocol: 'ah' }), { handler: table });
      const r = table.result();
      assert.equal(r.count, AH_SESSIONS);
      assert.equal(r.records.length, AH_SESSIONS);
      const counted = new Map<string, number>();
      for (const rec of r.records) counted.set(String(rec.peer), (counted.get(String(rec.peer)) ?? 0) + 1);
      assert.deepEqual(counted, perPeer);
      assert.ok(r.records.every((rec) => rec.flag === '0x10000/0x0/0x1'));
      // Kept values cut from the reply's chunks would pin those chunks: the heap would grow
      // to the reply's size. Flat, shared values keep it to the records themselves (and the
      // lab, which runs in this process).
      const grown = heap.max - start;
      assert.ok(grown < reply.bytes / 4, `heap grew ${(grown / MB).toFixed(0)} MB while keeping ${AH_SESSIONS} records of a ${(reply.bytes / MB).toFixed(0)} MB reply`);
    } finally {
      heap.stop();
      await s.close();
    }
  });
});
