import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RPCS, wideEffect } from '../../../src/junos/catalog.ts';
import { buildRpc, RpcBuildError } from '../../../src/junos/rpc.ts';
import { parseTablePath, tableExtractor, TableValueError, type TablePathField } from '../../../src/junos/table.ts';
import { run } from './helpers.ts';

function buildError(fn: () => unknown): RpcBuildError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof RpcBuildError, String(err));
    return err;
  }
  assert.fail('expected an RpcBuildError');
}

describe('catalog: what narrows each clear', () => {
  it('every state-changing RPC but the configuration ones says what narrows it and what it does without', () => {
    for (const spec of Object.values(RPCS)) {
      if (!spec.changesState) assert.equal(spec.narrowedBy, undefined, spec.name);
      else assert.ok(spec.narrowedBy && spec.narrowedBy.wide !== '', spec.name);
    }
  });

  it('wideEffect: none of the narrowing arguments given (false is not given) is the wide form', () => {
    assert.equal(wideEffect('clear-ipsec-security-association', {}), 'clears every IPsec SA on the device');
    assert.equal(wideEffect('clear-ipsec-security-association', { node: 'node0' }), 'clears every IPsec SA on the device', 'node does not narrow');
    assert.equal(wideEffect('clear-ipsec-security-association', { index: false }), 'clears every IPsec SA on the device');
    assert.equal(wideEffect('clear-ipsec-security-association', { index: '67108866' }), undefined);
    assert.equal(wideEffect('clear-ipsec-security-association', { 'vpn-name': 'vpn-a' }), undefined);
    assert.equal(wideEffect('clear-ike-security-association', {}), 'clears every IKE SA on the device');
    assert.equal(wideEffect('clear-ike-security-association', { 'peer-address': '4.0.0.2' }), undefined);
    assert.match(wideEffect('clear-flow-session', { all: true }) ?? '', /every flow session/);
    assert.equal(wideEffect('clear-flow-session', { protocol: 'ah' }), undefined);
    assert.match(wideEffect('clear-flow-session-all', {}) ?? '', /every flow session/, 'always wide');
    assert.equal(wideEffect('get-security-associations-information', {}), undefined, 'a read is never wide');
    assert.equal(wideEffect('no-such-rpc', {}), undefined);
  });
});

describe('buildRpc: a clear with no selector is not built unless the wide form is stated', () => {
  it('refuses the clears Junos reads as "clear them all"', () => {
    for (const [name, args] of [
      ['clear-ipsec-security-association', {}],
      ['clear-ipsec-security-association', { node: 'node0', index: false }],
      ['clear-ike-security-association', {}],
      ['clear-flow-session', { all: true }],
      ['clear-flow-session-all', {}],
      ['clear-flow-session-by-session-identifier', {}],
    ] as const) {
      const e = buildError(() => buildRpc(name, args));
      assert.equal(e.rpc, name);
      assert.equal(e.argument, undefined);
      assert.match(e.reason, /stated explicitly \(all: true on a plan action, --wide for runbook rpc\)/);
    }
    assert.match(buildError(() => buildRpc('clear-ipsec-security-association', {})).reason, /none of the arguments that narrow it \(index, vpn-name\); sent like that it clears every IPsec SA on the device/);
  });

  it('builds them when the wide form is stated, and narrowed calls as before', () => {
    assert.equal(buildRpc('clear-flow-session-all', {}, { wide: true }), '<clear-flow-session-all/>');
    assert.equal(buildRpc('clear-ipsec-security-association', {}, { wide: true }), '<clear-ipsec-security-association/>');
    assert.equal(buildRpc('clear-ipsec-security-association', { index: 5 }), '<clear-ipsec-security-association><index>5</index></clear-ipsec-security-association>');
    assert.equal(buildRpc('get-security-associations-information', {}), '<get-security-associations-information/>');
  });
});

