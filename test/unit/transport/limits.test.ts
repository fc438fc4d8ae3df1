import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLimit, LimitError, LIMIT_DEFAULTS, limitErrorOf, parseByteSize } from '../../../src/transport/limits.ts';
import { ReplyReader, UnexpectedRootError } from '../../../src/transport/reply-reader.ts';
import { XmlLimitError, type XmlLimits } from '../../../src/xml/limits.ts';
import { outsideRoot } from '../../../src/transport/root-text.ts';

/** Feeds a reply in small pieces, as the network would. */
function read(text: string, reader = new ReplyReader('rpc-reply'), piece = 7) {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += piece) reader.push(bytes.subarray(i, i + piece));
  return reader.finish();
}

const rejects = (text: string, message: RegExp) => assert.throws(() => read(text), (e: unknown) => e instanceof UnexpectedRootError && message.test(e.message));

describe('a reply is one <rpc-reply> and nothing beside it', () => {
  it('bare text, as a busy router answers, is not a reply', () => {
    rejects('% error: syntax error, device busy\n', /expected <rpc-reply>, the device answered with text: '% error: syntax error, device busy'/);
  });

  it('an empty message, or only a prolog and comments, is not a reply', () => {
    rejects('', /the reply has no element/);
    rejects('<?xml version="1.0"?>\n<!-- nothing -->\n', /the reply has no element/);
  });

  it('text before or after the root, or a second root, is refused', () => {
    rejects('busy <rpc-reply message-id="1"><ok/></rpc-reply>', /text before <rpc-reply>: 'busy'/);
    rejects('<rpc-reply message-id="1"><ok/></rpc-reply>\n% error: busy\n', /text after <\/rpc-reply>: '% error: busy'/);
    rejects('<nc:rpc-reply message-id="1"><ok/></nc:rpc-reply>% busy', /text after <\/rpc-reply>/);
    rejects('<rpc-reply message-id="1"><ok/></rpc-reply><rpc-reply message-id="2"/>', /a second root element <rpc-reply>/);
    rejects('<hello/>', /expected <rpc-reply>, got <hello>/);
  });

  it('a prolog, comments and space around the root are fine, and the message-id is read', () => {
    const r = read('<?xml version="1.0" encoding="UTF-8"?>\n<!-- keep alive -->\n<rpc-reply message-id="7">\n<ok/>\n</rpc-reply>\n<!-- bye -->\n\n');
    assert.equal(r.messageId, '7');
    assert.equal(r.ok, true);
  });

  it('endless text with no root fails once the kept text is full, before the message ends', () => {
    const reader = new ReplyReader('rpc-reply');
    assert.throws(() => {
      for (let i = 0; i < 1000; i++) reader.push(Buffer.from('% still busy, please wait\n'));
    }, UnexpectedRootError);
  });
});

describe('outsideRoot', () => {
  it('finds stray text, and gives markup cut short the benefit of the doubt', () => {
    assert.equal(outsideRoot('  \n'), undefined);
    assert.equal(outsideRoot('<?xml version="1.0"?><!-- a --><!DOCTYPE x><rpc-reply>'), undefined);
    assert.equal(outsideRoot('<!-- cut sh'), undefined);
    assert.equal(outsideRoot('<!-- a --> oops <x/>'), 'oops');
    assert.equal(outsideRoot('% error'), '% error');
  });
});

describe('a reply is bounded', () => {
  it('in bytes: LimitError naming the flag and variable', () => {
    const reader = new ReplyReader('rpc-reply', undefined, undefined, { maxReplyBytes: 1024 });
    assert.throws(
      () => read(`<rpc-reply message-id="1">${'<!-- x -->'.repeat(200)}</rpc-reply>`, reader, 100),
      (e: unknown) => e instanceof LimitError && e.limit === 'maxReplyBytes' && /the reply exceeds the limit of 1 KiB \(raise it with --max-reply-bytes or runbook_max_reply_bytes\)/.test(e.message),
    );
  });

  it('in records handed to the extractor', () => {
    let seen = 0;
    const reader = new ReplyReader('rpc-reply', { items: new Set(['r']), onElement: () => seen++ }, undefined, { maxRecords: 3 });
    assert.throws(() => read(`<rpc-reply message-id="1">${'<r/>'.repeat(10)}</rpc-reply>`, reader), (e: unknown) => e instanceof LimitError && e.limit === 'maxRecords');
    assert.equal(seen, 3);
    const ok = new ReplyReader('rpc-reply', { items: new Set(['r']), onElement: () => undefined }, undefined, { maxRecords: 3 });
    assert.equal(read(`<rpc-reply message-id="1"><r/><r/><r/><ok/></rpc-reply>`, ok).ok, true, 'rpc-error and ok are not records');
  });
});

describe("the XML reader's limits", () => {
  it('an XmlLimitError becomes a LimitError naming the flag', () => {
    const xmlLimit = (limit: keyof XmlLimits, value: number) => new XmlLimitError(limit, value, 'a test');
    const depth = limitErrorOf(xmlLimit('maxDepth', 5));
    assert.equal(depth?.limit, 'maxDepth');
    assert.match(depth!.message, /element depth of the reply exceeds the limit of 5 levels \(raise it with --max-depth or runbook_max_depth\)/);
    assert.match(limitErrorOf(xmlLimit('maxTextBytes', 1024))!.message, /exceeds the limit of 1 KiB \(raise it with --max-text-bytes/);
    assert.equal(limitErrorOf(xmlLimit('maxItems', 9))?.limit, 'maxRecords');
    assert.equal(limitErrorOf(new Error('other')), undefined);
    const ours = new LimitError('maxReplyBytes', 1, 'the reply');
    assert.equal(limitErrorOf(ours), ours);
  });
});

describe('limit values', () => {
  it('parseByteSize takes whole numbers and binary units', () => {
    assert.equal(parseByteSize(1000), 1000);
    assert.equal(parseByteSize('512K'), 512 * 1024);
    assert.equal(parseByteSize('64MiB'), 64 * 1024 * 1024);
    assert.equal(parseByteSize(' 8gib '), 8 * 1024 ** 3);
    for (const bad of [0, -1, 1.5, '', '8 GB', '1e9', 'lots', true, null]) assert.equal(parseByteSize(bad), undefined, String(bad));
  });

  it('defaults fit a 1M-session reply (~2.7 GB, 1M records)', () => {
    assert.ok(LIMIT_DEFAULTS.maxReplyBytes > 2.7e9);
    assert.ok(LIMIT_DEFAULTS.maxRecords > 1_000_000);
    assert.equal(formatLimit('maxReplyBytes', LIMIT_DEFAULTS.maxReplyBytes), '8 GiB');
    assert.equal(formatLimit('maxHelloBytes', LIMIT_DEFAULTS.maxHelloBytes), '1 MiB');
  });
});
