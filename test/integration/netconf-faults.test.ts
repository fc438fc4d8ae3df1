import assert from 'node:assert/strict';
import { writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { flowSessions } from '../../src/junos/tables/flow-sessions.ts';
import { software } from '../../src/junos/tables/software.ts';
import { RpcError, TransportError } from '../../src/transport/errors.ts';
import { NetconfSession } from '../../src/transport/session.ts';
import { labConnect, startLab } from '../helpers/lab.ts';

type StartedLab = Awaited<ReturnType<typeof startLab>>;

/** Asserts a TransportError of this phase naming the host. */
async function rejectsWith(p: Promise<unknown>, host: string, phase: TransportError['phase'], text?: RegExp): Promise<TransportError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof TransportError, `expected TransportError(${phase}), got ${String(caught)}`);
  assert.equal(caught.host, host);
  assert.equal(caught.phase, phase, caught.message);
  if (text) assert.match(caught.message, text);
  return caught;
}

describe('NETCONF client against faulty lab devices (real SSH on loopback)', () => {
  let lab: StartedLab;
  before(async () => {
    lab = await startLab([
      { name: 'ok', scenario: 'no-peer', seed: 1 },
      { name: 'refused', scenario: 'no-peer', seed: 1, faults: { refuse: true } },
      { name: 'badkey', scenario: 'no-peer', seed: 1, faults: { wrongHostKey: true } },
      { name: 'noauth', scenario: 'no-peer', seed: 1, faults: { rejectAuth: true } },
      { name: 'slow', scenario: 'no-peer', seed: 1, faults: { slowMs: 3_000, rpcs: ['get-software-information'] } },
      { name: 'drop', scenario: 'no-peer', seed: 1, faults: { dropAfterBytes: 4096, rpcs: ['get-flow-session-information'] } },
      { name: 'clearerr', scenario: 'one-peer', seed: 1, faults: { rpcErrorOn: ['clear-ike-security-association'] } },
      { name: 'truncated', scenario: 'no-peer', seed: 1, faults: { badXml: 'truncated', rpcs: ['get-flow-session-information'] } },
      { name: 'malformed', scenario: 'no-peer', seed: 1, faults: { badXml: 'malformed', rpcs: ['get-flow-session-information'] } },
    ]);
  });
  after(async () => lab.cleanup());

  it('connection refused is a connect error', async () => {
    await rejectsWith(NetconfSession.connect(labConnect(lab, 'refused')), 'refused', 'connect', /connection refused/);
  });

  it('a host key that differs from known_hosts is refused, showing both fingerprints', async () => {
    const err = await rejectsWith(NetconfSession.connect(labConnect(lab, 'badkey')), 'badkey', 'hostkey', /MISMATCH/);
    const fps = err.message.match(/SHA256:[A-Za-z0-9+/]+/g) ?? [];
    assert.equal(new Set(fps).size, 2, `two different fingerprints in: ${err.message}`);
  });

  it('a changed host key is refused even with accept-new, and known_hosts is left as it was', async () => {
    const before = await readFile(lab.knownHostsFile, 'utf8');
    await rejectsWith(NetconfSession.connect(labConnect(lab, 'badkey', { acceptNewHostKey: true })), 'badkey', 'hostkey', /MISMATCH/);
    assert.equal(await readFile(lab.knownHostsFile, 'utf8'), before);
  });

  it('an unknown host key is refused by default and recorded with accept-new', async () => {
    const file = join(lab.dir, 'empty_known_hosts');
    await writeFile(file, '');
    await rejectsWith(NetconfSession.connect(labConnect(lab, 'ok', { knownHostsFile: file })), 'ok', 'hostkey', /not in .*accept-new/);
    const s = await NetconfSession.connect(labConnect(lab, 'ok', { knownHostsFile: file, acceptNewHostKey: true }));
    await s.close();
    const recorded = await readFile(file, 'utf8');
    assert.match(recorded, new RegExp(`^\\[127\\.0\\.0\\.1\\]:${lab.host('ok').port} ssh-ed25519 `));
    // The recorded key now verifies without accept-new.
    const again = await NetconfSession.connect(labConnect(lab, 'ok', { knownHostsFile: file }));
    await again.close();
  });

  it('rejected credentials are an auth error', async () => {
    await rejectsWith(NetconfSession.connect(labConnect(lab, 'noauth')), 'noauth', 'auth', /authentication as 'lab' failed/);
    await rejectsWith(NetconfSession.connect(labConnect(lab, 'ok', { password: 'wrong' })), 'ok', 'auth');
  });

  it('a reply slower than the RPC timeout is a timeout error', async () => {
    const s = await NetconfSession.connect(labConnect(lab, 'slow', { rpcTimeoutMs: 500 }));
    try {
      await rejectsWith(s.rpc('<get-software-information/>'), 'slow', 'timeout', /get-software-information/);
    } finally {
      s.destroy();
    }
  });

  it('a connection dropped mid-reply is a closed error naming the RPC', async () => {
    const s = await NetconfSession.connect(labConnect(lab, 'drop'));
    try {
      await rejectsWith(s.rpc('<get-flow-session-information><protocol>ah</protocol></get-flow-session-information>', { handler: flowSessions() }), 'drop', 'closed', /get-flow-session-information/);
    } finally {
      s.destroy();
    }
  });

  it("an <rpc-error> on a clear is an RpcError carrying the device's message and bad-element", async () => {
    const s = await NetconfSession.connect(labConnect(lab, 'clearerr'));
    try {
      let caught: unknown;
      try {
        await s.rpc('<clear-ike-security-association><peer-address>4.0.0.2</peer-address></clear-ike-security-association>');
      } catch (err) {
        caught = err;
      }
      assert.ok(caught instanceof RpcError, String(caught));
      assert.equal(caught.host, 'clearerr');
      assert.equal(caught.rpc, 'clear-ike-security-association');
      assert.equal(caught.errors[0].severity, 'error');
      assert.equal(caught.errors[0].badElement, 'clear-ike-security-association');
      // The session is still usable after an rpc-error.
      const info = software();
      await s.rpc('<get-software-information/>', { handler: info });
      assert.ok(info.result().entries.length >= 1 && info.result().hostName);
    } finally {
      await s.close();
    }
  });

  for (const name of ['truncated', 'malformed'] as const) {
    it(`a ${name} reply is a parse error, and the session stays usable`, async () => {
      const s = await NetconfSession.connect(labConnect(lab, name));
      try {
        await rejectsWith(s.rpc('<get-flow-session-information/>', { handler: flowSessions() }), name, 'parse', /not well-formed|ended/);
        const info = software();
        await s.rpc('<get-software-information/>', { handler: info });
        assert.ok(info.result().entries.length >= 1 && info.result().hostName);
      } finally {
        await s.close();
      }
    });
  }
});
