import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRpc, escapeXml, isXmlName, parseArgs, RpcBuildError } from '../../../src/junos/rpc.ts';
import { parseString } from '../../../src/xml/element-stream.ts';
import type { XmlNode } from '../../../src/xml/node.ts';

/** Parses built RPC XML back: the root element as a tree. */
function parseBack(xml: string): XmlNode {
  let root: XmlNode | undefined;
  parseString({ items: new Set([/^<([^\s/>]+)/.exec(xml)![1]]), onElement: (n) => (root = n) }, xml);
  assert.ok(root, 'the RPC parses as one element');
  return root;
}

function buildError(fn: () => unknown): RpcBuildError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof RpcBuildError, `expected RpcBuildError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an RpcBuildError');
}

describe('buildRpc', () => {
  it('builds a catalogued RPC with a value argument', () => {
    assert.equal(buildRpc('get-flow-session-information', { protocol: 'ah' }), '<get-flow-session-information><protocol>ah</protocol></get-flow-session-information>');
  });

  it('turns true into a flag element and leaves false out', () => {
    assert.equal(
      buildRpc('get-flow-session-information', { protocol: 'tcp', summary: true, extensive: false }),
      '<get-flow-session-information><protocol>tcp</protocol><summary/></get-flow-session-information>',
    );
  });

  it('keeps the argument order given', () => {
    assert.equal(
      buildRpc('clear-flow-session', { 'destination-port': 500, protocol: 'udp', node: 'all' }),
      '<clear-flow-session><destination-port>500</destination-port><protocol>udp</protocol><node>all</node></clear-flow-session>',
    );
  });

  it('writes numbers as decimal text and checks them against the kind', () => {
    assert.equal(buildRpc('clear-ipsec-security-association', { index: 67108866 }), '<clear-ipsec-security-association><index>67108866</index></clear-ipsec-security-association>');
    const e = buildError(() => buildRpc('clear-ipsec-security-association', { index: -1 }));
    assert.equal(e.argument, 'index');
    assert.match(e.reason, /not an unsigned integer/);
    assert.match(buildError(() => buildRpc('clear-ipsec-security-association', { index: 1.5 })).reason, /not an unsigned integer/);
    assert.match(buildError(() => buildRpc('get-flow-session-information', { 'destination-port': 65536 })).reason, /not a port/);
    assert.match(buildError(() => buildRpc('foo-bar', { x: Number.NaN })).reason, /not a finite number/);
  });

  it('writes an RPC without arguments as an empty element', () => {
    assert.equal(buildRpc('get-software-information', {}), '<get-software-information/>');
    assert.equal(buildRpc('get-software-information'), '<get-software-information/>');
  });

  it('rejects an unknown argument of a catalogued RPC and lists the known ones', () => {
    const e = buildError(() => buildRpc('clear-ike-security-association', { peer: '4.0.0.2' }));
    assert.equal(e.rpc, 'clear-ike-security-association');
    assert.equal(e.argument, 'peer');
    assert.equal(e.reason, 'unknown argument; known: peer-address, index, node');
    assert.match(e.message, /"clear-ike-security-association".*"peer".*known: peer-address, index, node/);
  });

  it('rejects Object.prototype names as unknown arguments instead of finding prototype members', () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty']) {
      assert.match(buildError(() => buildRpc('get-software-information', { [name]: true })).reason, /^unknown argument/);
    }
    const args = JSON.parse('{"__proto__": "x"}') as Record<string, string>;
    assert.match(buildError(() => buildRpc('get-software-information', args)).reason, /^unknown argument/);
  });

  it('checks catalogued values with their kind', () => {
    assert.equal(buildError(() => buildRpc('get-flow-session-information', { summary: 'yes' })).reason, 'is a flag and takes no value');
    assert.equal(buildError(() => buildRpc('get-flow-session-information', { protocol: true })).reason, 'needs a value');
    assert.match(buildError(() => buildRpc('clear-ike-security-association', { 'peer-address': '4.0.0.2]]>]]>' })).reason, /not an IPv4 or IPv6 address/);
    assert.match(buildError(() => buildRpc('get-flow-session-information', { protocol: 'ah</protocol><summary/>' })).reason, /not a protocol/);
    assert.match(buildError(() => buildRpc('get-security-associations-information', { 'vpn-name': 'a b' })).reason, /not a valid name/);
    assert.match(buildError(() => buildRpc('get-flow-session-information', { node: 'node0"' })).reason, /not a cluster node/);
  });

  it('rejects element names outside the conservative XML name rule', () => {
    for (const name of ['', 'get info', 'junos:get-software-information', '<rpc>', 'get>', '1get', '-get', '.get', 'get/x', 'gét', 'xml-thing', 'get\u0000x']) {
      const e = buildError(() => buildRpc(name, {}));
      assert.equal(e.rpc, name);
      assert.equal(e.argument, undefined);
      assert.equal(e.reason, 'is not a valid RPC element name');
    }
    for (const arg of ['a b', 'junos:style', '<x', 'x"', "x'", 'x=y', '']) {
      assert.equal(buildError(() => buildRpc('get-something', { [arg]: 'v' })).argument, arg);
    }
  });

  it('escapes every markup character in raw RPC values, so they read back unchanged', () => {
    const hostile = `ge-0/0/0</interface-name><request-reboot/>]]>]]><x a="1" b='2'>&amp;`;
    const xml = buildRpc('get-interface-information', { 'interface-name': hostile });
    assert.equal(
      xml,
      '<get-interface-information><interface-name>ge-0/0/0&lt;/interface-name&gt;&lt;request-reboot/&gt;]]&gt;]]&gt;&lt;x a=&quot;1&quot; b=&apos;2&apos;&gt;&amp;amp;</interface-name></get-interface-information>',
    );
    assert.ok(!xml.includes(']]>]]>'), 'no NETCONF 1.0 end-of-message marker can appear');
    const root = parseBack(xml);
    assert.equal(root.name, 'get-interface-information');
    assert.equal(root.children.length, 1);
    assert.equal(root.children[0].name, 'interface-name');
    assert.equal(root.children[0].text, hostile);
  });

  it('sends raw RPCs (not in the catalog) with their arguments as given', () => {
    assert.equal(buildRpc('get-route-information', { table: 'inet.0', terse: true, detail: false }), '<get-route-information><table>inet.0</table><terse/></get-route-information>');
  });

  it('refuses characters XML cannot carry at all, escaped or not', () => {
    for (const bad of ['a\u0000b', 'a\u001bb', 'a\u000bb', '\uFFFE', '\uD800x', 'x\uDC00']) {
      assert.equal(buildError(() => buildRpc('get-x', { v: bad })).reason, 'value contains a character XML cannot carry');
    }
    // Tabs, newlines and astral characters are fine.
    assert.equal(buildRpc('get-x', { v: 'a\tb\n\u{1F600}' }), '<get-x><v>a\tb\n\u{1F600}</v></get-x>');
  });
});

describe('escapeXml and isXmlName', () => {
  it('escapes the five XML special characters', () => {
    assert.equal(escapeXml(`&<>"'`), '&amp;&lt;&gt;&quot;&apos;');
  });
  it('accepts Junos-style names only', () => {
    assert.equal(isXmlName('get-flow-session-information'), true);
    assert.equal(isXmlName('_x.y-z9'), true);
    assert.equal(isXmlName('a:b'), false);
  });
});

