import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RPCS } from '../../../src/junos/catalog.ts';
import { EXTRACTORS, extractorFor, NAMED_TABLES, tableForCall } from '../../../src/junos/index.ts';
import { extractString } from '../../../src/junos/extractor.ts';
import { fixture } from './helpers.ts';

describe('extractor registry', () => {
  it('has an extractor for every catalogued RPC', () => {
    assert.deepStrictEqual(Object.keys(EXTRACTORS).sort(), Object.keys(RPCS).sort());
  });

  it('reads sessions, or the summary when the call had `summary`', () => {
    const sessions = extractString(extractorFor('get-flow-session-information', { protocol: 'tcp' })!, fixture('flow-session-multi-spu-icmp.xml'));
    assert.equal((sessions as { total: number }).total, 2);
    const summary = extractString(extractorFor('get-flow-session-information', { summary: true })!, fixture('flow-session-summary-pyez.xml'));
    assert.equal((summary as { totals: { active: number } }).totals.active, 6);
    const notSummary = extractString(extractorFor('get-flow-session-information', { summary: false })!, fixture('flow-session-single-spu-one-entry.xml'));
    assert.equal((notSummary as { total: number }).total, 1);
  });

  it('routes the SA and clear RPCs', () => {
    const ipsec = extractString(extractorFor('get-security-associations-information')!, fixture('ipsec-sa-brief.xml')) as { sas: unknown[] };
    assert.equal(ipsec.sas.length, 4);
    const ike = extractString(extractorFor('get-ike-security-associations-information')!, fixture('ike-sa-brief.xml')) as { sas: unknown[] };
    assert.equal(ike.sas.length, 2);
    assert.deepStrictEqual(extractString(extractorFor('clear-ipsec-security-association', { index: 5 })!, '<rpc-reply/>'), { messages: [] });
  });

  it('picks the named table by RPC and by the arguments that select a reply shape', () => {
    assert.equal(tableForCall('get-flow-session-information', { protocol: 'ah' })?.name, 'flow-sessions');
    assert.equal(tableForCall('get-flow-session-information', { summary: true, protocol: 'ah' })?.name, 'flow-session-summary');
    assert.equal(tableForCall('get-flow-session-information', { summary: false })?.name, 'flow-sessions');
    assert.deepStrictEqual(['get-security-associations-information', 'get-ike-security-associations-information', 'get-software-information'].map((rpc) => tableForCall(rpc)?.name), ['ipsec-sas', 'ike-sas', 'software']);
    assert.equal(tableForCall('clear-flow-session'), undefined);
    assert.deepStrictEqual([...NAMED_TABLES.keys()], ['flow-sessions', 'flow-session-summary', 'ike-sas', 'ipsec-sas', 'software']);
  });

  it('gives a fresh extractor each time', () => {
    assert.notEqual(extractorFor('get-software-information'), extractorFor('get-software-information'));
  });

  it('has none for unknown RPCs, prototype names included', () => {
    for (const name of ['get-route-information', 'constructor', '__proto__', 'toString']) assert.equal(extractorFor(name), undefined);
  });
});
