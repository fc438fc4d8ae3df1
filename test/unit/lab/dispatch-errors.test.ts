import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDeviceState } from '../../../src/lab/device-state.ts';
import { renderRpcError, renderRpcErrors, type LabReply } from '../../../src/lab/dispatch.ts';
import { resolveScenario } from '../../../src/lab/scenarios.ts';
import { call, elements } from './lab-xml.ts';

const standalone = createDeviceState(resolveScenario('no-peer'));
const cluster = createDeviceState(resolveScenario('cluster'));

function errorOf(reply: LabReply) {
  assert.equal(reply.kind, 'error');
  assert.ok(reply.kind === 'error');
  assert.equal(reply.errors.length, 1);
  return reply.errors[0];
}

describe('rpc-errors for bad requests', () => {
  it('an unknown RPC: syntax error, expecting <command>, bad-element the RPC', () => {
    assert.deepEqual(errorOf(call(standalone, '<get-chassis-inventory/>')), {
      type: 'protocol',
      tag: 'operation-failed',
      severity: 'error',
      message: 'syntax error, expecting <command>',
      badElement: 'get-chassis-inventory',
    });
  });

  it('an argument the RPC does not take, or given twice, or with elements inside: syntax error', () => {
    assert.equal(errorOf(call(standalone, '<get-flow-session-information><colour>red</colour></get-flow-session-information>')).badElement, 'colour');
    const twice = errorOf(call(standalone, '<get-flow-session-information><protocol>ah</protocol><protocol>esp</protocol></get-flow-session-information>'));
    assert.deepEqual([twice.message, twice.badElement], ['syntax error', 'protocol']);
    assert.equal(errorOf(call(standalone, '<get-flow-session-information><protocol><ah/></protocol></get-flow-session-information>')).badElement, 'protocol');
  });

  it('a bad value: invalid value, bad-element the value', () => {
    const e = errorOf(call(standalone, '<clear-ipsec-security-association><index>abc</index></clear-ipsec-security-association>'));
    assert.equal(e.message, "invalid value for index: 'abc' is not an unsigned integer");
    assert.equal(e.badElement, 'abc');
    assert.match(errorOf(call(standalone, '<get-flow-session-information><source-prefix>10.0.0.0/33</source-prefix></get-flow-session-information>')).message, /bad prefix length/);
    assert.match(errorOf(call(standalone, '<get-flow-session-information><destination-port>70000</destination-port></get-flow-session-information>')).message, /not a port/);
    assert.match(errorOf(call(standalone, '<get-flow-session-information><protocol>carrier-pigeon</protocol></get-flow-session-information>')).message, /'carrier-pigeon' is not a protocol/);
    assert.match(errorOf(call(standalone, '<get-flow-session-information><summary>yes</summary></get-flow-session-information>')).message, /is a flag and takes no value/);
    const empty = errorOf(call(standalone, '<clear-ike-security-association><peer-address/></clear-ike-security-association>'));
    assert.deepEqual([empty.message, empty.badElement], ['invalid value for peer-address: needs a value', 'peer-address']);
  });

  it('node only on a cluster, and only its nodes', () => {
    assert.equal(errorOf(call(standalone, '<get-flow-session-information><node>node0</node></get-flow-session-information>')).badElement, 'node');
    assert.equal(errorOf(call(cluster, '<get-flow-session-information><node>node5</node></get-flow-session-information>')).badElement, 'node5');
    assert.equal(call(cluster, '<get-flow-session-information><node>node1</node><session-identifier>1</session-identifier></get-flow-session-information>').kind, 'content');
  });

  it('changes nothing when it refuses a clear', () => {
    const dev = createDeviceState(resolveScenario('no-peer'));
    const before = dev.sessions.aliveCount;
    call(dev, '<clear-flow-session><protocol>ah</protocol><bogus/></clear-flow-session>');
    assert.equal(dev.sessions.aliveCount, before);
  });
});

describe('renderRpcError', () => {
  it('writes the Junos rpc-error, escaped', () => {
    const xml = renderRpcError({ type: 'protocol', tag: 'operation-failed', severity: 'error', message: 'syntax error, expecting <command>', badElement: 'a&b' });
    assert.equal(
      xml,
      '<rpc-error>\n' +
        '    <error-type>protocol</error-type>\n' +
        '    <error-tag>operation-failed</error-tag>\n' +
        '    <error-severity>error</error-severity>\n' +
        '    <error-message>syntax error, expecting &lt;command&gt;</error-message>\n' +
        '    <error-info>\n' +
        '        <bad-element>a&amp;b</bad-element>\n' +
        '    </error-info>\n' +
        '</rpc-error>\n',
    );
    const none = renderRpcError({ type: 'application', tag: 'operation-failed', severity: 'warning', message: 'm' });
    assert.equal(none.includes('error-info'), false);
    assert.equal(elements(`<x>${renderRpcErrors([{ type: 'rpc', tag: 't', severity: 'error', message: 'a' }, { type: 'rpc', tag: 't', severity: 'error', message: 'b' }])}</x>`, 'rpc-error').length, 2);
  });
});
