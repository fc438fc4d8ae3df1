import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { software } from '../../../src/junos/tables/software.ts';
import { runBoth } from './helpers.ts';

// No capture of get-software-information is in the fixture folder: these replies are
// built from the documented shape (SRX1500, 15.1X49; cluster wrapped per node; 12.x
// without <junos-version>).

const info = (host: string, version: string): string =>
  `<software-information><host-name>${host}</host-name><product-model>srx1500</product-model><product-name>srx1500</product-name>` +
  `<junos-version>${version}</junos-version><package-information><name>junos</name><comment>JUNOS Software Release [${version}]</comment></package-information></software-information>`;

describe('software', () => {
  it('standalone', () => {
    const r = runBoth(software, `<rpc-reply xmlns:junos="http://xml.juniper.net/junos/15.1X49/junos">\n${info('srx1', '15.1X49-D150.2')}\n<cli><banner></banner></cli></rpc-reply>`);
    assert.deepStrictEqual(r, {
      entries: [{ hostName: 'srx1', productModel: 'srx1500', productName: 'srx1500', junosVersion: '15.1X49-D150.2' }],
      hostName: 'srx1',
      productModel: 'srx1500',
      junosVersion: '15.1X49-D150.2',
    });
  });

  it('chassis cluster: one entry per node', () => {
    const xml =
      '<rpc-reply><multi-routing-engine-results>' +
      `<multi-routing-engine-item><re-name>node0</re-name>${info('srx-a', '15.1X49-D150.2')}</multi-routing-engine-item>` +
      `<multi-routing-engine-item><re-name>node1</re-name>${info('srx-b', '15.1X49-D150.2')}</multi-routing-engine-item>` +
      '</multi-routing-engine-results><cli><banner>{primary:node0}</banner></cli></rpc-reply>';
    const r = runBoth(software, xml);
    assert.deepStrictEqual(
      r.entries.map((e) => [e.node, e.hostName, e.junosVersion]),
      [
        ['node0', 'srx-a', '15.1X49-D150.2'],
        ['node1', 'srx-b', '15.1X49-D150.2'],
      ],
    );
    assert.equal(r.hostName, 'srx-a');
  });

  it('12.x without <junos-version>: version from the "JUNOS Software Release [...]" package comment', () => {
    const xml =
      '<rpc-reply><software-information><host-name>fw</host-name><product-model>srx240h2</product-model>' +
      '<package-information><name>junos</name><comment>JUNOS Software Release [12.1X46-D25.7]</comment></package-information></software-information></rpc-reply>';
    assert.deepStrictEqual(runBoth(software, xml), {
      entries: [{ hostName: 'fw', productModel: 'srx240h2', junosVersion: '12.1X46-D25.7' }],
      hostName: 'fw',
      productModel: 'srx240h2',
      junosVersion: '12.1X46-D25.7',
    });
  });

  it('reads nothing from a reply without software information', () => {
    assert.deepStrictEqual(runBoth(software, '<rpc-reply><ok/></rpc-reply>'), { entries: [] });
  });
});