describe('parseArgs', () => {
  it('reads k=v as a value and a bare k as a flag, splitting on the first =', () => {
    assert.deepStrictEqual(parseArgs(['protocol=ah', 'summary', 'application=a=b', 'x=']), { protocol: 'ah', summary: true, application: 'a=b', x: '' });
  });

  it('feeds buildRpc', () => {
    assert.equal(buildRpc('get-flow-session-information', parseArgs(['protocol=ah', 'summary'])), '<get-flow-session-information><protocol>ah</protocol><summary/></get-flow-session-information>');
  });

  it('rejects a repeated argument, an empty name and names that are not XML names', () => {
    const dup = buildError(() => parseArgs(['index=1', 'index=2'], 'clear-ipsec-security-association'));
    assert.equal(dup.rpc, 'clear-ipsec-security-association');
    assert.equal(dup.argument, 'index');
    assert.equal(dup.reason, 'is given more than once');
    assert.equal(buildError(() => parseArgs(['=x'])).argument, '');
    assert.equal(buildError(() => parseArgs(['bad name=1'])).argument, 'bad name');
    assert.equal(buildError(() => parseArgs(['<x>=1'])).argument, '<x>');
  });

  it('keeps __proto__ an ordinary key', () => {
    const args = parseArgs(['__proto__=x']);
    assert.ok(Object.hasOwn(args, '__proto__'));
    assert.equal(Object.getPrototypeOf(args), Object.prototype);
    assert.match(buildError(() => buildRpc('get-software-information', args)).reason, /^unknown argument/);
  });
});
