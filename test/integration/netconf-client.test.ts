import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { flowSessions } from '../../src/junos/tables/flow-sessions.ts';
import { ikeSas } from '../../src/junos/tables/ike-sas.ts';
import { ipsecSas, tunnelIndexesByPeer } from '../../src/junos/tables/ipsec-sas.ts';
import { buildRpc } from '../../src/junos/rpc.ts';
import { clearReply } from '../../src/junos/clear-reply.ts';
import { NetconfSession } from '../../src/transport/session.ts';
import { labConnect, startLab } from '../helpers/lab.ts';

type StartedLab = Awaited<ReturnType<typeof startLab>>;

/** The seed's first sample: 4.0.0.2 is the one peer with 50+ AH sessions. */
const ONE_PEER_INDEXES = [67111733, 67111734, 67111735, 67111736, 67111737, 67111738, 67111739, 67111740, 67111741, 67111742, 67111724, 67111743, 67111725, 67111726, 67111730, 67111731, 67111732];

async function ahCounts(s: NetconfSession): Promise<{ total: number; perPeer: Map<string, number> }> {
  const perPeer = new Map<string, number>();
  const x = flowSessions({ onRecord: (r) => r.sourceAddress && perPeer.set(r.sourceAddress, (perPeer.get(r.sourceAddress) ?? 0) + 1) });
  await s.rpc(buildRpc('get-flow-session-information', { protocol: 'ah' }), { handler: x });
  return { total: x.result().total, perPeer };
}

describe('NETCONF client against the lab (real SSH on loopback)', () => {
  let lab: StartedLab;
  before(async () => {
    lab = await startLab([
      { name: 'srx-eom', scenario: 'one-peer', seed: 1 },
      { name: 'srx-chunked', scenario: 'one-peer', seed: 1, base11: true },
      { name: 'srx-cluster', scenario: 'cluster', seed: 3, base11: true },
    ]);
  });
  after(async () => lab.cleanup());

  for (const [name, framing] of [['srx-eom', 'eom'], ['srx-chunked', 'chunked']] as const) {
    it(`reads the seed's one-peer sample over ${framing} framing`, async () => {
      const s = await NetconfSession.connect(labConnect(lab, name));
      try {
        assert.equal(s.framing, framing);
        assert.ok(s.capabilities.includes('http://xml.juniper.net/netconf/junos/1.0'));
        const { total, perPeer } = await ahCounts(s);
        assert.equal(total, 21167);
        assert.equal(perPeer.size, 750);
        const over = [...perPeer].filter(([, n]) => n >= 50);
        assert.deepEqual(over, [['4.0.0.2', 54]]);

        const sa = ipsecSas();
        await s.rpc('<get-security-associations-information/>', { handler: sa });
        assert.deepEqual(tunnelIndexesByPeer(sa.result().sas).get('4.0.0.2'), ONE_PEER_INDEXES);

        const ike = ikeSas();
        await s.rpc('<get-ike-security-associations-information/>', { handler: ike });
        assert.ok(ike.result().sas.some((x) => x.remoteAddress === '4.0.0.2'));
      } finally {
        await s.close();
      }
    });
  }

  it('clearing a peer changes what the next collect sees, for that peer only', async () => {
    const s = await NetconfSession.connect(labConnect(lab, 'srx-chunked'));
    try {
      const before = await ahCounts(s);
      const cleared = clearReply();
      await s.rpc(buildRpc('clear-ike-security-association', { 'peer-address': '4.0.0.2' }), { handler: cleared });
      for (const index of ONE_PEER_INDEXES) await s.rpc(buildRpc('clear-ipsec-security-association', { index }));
      const afterClear = await ahCounts(s);
      assert.equal(afterClear.perPeer.get('4.0.0.2'), undefined);
      assert.equal(afterClear.total, before.total - 54);
      for (const [peer, n] of before.perPeer) if (peer !== '4.0.0.2') assert.equal(afterClear.perPeer.get(peer), n, peer);
      const sa = ipsecSas();
      await s.rpc('<get-security-associations-information/>', { handler: sa });
      assert.equal(tunnelIndexesByPeer(sa.result().sas).get('4.0.0.2'), undefined);
      const ike = ikeSas();
      await s.rpc('<get-ike-security-associations-information/>', { handler: ike });
      assert.ok(!ike.result().sas.some((x) => x.remoteAddress === '4.0.0.2'));
    } finally {
      await s.close();
    }
  });

  it('counts every SPU block and both cluster nodes', async () => {
    const s = await NetconfSession.connect(labConnect(lab, 'srx-cluster'));
    try {
      const x = flowSessions();
      let raw = 0;
      await s.rpc(buildRpc('get-flow-session-information', { protocol: 'ah' }), {
        handler: x,
        onText: (t) => (raw += t.split('<flow-session ').length - 1),
      });
      const r = x.result();
      assert.deepEqual(r.nodes, ['node0', 'node1']);
      assert.ok(r.blocks > 2, `blocks: ${r.blocks}`);
      assert.equal(r.total, raw);
      assert.equal(r.total, r.displayedTotal);
      assert.ok(new Set(r.sessions.map((x) => x.spu)).size > 1);
    } finally {
      await s.close();
    }
  });

  it('authenticates with a private key file', async () => {
    const privateKey = await readFile(lab.clientKeyFile);
    const s = await NetconfSession.connect(labConnect(lab, 'srx-eom', { password: undefined, privateKey }));
    const { total } = await ahCounts(s);
    assert.equal(total, 21167);
    await s.close();
  });

  it('authenticates through ssh-agent', async (t) => {
    if (spawnSync('ssh-agent', ['-h']).error) return t.skip('ssh-agent is not installed (Debian package openssh-client)');
    const sock = join(lab.dir, 'agent.sock');
    const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      // The agent is ready once its socket exists; 30 s only bounds "it never started".
      for (let i = 0; i < 600 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(existsSync(sock), 'ssh-agent made its socket');
      const add = spawnSync('ssh-add', [lab.clientKeyFile], { env: { ...process.env, SSH_AUTH_SOCK: sock }, encoding: 'utf8' });
      assert.equal(add.status, 0, add.stderr);
      const s = await NetconfSession.connect(labConnect(lab, 'srx-eom', { password: undefined, agent: sock }));
      const { total } = await ahCounts(s);
      assert.equal(total, 21167);
      await s.close();
    } finally {
      agent.kill();
    }
  });
});
