import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareConfigs } from '../../../src/lab/config/diff.ts';
import { loadSetCommands } from '../../../src/lab/config/edit.ts';
import { renderSet, renderText, renderXmlChildren } from '../../../src/lab/config/render.ts';
import { emptyConfig, type ConfigNode } from '../../../src/lab/config/tree.ts';
import { elements } from './lab-xml.ts';

function fromSet(...lines: string[]): ConfigNode {
  const tree = emptyConfig();
  const out = loadSetCommands(tree, lines.join('\n'));
  assert.equal(out.failed, 0, JSON.stringify(out.diagnostics));
  return tree;
}

const BASE = [
  'set system host-name srx1',
  'set security flow tcp-session tcp-initial-timeout 20',
  'set security flow tcp-session fin-invalidate-session',
  'set security policies from-zone trust to-zone untrust policy p match source-address any destination-address any application any',
  'set security policies from-zone trust to-zone untrust policy p then permit',
];

describe('show | compare', () => {
  it('nothing to show gives nothing', () => {
    assert.equal(compareConfigs(fromSet(...BASE), fromSet(...BASE)), '');
  });

  it('a changed value: the old line, then the new, under the deepest shared statement', () => {
    const after = fromSet(...BASE, 'set security flow tcp-session tcp-initial-timeout 280');
    assert.equal(compareConfigs(fromSet(...BASE), after), ['[edit security flow tcp-session]', '-   tcp-initial-timeout 20;', '+   tcp-initial-timeout 280;', ''].join('\n'));
  });

  it('a new statement with what it holds, written out whole with Junos indentation', () => {
    const after = fromSet(...BASE, 'set security flow aging early-ageout 20 high-watermark 90 low-watermark 80');
    assert.equal(
      compareConfigs(fromSet(...BASE), after),
      ['[edit security flow]', '+   aging {', '+       early-ageout 20;', '+       high-watermark 90;', '+       low-watermark 80;', '+   }', ''].join('\n'),
    );
  });

  it('several places: one banner each, in schema order; deletions shown with -', () => {
    const after = fromSet(...BASE, 'set applications application mcast-video protocol udp destination-port 5004 inactivity-timeout 300');
    loadSetCommands(after, 'delete security flow tcp-session fin-invalidate-session\nset security policies from-zone trust to-zone untrust policy p match application mcast-video\nset system host-name srx2');
    assert.equal(
      compareConfigs(fromSet(...BASE), after),
      [
        '[edit system]',
        '-   host-name srx1;',
        '+   host-name srx2;',
        '[edit security flow tcp-session]',
        '-   fin-invalidate-session;',
        '[edit security policies from-zone trust to-zone untrust policy p match]',
        '-   application any;',
        '+   application [ any mcast-video ];',
        '[edit]',
        '+   applications {',
        '+       application mcast-video {',
        '+           protocol udp;',
        '+           destination-port 5004;',
        '+           inactivity-timeout 300;',
        '+       }',
        '+   }',
        '',
      ].join('\n'),
    );
  });

  it('is the reverse with the sides swapped', () => {
    const a = fromSet(...BASE);
    const b = fromSet(...BASE, 'set security flow aging early-ageout 30');
    const swap = (s: string) => s.replace(/^([+-])/gm, (m) => (m === '+' ? '-' : '+'));
    assert.equal(compareConfigs(b, a), swap(compareConfigs(a, b)));
  });
});

describe('renderers', () => {
  const tree = fromSet(...BASE, 'set interfaces ge-0/0/0 unit 0 family inet address 10.1.0.1/16', 'set system host-name "srx one"');

  it('text: four spaces a level, quotes where needed, family inet on one line', () => {
    const text = renderText(tree);
    assert.match(text, /^system \{\n {4}host-name "srx one";\n\}\n/);
    assert.match(text, /\n {8}unit 0 \{\n {12}family inet \{\n {16}address 10\.1\.0\.1\/16;\n {12}\}\n {8}\}\n/);
    assert.match(text, /\n {8}from-zone trust to-zone untrust \{\n {12}policy p \{\n {16}match \{\n {20}source-address any;/);
  });

  it('set: one command per leaf, flag and value', () => {
    assert.deepEqual(renderSet(tree).slice(0, 4), [
      'set system host-name "srx one"',
      'set interfaces ge-0/0/0 unit 0 family inet address 10.1.0.1/16',
      'set security flow tcp-session fin-invalidate-session',
      'set security flow tcp-session tcp-initial-timeout 20',
    ]);
  });

  it('XML: Junos element names, list keys as their own elements (get-configuration-security-ipsec.xml)', () => {
    const xml = `<configuration>\n${renderXmlChildren(tree, 1)}</configuration>`;
    const [policy] = elements(xml, 'policies');
    assert.ok(policy);
    const zonePair = policy.children[0];
    assert.equal(zonePair.name, 'policy');
    assert.deepEqual(
      zonePair.children.map((c) => [c.name, c.text.trim()]),
      [
        ['from-zone-name', 'trust'],
        ['to-zone-name', 'untrust'],
        ['policy', ''],
      ],
    );
    assert.deepEqual(zonePair.children[2].children.map((c) => c.name), ['name', 'match', 'then']);
    const [iface] = elements(xml, 'interface');
    assert.deepEqual(iface.children.map((c) => c.name), ['name', 'unit']);
    assert.equal(elements(xml, 'fin-invalidate-session').length, 1);
    assert.equal(elements(xml, 'host-name')[0].text, 'srx one');
  });
});
