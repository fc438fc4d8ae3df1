import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ikeSas, type IkeSa } from '../../../src/junos/tables/ike-sas.ts';
import { runBoth, runFixture } from './helpers.ts';

describe('ikeSas', () => {
  it('brief, one SA', () => {
    const r = runFixture(ikeSas, 'ike-sa-brief-one.xml');
    assert.deepStrictEqual(r, {
      sas: [{ index: 3922268, remoteAddress: '3.3.3.2', state: 'UP', initiatorCookie: '1e29005494f73fb3', responderCookie: '835a88571b16a29f', mode: 'IKEv2' } satisfies IkeSa],
      skipped: 0,
    });
  });

  it('brief, two SAs on one line', () => {
    const r = runFixture(ikeSas, 'ike-sa-brief.xml');
    assert.deepStrictEqual(
      r.sas.map((s) => [s.index, s.remoteAddress, s.state, s.initiatorCookie, s.responderCookie, s.mode]),
      [
        [3922267, '5.5.5.2', 'UP', '95ccf59c2783de54', 'fec2c4b00faf0495', 'IKEv2'],
        [3922268, '3.3.3.2', 'UP', '1e29005494f73fb3', '835a88571b16a29f', 'IKEv2'],
      ],
    );
  });

  it('detail: index and gateway from the block, role and ports from the SA, phase-2 data ignored', () => {
    const r = runFixture(ikeSas, 'ike-sa-detail.xml');
    assert.deepStrictEqual(r.sas, [
      {
        index: 3922267,
        remoteAddress: '5.5.5.2',
        remotePort: 500,
        localAddress: '2.2.2.2',
        state: 'UP',
        initiatorCookie: '95ccf59c2783de54',
        responderCookie: 'fec2c4b00faf0495',
        mode: 'IKEv2',
        role: 'responder',
        gateway: 'ADVPN_SUGGESTER_GW',
        lifetime: 11242,
      },
      {
        index: 3922268,
        remoteAddress: '3.3.3.2',
        remotePort: 500,
        localAddress: '2.2.2.2',
        state: 'UP',
        initiatorCookie: '1e29005494f73fb3',
        responderCookie: '835a88571b16a29f',
        mode: 'IKEv2',
        role: 'responder',
        gateway: 'ADVPN_SUGGESTER_GW',
        lifetime: 21458,
      },
    ]);
  });

  it('reads the MX services shape too (same element names), which has no index', () => {
    const r = runFixture(ikeSas, 'mx-services-ike-sa-detail.xml');
    assert.deepStrictEqual(r.sas, [
      { remoteAddress: '10.0.1.2', localAddress: '10.0.1.1', state: 'matured', initiatorCookie: '16ac5f588b934e91', responderCookie: '5fccb149f6fd6c4e', mode: 'IKEv2', role: 'initiator', lifetime: 2214 },
    ]);
  });

  it('labels SAs with their cluster node', () => {
    const sa = (addr: string): string => `<ike-security-associations><ike-sa-remote-address>${addr}</ike-sa-remote-address><ike-sa-index>7</ike-sa-index><ike-sa-state>UP</ike-sa-state></ike-security-associations>`;
    const xml = `<rpc-reply><multi-routing-engine-results><multi-routing-engine-item><re-name>node0</re-name><ike-security-associations-information>${sa('4.0.0.2')}</ike-security-associations-information></multi-routing-engine-item><multi-routing-engine-item><re-name>node1</re-name><ike-security-associations-information>${sa('4.0.0.3')}</ike-security-associations-information></multi-routing-engine-item></multi-routing-engine-results></rpc-reply>`;
    assert.deepStrictEqual(runBoth(ikeSas, xml).sas.map((s) => [s.node, s.remoteAddress]), [['node0', '4.0.0.2'], ['node1', '4.0.0.3']]);
  });

  it('skips an SA without a remote address and counts it', () => {
    const r = runBoth(ikeSas, '<ike-security-associations-information><ike-security-associations><ike-sa-index>1</ike-sa-index></ike-security-associations></ike-security-associations-information>');
    assert.deepStrictEqual(r, { sas: [], skipped: 1 });
  });
});
