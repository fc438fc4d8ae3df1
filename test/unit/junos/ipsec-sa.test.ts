import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipsecSas, tunnelIndexesByPeer, type IpsecSa } from '../../../src/junos/tables/ipsec-sas.ts';
import { runBoth, runFixture } from './helpers.ts';

describe('ipsecSas', () => {
  it('brief, single line, 15.x style ("ESP:", "aes-cbc-192/", "264/")', () => {
    const r = runFixture(ipsecSas, 'ipsec-sa-brief.xml');
    assert.equal(r.sas.length, 4);
    assert.deepStrictEqual(r.sas[0], {
      tunnelIndex: 67108866,
      remoteGateway: '3.3.3.2',
      port: 500,
      direction: 'inbound',
      spi: 'e3ec43b9',
      protocol: 'ESP',
      encryption: 'aes-cbc-192',
      authentication: 'sha256',
      algorithm: 'aes-cbc-192/sha256',
      lifetime: 264,
      lifesize: 150000,
      monitoring: '-',
      tunnelState: 'up',
      virtualSystem: 'root',
    } satisfies IpsecSa);
    assert.deepStrictEqual(
      r.sas.map((s) => [s.tunnelIndex, s.remoteGateway, s.direction, s.spi, s.lifetime]),
      [
        [67108866, '3.3.3.2', 'inbound', 'e3ec43b9', 264],
        [67108866, '3.3.3.2', 'outbound', 'ef2490a3', 264],
        [67108867, '5.5.5.2', 'inbound', 'cf7057b5', 302],
        [67108867, '5.5.5.2', 'outbound', '6fe3f60e', 302],
      ],
    );
    assert.deepStrictEqual(r.reported, [{ activeTunnels: 2 }]);
    assert.equal(r.totalActiveTunnels, 2);
    assert.equal(r.totalIpsecSas, undefined);
    assert.equal(r.skipped, 0);
    assert.deepStrictEqual(
      tunnelIndexesByPeer(r.sas),
      new Map([
        ['3.3.3.2', [67108866]],
        ['5.5.5.2', [67108867]],
      ]),
    );
  });

  it('multi-routing-engine wrapper without <re-name>: node stays undefined', () => {
    const r = runFixture(ipsecSas, 'ipsec-sa-brief-multi-re-one-tunnel.xml');
    assert.deepStrictEqual(
      r.sas.map((s) => [s.tunnelIndex, s.remoteGateway, s.direction, s.spi, s.lifetime, s.lifesize, s.node]),
      [
        [67108868, '3.3.3.2', 'inbound', 'd617f066', 1128, 149997, undefined],
        [67108868, '3.3.3.2', 'outbound', '8e8cfe61', 1128, 149997, undefined],
      ],
    );
    assert.deepStrictEqual(r.reported, [{ activeTunnels: 1 }]);
  });

  const rekeyOverlap = [
    [231076, '1.1.1.1', 'inbound', 'bb0d675a', 24979],
    [231076, '1.1.1.1', 'outbound', 'a9f5fbf3', 24979],
    [231076, '1.1.1.1', 'inbound', 'f2f52201', 25347],
    [231076, '1.1.1.1', 'outbound', '7e5c22ff', 25347],
    [131074, '2.2.2.2', 'inbound', '9bb78e12', 2801],
    [131074, '2.2.2.2', 'outbound', 'b8ce3a62', 2801],
    [131074, '2.2.2.2', 'inbound', '8a2f7ff3', 28556],
    [131074, '2.2.2.2', 'outbound', 'd78c51e8', 28556],
  ];

  it('18.4 standalone: 8 SAs (two per direction during rekey), device reports 4', () => {
    const r = runFixture(ipsecSas, 'ipsec-sa-brief-18.4.xml');
    assert.deepStrictEqual(
      r.sas.map((s) => [s.tunnelIndex, s.remoteGateway, s.direction, s.spi, s.lifetime]),
      rekeyOverlap,
    );
    assert.deepStrictEqual([r.sas[0].protocol, r.sas[0].algorithm, r.sas[0].lifesize, r.sas[0].port], ['ESP', '3des/sha256', null, 401]);
    assert.deepStrictEqual(r.reported, [{ activeTunnels: 2, ipsecSas: 4 }]);
    assert.deepStrictEqual(
      tunnelIndexesByPeer(r.sas),
      new Map([
        ['1.1.1.1', [231076]],
        ['2.2.2.2', [131074]],
      ]),
    );
  });

  it('18.4 cluster: same SAs, each labelled node0, totals per node', () => {
    const r = runFixture(ipsecSas, 'ipsec-sa-brief-cluster-18.4.xml');
    assert.deepStrictEqual(
      r.sas.map((s) => [s.tunnelIndex, s.remoteGateway, s.direction, s.spi, s.lifetime]),
      rekeyOverlap,
    );
    assert.ok(r.sas.every((s) => s.node === 'node0'));
    assert.deepStrictEqual(r.reported, [{ node: 'node0', activeTunnels: 2, ipsecSas: 4 }]);
    assert.equal(r.totalActiveTunnels, 2);
    assert.equal(r.totalIpsecSas, 4);
  });

  it('detail: index, gateway and VPN name from the block, "Expires in N seconds", "Unlimited"', () => {
    const r = runFixture(ipsecSas, 'ipsec-sa-detail.xml');
    const common = {
      tunnelIndex: 2,
      remoteGateway: '25.0.134.241',
      port: 500,
      protocol: 'ESP',
      encryption: '3des',
      authentication: 'sha1',
      algorithm: '3des/sha1',
      lifetime: 3538,
      lifesize: null,
      monitoring: 'UP',
      vpnName: 'vpn1',
      tunnelState: 'up',
      virtualSystem: 'root',
    };
    assert.deepStrictEqual(r.sas, [
      { ...common, direction: 'inbound', spi: 'b55cec75' },
      { ...common, direction: 'outbound', spi: 'a26a796d' },
    ]);
    assert.deepStrictEqual(r.reported, []);
    assert.equal(r.totalActiveTunnels, undefined);
  });

  it('does not read MX services IPsec output (different elements; kept for contrast)', () => {
    const r = runFixture(ipsecSas, 'mx-services-ipsec-sa-detail.xml');
    assert.deepStrictEqual(r, { sas: [], reported: [], skipped: 0 });
  });

  it('tells the nodes of a two-node reply apart and sums their totals', () => {
    const item = (node: string, index: number): string =>
      `<multi-routing-engine-item><re-name>${node}</re-name><ipsec-security-associations-information junos:style="brief"><total-active-tunnels>1</total-active-tunnels>` +
      `<ipsec-security-associations-block><ipsec-security-associations><sa-direction>&lt;</sa-direction><sa-tunnel-index>${index}</sa-tunnel-index><sa-remote-gateway>9.9.9.9</sa-remote-gateway></ipsec-security-associations></ipsec-security-associations-block>` +
      `</ipsec-security-associations-information></multi-routing-engine-item>`;
    const r = runBoth(ipsecSas, `<rpc-reply><multi-routing-engine-results>${item('node0', 5)}${item('node1', 5)}</multi-routing-engine-results></rpc-reply>`);
    assert.deepStrictEqual(r.sas.map((s) => [s.node, s.tunnelIndex]), [['node0', 5], ['node1', 5]]);
    assert.deepStrictEqual(r.reported, [{ node: 'node0', activeTunnels: 1 }, { node: 'node1', activeTunnels: 1 }]);
    assert.equal(r.totalActiveTunnels, 2);
  });

  it('skips an SA without tunnel index or gateway and counts it', () => {
    const r = runBoth(ipsecSas, '<ipsec-security-associations-information><ipsec-security-associations-block><ipsec-security-associations><sa-spi>1</sa-spi></ipsec-security-associations></ipsec-security-associations-block></ipsec-security-associations-information>');
    assert.deepStrictEqual([r.sas.length, r.skipped], [0, 1]);
  });
});

describe('tunnelIndexesByPeer', () => {
  it('lists distinct indexes per peer in order of first appearance', () => {
    const sa = (remoteGateway: string, tunnelIndex: number): IpsecSa => ({ remoteGateway, tunnelIndex });
    const m = tunnelIndexesByPeer([sa('a', 3), sa('b', 9), sa('a', 1), sa('a', 3), sa('b', 9), sa('a', 2)]);
    assert.deepStrictEqual([...m], [['a', [3, 1, 2]], ['b', [9]]]);
  });
});
