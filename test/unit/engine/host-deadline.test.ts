import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HostDeadline } from '../../../src/engine/host-deadline.ts';
import type { EngineHost } from '../../../src/engine/host-run.ts';
import { connectWithRetry } from '../../../src/engine/retry.ts';
import type { RpcSession, RpcReply } from '../../../src/contracts/session.ts';
import { TransportError } from '../../../src/transport/errors.ts';

/** A session whose RPCs never answer until it is destroyed, as a device trickling keep-alives. */
function stuckSession(): RpcSession & { destroyed: boolean } {
  const waiting: ((err: Error) => void)[] = [];
  const s = {
    destroyed: false,
    rpc: () => new Promise<RpcReply>((_resolve, reject) => waiting.push(reject)),
    close: () => Promise.resolve(),
    destroy: () => {
      s.destroyed = true;
      for (const reject of waiting) reject(new TransportError('srx', 'closed', 'session closed by the client'));
    },
  };
  return s;
}

const host = (connect: () => Promise<RpcSession>): EngineHost => ({ name: 'srx', groups: [], vars: {}, dryRun: true, connect });

describe('HostDeadline', () => {
  it('fails the RPC in flight with a timeout naming the deadline, and destroys the session', async () => {
    const session = stuckSession();
    const deadline = new HostDeadline('srx', 50);
    const bounded = deadline.bound(host(async () => session));
    const s = await bounded.connect();
    await assert.rejects(s.rpc('<get-software-information/>'), (e: unknown) => e instanceof TransportError && e.phase === 'timeout' && /host deadline of 0.05 s passed \(--host-deadline/.test(e.message));
    assert.equal(session.destroyed, true);
    await s.close();
    await assert.rejects(bounded.connect(), /host deadline/, 'no new connect once it passed');
    deadline.dispose();
  });

  it('a connect cut off by the deadline is not retried', async () => {
    const deadline = new HostDeadline('srx', 50);
    let attempts = 0;
    const bounded = deadline.bound(host(() => (attempts++, new Promise<RpcSession>(() => undefined))));
    const retry = { attempts: 3, backoffMs: 0, random: () => 0, sleep: async () => undefined };
    const outcome = await connectWithRetry(() => bounded.connect(), retry);
    assert.equal(outcome.ok, false);
    assert.equal(attempts, 1);
    assert.ok(!outcome.ok && /host deadline/.test(String(outcome.error)));
    deadline.dispose();
  });

  it('leaves a host that finishes in time alone', async () => {
    const deadline = new HostDeadline('srx', 60_000);
    const session = { rpc: async () => ({ rpc: 'x', ok: true, errors: [], warnings: [], bytes: 0, ms: 0 }), close: async () => undefined };
    const s = await deadline.bound(host(async () => session)).connect();
    assert.equal((await s.rpc('<x/>')).ok, true);
    deadline.dispose();
  });
});
