import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XmlElementStream, parseString } from '../../../src/xml/element-stream.ts';
import { XmlParseError } from '../../../src/xml/errors.ts';
import { childText, type XmlNode } from '../../../src/xml/node.ts';

function collect(xml: string, items: string[], chunk = 3): { nodes: XmlNode[]; paths: string[][] } {
  const nodes: XmlNode[] = [];
  const paths: string[][] = [];
  parseString({ items: new Set(items), onElement: (n, p) => (nodes.push(n), paths.push([...p])) }, xml, chunk);
  return { nodes, paths };
}

describe('XmlElementStream', () => {
  it('builds only the selected elements, with local names and their ancestor path', () => {
    const xml =
      '<rpc-reply xmlns:junos="http://xml.juniper.net/junos/15.1X49/junos"><multi-routing-engine-results><multi-routing-engine-item>' +
      '<re-name>node0</re-name><flow-session-information xmlns="x"><flow-session junos:style="brief"><session-identifier>7</session-identifier>' +
      '</flow-session></flow-session-information></multi-routing-engine-item></multi-routing-engine-results></rpc-reply>';
    const { nodes, paths } = collect(xml, ['flow-session', 're-name']);
    assert.deepEqual(nodes.map((n) => n.name), ['re-name', 'flow-session']);
    assert.equal(nodes[0].text, 'node0');
    assert.equal(childText(nodes[1], 'session-identifier'), '7');
    assert.equal(nodes[1].attrs['junos:style'], 'brief');
    assert.deepEqual(paths[1], ['rpc-reply', 'multi-routing-engine-results', 'multi-routing-engine-item', 'flow-session-information']);
  });

  it('decodes entities and CDATA and ignores comments such as Junos keep-alives', () => {
    const { nodes } = collect('<r><!-- keep alive --><m>a &amp; b &lt;c&gt; <![CDATA[<raw>]]><!-- x --></m></r>', ['m']);
    assert.equal(nodes[0].text, 'a & b <c> <raw>');
  });

  it('accepts an undeclared junos: prefix, as PyEZ fragments carry it', () => {
    const { nodes } = collect('<flow-session junos:style="brief"><x>1</x></flow-session>', ['flow-session']);
    assert.equal(nodes[0].attrs['junos:style'], 'brief');
  });

  it('reports a document cut short with its position', () => {
    const s = new XmlElementStream({ items: new Set(['a']), onElement: () => undefined });
    s.write('<rpc-reply>\n<a>1</a>\n<b>');
    assert.throws(() => s.end(), (e: unknown) => e instanceof XmlParseError && /rpc-reply|b/.test(e.message) && e.line >= 1);
  });

  it('reports mismatched tags with line and column', () => {
    assert.throws(
      () => collect('<rpc-reply>\n  <a></b>\n</rpc-reply>', ['a'], 100),
      (e: unknown) => e instanceof XmlParseError && e.line === 2 && /close tag/.test(e.message),
    );
  });
});
