import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadSetCommands, tokenize } from '../../../src/lab/config/edit.ts';
import { renderSet, renderText } from '../../../src/lab/config/render.ts';
import { loadText } from '../../../src/lab/config/text-load.ts';
import { configEquals, emptyConfig, type ConfigNode } from '../../../src/lab/config/tree.ts';
import { loadXml } from '../../../src/lab/config/xml-load.ts';
import { rpcNode } from './lab-xml.ts';

/** A tree from set commands that must all load. */
function fromSet(text: string): ConfigNode {
  const tree = emptyConfig();
  const out = loadSetCommands(tree, text);
  assert.deepEqual(out.diagnostics.filter((d) => d.severity === 'error'), []);
  return tree;
}

/** The errors one set line gives, as [path, bad-element, message]. */
function errorsOf(line: string): [string | undefined, string | undefined, string][] {
  const out = loadSetCommands(emptyConfig(), line);
  return out.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.path, d.badElement, d.message]);
}

describe('set commands', () => {
  it('splits words, keeping quoted text and brackets', () => {
    assert.deepEqual(tokenize('set system host-name "a b\\"c"'), ['set', 'system', 'host-name', 'a b"c']);
    assert.deepEqual(tokenize('set x application [junos-http junos-https]'), ['set', 'x', 'application', '[', 'junos-http', 'junos-https', ']']);
    assert.equal(tokenize('set system host-name "open'), undefined);
  });

  it('loads the guide\'s statements into the tree, in schema order', () => {
    const tree = fromSet(
      [
        'set security flow tcp-session rst-invalidate-session',
        'set security flow tcp-session tcp-initial-timeout 280',
        'set security flow aging early-ageout 20',
        'set security flow aging high-watermark 90 low-watermark 80',
      ].join('\n'),
    );
    assert.equal(
      renderText(tree),
      [
        'security {',
        '    flow {',
        '        aging {',
        '            early-ageout 20;',
        '            high-watermark 90;',
        '            low-watermark 80;',
        '        }',
        '        tcp-session {',
        '            rst-invalidate-session;',
        '            tcp-initial-timeout 280;',
        '        }',
        '    }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('tcp-initial-timeout takes 4 to 300 seconds (the guide: minimum 4, default 20)', () => {
    assert.deepEqual(errorsOf('set security flow tcp-session tcp-initial-timeout 3'), [
      ['[edit security flow tcp-session]', 'tcp-initial-timeout', 'Value 3 is not within range (4..300)'],
    ]);
    assert.deepEqual(errorsOf('set security flow tcp-session tcp-initial-timeout 4'), []);
    assert.deepEqual(errorsOf('set security flow tcp-session tcp-initial-timeout 300'), []);
    assert.match(errorsOf('set security flow tcp-session tcp-initial-timeout 301')[0][2], /not within range \(4\.\.300\)/);
    assert.match(errorsOf('set security flow tcp-session tcp-initial-timeout twenty')[0][2], /number expected/);
  });

  it('checks the other ranges: early-ageout 1..65535, watermarks 0..100, inactivity-timeout 4..86400 or never', () => {
    assert.match(errorsOf('set security flow aging early-ageout 0')[0][2], /\(1\.\.65535\)/);
    assert.deepEqual(errorsOf('set security flow aging early-ageout 65535'), []);
    assert.match(errorsOf('set security flow aging high-watermark 101')[0][2], /\(0\.\.100\)/);
    assert.deepEqual(errorsOf('set security flow aging low-watermark 0'), []);
    assert.deepEqual(errorsOf('set applications application mcast inactivity-timeout never'), []);
    assert.match(errorsOf('set applications application mcast inactivity-timeout 3')[0][2], /\(4\.\.86400\)/);
    assert.match(errorsOf('set applications application mcast protocol carrier-pigeon')[0][2], /invalid value/);
    assert.deepEqual(errorsOf('set applications application mcast protocol 17 destination-port 5004-5010'), []);
  });

  it("answers what it does not know with Junos's syntax error, at the level it stopped", () => {
    assert.deepEqual(errorsOf('set security flow tcp-initial-timeoout 280'), [['[edit security flow]', 'tcp-initial-timeoout', 'syntax error']]);
    assert.deepEqual(errorsOf('set chassis cluster reth-count 2'), [['[edit]', 'chassis', 'syntax error']]);
    assert.deepEqual(errorsOf('deactivate security flow'), [['[edit]', 'deactivate', 'syntax error']]);
    assert.deepEqual(errorsOf('set security flow aging early-ageout 20 bogus'), [['[edit security flow aging]', 'bogus', 'syntax error']]);
    assert.equal(errorsOf('set security flow aging early-ageout')[0][2], 'syntax error, expecting <data>');
  });

  it('reads several statements of one level from one line, as Junos does', () => {
    const tree = fromSet('set security policies from-zone trust to-zone untrust policy p match source-address any destination-address any application [ junos-http junos-https ]');
    assert.deepEqual(renderSet(tree), [
      'set security policies from-zone trust to-zone untrust policy p match source-address any',
      'set security policies from-zone trust to-zone untrust policy p match destination-address any',
      'set security policies from-zone trust to-zone untrust policy p match application junos-http',
      'set security policies from-zone trust to-zone untrust policy p match application junos-https',
    ]);
  });

  it('delete removes the statement, then parents it left empty; deleting what is absent warns', () => {
    const tree = fromSet('set security flow aging early-ageout 20\nset security flow tcp-session rst-invalidate-session');
    const out = loadSetCommands(tree, 'delete security flow aging early-ageout\ndelete security flow tcp-session fin-invalidate-session');
    assert.deepEqual(
      out.diagnostics.map((d) => [d.severity, d.message.trim()]),
      [['warning', 'statement not found']],
    );
    assert.equal(out.failed, 0);
    assert.deepEqual(renderSet(tree), ['set security flow tcp-session rst-invalidate-session']);
    loadSetCommands(tree, 'delete security');
    assert.deepEqual(renderSet(tree), []);
  });

  it('set output loads back into the same tree', () => {
    const tree = fromSet(
      [
        'set system host-name "lab srx"',
        'set interfaces ge-0/0/0 unit 0 family inet address 10.1.0.1/16',
        'set applications application mcast-video protocol udp destination-port 5004 inactivity-timeout 300',
        'set security policies from-zone trust to-zone untrust policy mcast match source-address any destination-address any application mcast-video',
        'set security policies from-zone trust to-zone untrust policy mcast then permit',
      ].join('\n'),
    );
    assert.ok(configEquals(fromSet(renderSet(tree).join('\n')), tree));
  });
});

describe('curly text', () => {
  it('loads what the text renderer writes, and the same as set commands do', () => {
    const bySet = fromSet(
      [
        'set interfaces reth1 unit 0 family inet address 5.0.0.1/24',
        'set security flow aging early-ageout 20',
        'set security policies from-zone trust to-zone untrust policy p match source-address any destination-address any application any',
        'set security policies from-zone trust to-zone untrust policy p then permit',
      ].join('\n'),
    );
    const text = renderText(bySet);
    assert.match(text, /^ {12}family inet \{$/m, 'family inet on one line');
    const byText = emptyConfig();
    const out = loadText(byText, `## Last commit: 2024-01-01 00:00:00 UTC by lab\nversion 15.1X49-D170.4;\n${text}`);
    assert.deepEqual(out.diagnostics, []);
    assert.ok(configEquals(byText, bySet));
  });

  it('reports a bad statement inside a block with its path, and skips the block under it', () => {
    const tree = emptyConfig();
    const out = loadText(tree, 'security { flow { aging { early-ageout 0; } bogus { x; } tcp-session { tcp-initial-timeout 30; } } }');
    assert.deepEqual(
      out.diagnostics.map((d) => [d.path, d.badElement]),
      [
        ['[edit security flow aging]', 'early-ageout'],
        ['[edit security flow]', 'bogus'],
      ],
    );
    assert.equal(out.failed, 2);
    assert.deepEqual(renderSet(tree), ['set security flow aging', 'set security flow tcp-session tcp-initial-timeout 30']);
  });

  it('a delete: tag deletes', () => {
    const tree = fromSet('set security flow aging early-ageout 20\nset security flow aging high-watermark 90');
    loadText(tree, 'security { flow { aging { delete: early-ageout; } } }');
    assert.deepEqual(renderSet(tree), ['set security flow aging high-watermark 90']);
  });
});

describe('XML configuration', () => {
  const xml = (body: string) => rpcNode(`<configuration>${body}</configuration>`);

  it('merges elements by the schema, keys from <name>', () => {
    const tree = fromSet('set security flow aging early-ageout 20');
    const out = loadXml(
      tree,
      xml(
        '<security><flow><aging><high-watermark>90</high-watermark></aging><tcp-session><rst-invalidate-session/></tcp-session></flow>' +
          '<policies><policy><from-zone-name>trust</from-zone-name><to-zone-name>untrust</to-zone-name><policy><name>p</name><match><application>junos-http</application><application>junos-https</application></match></policy></policy></policies></security>',
      ),
      'merge',
    );
    assert.deepEqual(out.diagnostics, []);
    assert.deepEqual(renderSet(tree), [
      'set security flow aging early-ageout 20',
      'set security flow aging high-watermark 90',
      'set security flow tcp-session rst-invalidate-session',
      'set security policies from-zone trust to-zone untrust policy p match application junos-http',
      'set security policies from-zone trust to-zone untrust policy p match application junos-https',
    ]);
  });

  it('replace="replace" replaces the statement under action replace, and only then', () => {
    const base = 'set security flow aging early-ageout 20\nset security flow aging high-watermark 90';
    const body = xml('<security><flow><aging replace="replace"><low-watermark>70</low-watermark></aging></flow></security>');
    const replaced = fromSet(base);
    loadXml(replaced, body, 'replace');
    assert.deepEqual(renderSet(replaced), ['set security flow aging low-watermark 70']);
    const merged = fromSet(base);
    loadXml(merged, body, 'merge');
    assert.deepEqual(renderSet(merged), ['set security flow aging early-ageout 20', 'set security flow aging high-watermark 90', 'set security flow aging low-watermark 70']);
  });

  it('delete="delete" and operation="delete" delete; unknown elements and bad values are errors', () => {
    const tree = fromSet('set security flow aging early-ageout 20\nset security flow tcp-session tcp-initial-timeout 30');
    const out = loadXml(
      tree,
      xml('<security><flow><aging delete="delete"/><tcp-session><tcp-initial-timeout operation="delete"/></tcp-session><bogus/></flow></security><applications><application><name>a</name><inactivity-timeout>2</inactivity-timeout></application></applications>'),
      'merge',
    );
    assert.deepEqual(
      out.diagnostics.map((d) => [d.path, d.badElement, d.message]),
      [
        ['[edit security flow]', 'bogus', 'syntax error'],
        ['[edit applications application a]', 'inactivity-timeout', 'Value 2 is not within range (4..86400)'],
      ],
    );
    assert.deepEqual(renderSet(tree), ['set applications application a']);
  });
});
