import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XmlElementStream, type ElementHandler } from '../../../src/xml/element-stream.ts';
import { XmlTokenizer, type XmlTagSlot } from '../../../src/xml/tokenizer.ts';
import type { XmlNode } from '../../../src/xml/node.ts';
import { ReferenceElementStream } from '../../../src/xml/reference-stream.ts';
import { splitEvery } from './helpers.ts';

function read(Stream: typeof XmlElementStream | typeof ReferenceElementStream, handler: ElementHandler, xml: string, size: number): void {
  const stream = new Stream(handler);
  for (const piece of splitEvery(xml, size)) stream.write(piece);
  stream.end();
}

function collect(xml: string, items: string[], keep: string[] | undefined, size = 3, textOf?: string[]): { fast: XmlNode[]; reference: XmlNode[] } {
  const fast: XmlNode[] = [];
  const reference: XmlNode[] = [];
  const k = keep && new Set(keep);
  const t = textOf && new Set(textOf);
  read(XmlElementStream, { items: new Set(items), keep: k, textOf: t, onElement: (n) => fast.push(n) }, xml, size);
  read(ReferenceElementStream, { items: new Set(items), keep: k, textOf: t, onElement: (n) => reference.push(n) }, xml, size);
  return { fast, reference };
}

function shape(n: XmlNode): unknown {
  return { name: n.name, text: n.text, children: n.children.map(shape) };
}

describe('ElementHandler.keep: only the named descendants are built', () => {
  const xml =
    '<rpc-reply><item a="1">x<flow-information><direction>In</direction><source-address>1.0.0.1</source-address>' +
    '<pkt-cnt>2</pkt-cnt><deep><direction>Out</direction></deep></flow-information>y<other>&amp;<![CDATA[z]]></other>' +
    '<!-- keep alive --><flow-information><direction>Out</direction></flow-information>z</item></rpc-reply>';

  it('leaves out the other descendants with everything inside them, keeping the text around them', () => {
    const { fast, reference } = collect(xml, ['item'], ['flow-information', 'direction', 'source-address']);
    const expected = {
      name: 'item',
      text: 'xyz',
      children: [
        {
          name: 'flow-information',
          text: '',
          children: [
            { name: 'direction', text: 'In', children: [] },
            { name: 'source-address', text: '1.0.0.1', children: [] },
          ],
        },
        { name: 'flow-information', text: '', children: [{ name: 'direction', text: 'Out', children: [] }] },
      ],
    };
    assert.deepEqual(fast.map(shape), [expected]);
    assert.deepEqual(reference.map(shape), [expected]);
    assert.equal(fast[0].attrs.a, '1');
  });

  it('builds selected elements whole without keep, and the same with either reader', () => {
    for (const size of [1, 4, 1000]) {
      const { fast, reference } = collect(xml, ['item'], undefined, size);
      assert.deepEqual(fast.map(shape), reference.map(shape));
      assert.deepEqual(fast[0].children.map((c) => c.name), ['flow-information', 'other', 'flow-information']);
      assert.equal(fast[0].children[1].text, '&z');
    }
  });

  it('an empty keep builds the selected elements alone', () => {
    const { fast } = collect(xml, ['item', 'rpc-reply'], []);
    assert.deepEqual(fast.map(shape), [{ name: 'rpc-reply', text: '', children: [] }]);
  });

  it('still checks what it leaves out', () => {
    assert.throws(() => collect('<r><item><skip><a></b></skip></item></r>', ['item'], ['x']), /close tag/);
  });
});

describe('ElementHandler.textOf: only the named elements keep their text', () => {
  const xml =
    '<rpc-reply><item a="1">x<flow-information>\n  <direction>In</direction>\n  <source-address>1.0.0.1</source-address>\n' +
    '  <pkt-cnt>2</pkt-cnt></flow-information>y<other>&amp;<![CDATA[z]]></other><re-name>node0</re-name>z</item><re-name>node1</re-name></rpc-reply>';

  it('builds the same elements, the others with empty text, with either reader and any cut', () => {
    for (const size of [1, 3, 1000]) {
      const { fast, reference } = collect(xml, ['item', 're-name'], ['flow-information', 'direction', 'source-address', 're-name'], size, ['direction', 're-name']);
      const expected = [
        {
          name: 'item',
          text: '',
          children: [
            {
              name: 'flow-information',
              text: '',
              children: [
                { name: 'direction', text: 'In', children: [] },
                { name: 'source-address', text: '', children: [] },
              ],
            },
            { name: 're-name', text: 'node0', children: [] },
          ],
        },
        { name: 're-name', text: 'node1', children: [] },
      ];
      assert.deepEqual(fast.map(shape), expected);
      assert.deepEqual(reference.map(shape), expected);
    }
  });

  it('without keep: whole elements, text only where named', () => {
    const { fast, reference } = collect(xml, ['item'], undefined, 4, ['other']);
    assert.deepEqual(fast.map(shape), reference.map(shape));
    assert.deepEqual(fast[0].children.map((c) => [c.name, c.text]), [['flow-information', ''], ['other', '&z'], ['re-name', '']]);
  });

  it('still checks the text it leaves out', () => {
    assert.throws(() => collect('<r><item>a&bogus;<x>1</x></item></r>', ['item'], ['x'], 3, ['x']), /undefined entity/);
    assert.throws(() => collect('<r><item><x>1</x>a\u0001</item></r>', ['item'], ['x'], 3, ['x']), /disallowed character/);
  });
});

describe('XmlTokenizer: a slot per name', () => {
  it('hands the same slot with every open tag of a name, across chunks, and another for another name', () => {
    const slots: [string, XmlTagSlot | undefined][] = [];
    const tokenizer = new XmlTokenizer({ openTag: (name, _attrs, tag) => slots.push([name, tag]), closeTag: () => undefined, text: () => undefined });
    for (const piece of splitEvery('<a>\n  <b x="1"/>\n  <b></b>\n  <c/><b>t</b>\n</a>', 3)) tokenizer.write(piece);
    tokenizer.end();
    assert.deepEqual(slots.map(([name, tag]) => [name, tag?.name]), [['a', 'a'], ['b', 'b'], ['b', 'b'], ['c', 'c'], ['b', 'b']]);
    const b = slots.filter(([name]) => name === 'b').map(([, tag]) => tag);
    assert.ok(b[0] === b[1] && b[1] === b[2]);
    assert.notEqual(slots[3][1], b[0]);
  });
});