function typed(name: string, path: string, type: TablePathField['type'], extra: Partial<TablePathField> = {}): TablePathField {
  const parsed = parseTablePath(path);
  if ('error' in parsed) throw new Error(parsed.error);
  return { name, kind: 'path', path: parsed.steps, type, ...extra };
}

const SAS = (indexes: readonly string[], gateway = '2.0.0.146') =>
  `<ipsec-security-associations-information>${indexes
    .map((i) => `<ipsec-security-associations-block><ipsec-security-associations><sa-tunnel-index>${i}</sa-tunnel-index><sa-remote-gateway>${gateway}</sa-remote-gateway></ipsec-security-associations></ipsec-security-associations-block>`)
    .join('')}</ipsec-security-associations-information>`;

const SA_TABLE = {
  item: 'ipsec-security-associations',
  fields: [typed('index', 'sa-tunnel-index', 'integer', { minimum: 1, maximum: 4294967295, required: true }), typed('gateway', 'sa-remote-gateway', 'address', { required: true })],
};

function tableError(xml: string, spec = SA_TABLE): TableValueError {
  try {
    run(() => tableExtractor(spec), xml);
  } catch (err) {
    assert.ok(err instanceof TableValueError, String(err));
    return err;
  }
  assert.fail('expected a TableValueError');
}

describe('tables: values from a device are checked by their declared types', () => {
  it('reads good records as typed values', () => {
    const r = run(() => tableExtractor(SA_TABLE), SAS(['67108866', '67108867']));
    assert.deepEqual(r.records, [
      { index: 67108866, gateway: '2.0.0.146' },
      { index: 67108867, gateway: '2.0.0.146' },
    ]);
  });

  it('an index that is not an integer fails, naming the record, the field and the value', () => {
    const e = tableError(SAS(['67108866', 'abc', 'x1']));
    assert.deepEqual([e.item, e.record, e.field, e.path, e.value], ['ipsec-security-associations', 2, 'index', 'sa-tunnel-index', 'abc']);
    assert.equal(e.message, `ipsec-security-associations record 2: field index (sa-tunnel-index): the device's value is "abc", not an integer (and 1 more record fail)`);
  });

  it('an empty or absent required value fails; out of bounds fails; a bad address fails', () => {
    assert.match(tableError(SAS([''])).message, /field index \(sa-tunnel-index\): the device's value is "", empty, which the field requires \(integer\)/);
    assert.match(tableError(SAS(['0'])).message, /the device's value is "0", below the field's minimum 1/);
    assert.match(tableError(SAS(['4294967296'])).message, /above the field's maximum 4294967295/);
    assert.match(tableError(SAS(['5'], '2.0.0.999')).message, /field gateway \(sa-remote-gateway\): the device's value is "2\.0\.0\.999", not an IPv4 or IPv6 address/);
    const absent = '<x><ipsec-security-associations><sa-remote-gateway>1.1.1.1</sa-remote-gateway></ipsec-security-associations></x>';
    assert.match(tableError(absent).message, /field index \(sa-tunnel-index\): the device sent no such element, which the field requires/);
  });

  it('without required, an absent or empty value is null; ill-typed text is still an error; string fields are not checked', () => {
    const spec = { item: 'ipsec-security-associations', fields: [typed('index', 'sa-tunnel-index', 'integer'), typed('gateway', 'sa-remote-gateway', 'string')] };
    assert.deepEqual(run(() => tableExtractor(spec), SAS([''], '')).records, [{ index: null, gateway: null }]);
    assert.deepEqual(run(() => tableExtractor(spec), SAS(['7'], 'not an address')).records, [{ index: 7, gateway: 'not an address' }]);
    assert.match(tableError(SAS(['abc']), spec).message, /not an integer/);
  });

  it('IPv6 peers are addresses', () => {
    const r = run(() => tableExtractor(SA_TABLE), SAS(['9'], '2001:db8::1'));
    assert.deepEqual(r.records, [{ index: 9, gateway: '2001:db8::1' }]);
  });
});
