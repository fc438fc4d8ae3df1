import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { HOSTILE_PASSWORD, HOSTILE_USER, HostileServer } from '../helpers/hostile-server.ts';
import { TransportError } from '../../src/transport/errors.ts';
import { NetconfSession } from '../../src/transport/session.ts';

/** The hostile server's default behaviour is a well-behaved lab device: the baseline every hostile mode departs from. */
describe('hostile server, behaving', () => {
  let server: HostileServer;
  let dir: string;
  before(async () => {
    server = await HostileServer.start();
    dir = await mkdtemp(join(tmpdir(), 'runbook-hostile-'));
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs ah-cleanup as a lab device would, and records every RPC it received', async () => {
    const inv = await server.writeInventory(dir);
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inv, '--audit-log', join(dir, 'audit.jsonl'), '--lock-dir', dir], { env: server.env() });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(server.rpcNames.includes('get-flow-session-information'), server.rpcNames.join(','));
    assert.ok(!server.rpcNames.some((n) => n.startsWith('clear-')), 'a dry run sends no clear');
  });

  it('gets each NETCONF message from runbook in one SSH packet, and takes the password by keyboard-interactive too', async () => {
    await server.writeInventory(dir);
    const before = server.dataPackets;
    const rpcsBefore = server.received.length;
    const session = await NetconfSession.connect({
      address: '127.0.0.1',
      port: server.port,
      username: HOSTILE_USER,
      password: HOSTILE_PASSWORD,
      knownHostsFile: join(dir, 'hostile_known_hosts'),
    });
    await session.rpc('<get-software-information/>');
    await session.close();
    // The hello, then each RPC (close-session included): the end-of-message marker rides with its message.
    assert.deepEqual(server.received.slice(rpcsBefore).map((r) => r.name), ['get-software-information', 'close-session']);
    assert.equal(server.dataPackets - before, 3);
  });

  it('refuses a key it cannot parse before connecting, naming the reason', async () => {
    const accepted = server.accepted;
    const err = await NetconfSession.connect({
      name: 'bad-key',
      address: '127.0.0.1',
      port: server.port,
      username: HOSTILE_USER,
      privateKey: Buffer.from('-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----\n'),
      knownHostsFile: join(dir, 'hostile_known_hosts'),
    }).catch((e: unknown) => e);
    assert.ok(err instanceof TransportError, String(err));
    assert.equal(err.phase, 'connect');
    assert.match(err.message, /bad connection settings: Cannot parse privateKey/);
    assert.equal(server.accepted, accepted, 'nothing was contacted');
  });
});
