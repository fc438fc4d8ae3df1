import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChunkedDecoder, EomDecoder, FramingError, frameMessage, messageWriter, type FrameSink } from '../../../src/transport/framing.ts';

/** Collects decoded messages as strings. */
function collector(): { sink: FrameSink; messages: string[]; current: () => string } {
  const messages: string[] = [];
  let cur: Buffer[] = [];
  return {
    messages,
    current: () => Buffer.concat(cur).toString(),
    sink: {
      data: (b) => cur.push(Buffer.from(b)),
      end: () => {
        messages.push(Buffer.concat(cur).toString());
        cur = [];
      },
    },
  };
}

/** Pushes a buffer in pieces of `size` bytes. */
function pushIn(decoder: { push(b: Buffer): void }, bytes: Buffer, size: number): void {
  for (let i = 0; i < bytes.length; i += size) decoder.push(bytes.subarray(i, i + size));
}

describe('base:1.0 end-of-message framing', () => {
  it('splits messages on ]]>]]> whatever the read boundaries', () => {
    const wire = Buffer.from('<a>1</a>]]>]]>\n<b>2]]></b>]]>]]><c/>]]>]]>');
    for (let size = 1; size <= wire.length; size++) {
      const c = collector();
      pushIn(new EomDecoder(c.sink), wire, size);
      assert.deepEqual(c.messages, ['<a>1</a>', '<b>2]]></b>', '<c/>'], `read size ${size}`);
    }
  });

  it('hands message bytes on before the delimiter arrives, holding back only a possible delimiter start', () => {
    const c = collector();
    const d = new EomDecoder(c.sink);
    d.push(Buffer.from('<rpc-reply>abc]]>'));
    assert.equal(c.current(), '<rpc-reply>abc');
    assert.equal(d.idle, false);
    d.push(Buffer.from(']]>'));
    assert.deepEqual(c.messages, ['<rpc-reply>abc']);
    assert.equal(d.idle, true);
  });

  it('keeps a multi-byte UTF-8 character split across reads intact', () => {
    const wire = Buffer.from('<m>セッション</m>]]>]]>');
    const c = collector();
    pushIn(new EomDecoder(c.sink), wire, 1);
    assert.deepEqual(c.messages, ['<m>セッション</m>']);
  });
});

describe('base:1.1 chunked framing', () => {
  it('decodes the RFC 6242 example', () => {
    const wire = Buffer.from('\n#4\n<rpc\n#18\n message-id="102"\n\n#79\n     xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">\n  <close-session/>\n</rpc>\n##\n');
    for (const size of [1, 2, 3, 7, 1000]) {
      const c = collector();
      pushIn(new ChunkedDecoder(c.sink), wire, size);
      assert.equal(c.messages.length, 1);
      assert.equal(c.messages[0], '<rpc message-id="102"\n     xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">\n  <close-session/>\n</rpc>');
    }
  });

  it('round-trips messages written as many chunks', () => {
    const out: Buffer[] = [];
    const w = messageWriter('chunked', (b) => out.push(b));
    w.write('<rpc-reply>');
    w.write('x'.repeat(70000));
    w.write('</rpc-reply>');
    w.end();
    const wire = Buffer.concat([...out, frameMessage('chunked', '<second/>')]);
    const c = collector();
    pushIn(new ChunkedDecoder(c.sink), wire, 4096);
    assert.deepEqual(c.messages, [`<rpc-reply>${'x'.repeat(70000)}</rpc-reply>`, '<second/>']);
  });

  it('rejects a bad chunk size, a zero size and garbage between chunks', () => {
    for (const bad of ['\n#0\n', '\n#abc\n', '\n#007\nabcdefg', 'x\n#1\na', '\n##\n', '\n#99999999999\n']) {
      const c = collector();
      assert.throws(() => new ChunkedDecoder(c.sink).push(Buffer.from(bad)), FramingError, JSON.stringify(bad));
    }
  });
});
