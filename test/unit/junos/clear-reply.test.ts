import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clearReply } from '../../../src/junos/clear-reply.ts';
import { runBoth } from './helpers.ts';

// No capture of a clear reply exists (SOURCES.md). IKE/IPsec clears return no content;
// the clear-flow-session replies below are built in the shape clear-reply.ts documents:
// <clear-flow-session-information> carrying the CLI sentence, per node on a cluster.

describe('clearReply', () => {
  for (const [label, xml] of [
    ['an empty rpc-reply', '<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="3"/>'],
    ['a reply of whitespace', '<rpc-reply message-id="3">\n   \n</rpc-reply>'],
    ['a reply with <ok/>', '<rpc-reply message-id="3"><ok/></rpc-reply>'],
  ] as const) {
    it(`IKE/IPsec clear: ${label} gives no count and no messages`, () => {
      assert.deepStrictEqual(runBoth(clearReply, xml), { messages: [] });
    });
  }

  it('clear-flow-session on a standalone device', () => {
    const xml = '<rpc-reply xmlns:junos="http://xml.juniper.net/junos/15.1X49/junos"><clear-flow-session-information xmlns="http://xml.juniper.net/junos/15.1X49/junos-flow">\n1 active sessions cleared\n</clear-flow-session-information></rpc-reply>';
    assert.deepStrictEqual(runBoth(clearReply, xml), { cleared: 1, messages: ['1 active sessions cleared'] });
  });

  it('clear-flow-session on a cluster: counts summed over nodes, messages labelled', () => {
    const item = (node: string, n: number): string =>
      `<multi-routing-engine-item><re-name>${node}</re-name><clear-flow-session-information>\n${n} active sessions cleared\n</clear-flow-session-information></multi-routing-engine-item>`;
    const r = runBoth(clearReply, `<rpc-reply><multi-routing-engine-results>${item('node0', 12)}${item('node1', 3)}</multi-routing-engine-results></rpc-reply>`);
    assert.deepStrictEqual(r, { cleared: 15, messages: ['node0: 12 active sessions cleared', 'node1: 3 active sessions cleared'] });
  });

  it('finds the sentence inside nested markup and in <output>', () => {
    const xml = '<rpc-reply><clear-flow-session-information><x><y>0 active sessions cleared</y></x></clear-flow-session-information><output>\n2 active session cleared\n</output></rpc-reply>';
    assert.deepStrictEqual(runBoth(clearReply, xml), { cleared: 2, messages: ['0 active sessions cleared', '2 active session cleared'] });
  });

  it('keeps text without a count as a message only', () => {
    assert.deepStrictEqual(runBoth(clearReply, '<rpc-reply><output>No matching sessions</output></rpc-reply>'), { messages: ['No matching sessions'] });
  });
});
