import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ReplyReader, UnexpectedRootError } from '../../../src/transport/reply-reader.ts';
import { JUNOS_FIXTURES } from '../../helpers/fixtures.ts';

const fixture = (name: string) => readFileSync(join(JUNOS_FIXTURES, name));

/** Feeds a reply in small pieces, as the network would. */
function read(bytes: Buffer, root = 'rpc-reply') {
  const reader = new ReplyReader(root);
  for (let i = 0; i < bytes.length; i += 13) reader.push(bytes.subarray(i, i + 13));
  return reader.finish();
}

describe('ReplyReader: <rpc-error> wherever Junos puts it', () => {
  it('directly under <rpc-reply>, two errors with multi-line messages', () => {
    const r = read(fixture('rpc-error-commit-two-errors.xml'));
    assert.deepEqual(
      r.errors.map((e) => [e.severity, e.tag, e.message]),
      [
        ['error', 'operation-failed', "interface-range 'axp' is not defined"],
        ['error', 'operation-failed', 'interface-ranges expansion failed'],
      ],
    );
    assert.equal(r.warnings.length, 0);
  });

  it('inside <commit-results>, with error-path and bad-element', () => {
    const r = read(fixture('commit-results-rpc-error-missing-mandatory.xml'));
    assert.equal(r.errors.length, 2);
    assert.deepEqual(
      { ...r.errors[0] },
      { severity: 'error', message: "mgd: Missing mandatory statement: 'root-authentication'", type: 'application', tag: 'invalid-value', path: '[edit]', badElement: 'system' },
    );
  });

  it('warnings inside <load-configuration-results> do not fail, and <ok/> is seen', () => {
    const r = read(fixture('load-configuration-results-warnings-ok.xml'));
    assert.equal(r.errors.length, 0);
    assert.deepEqual(r.warnings.map((w) => w.message), ['statement not found', 'statement not found', 'statement not found']);
    assert.equal(r.ok, true);
    assert.equal(r.messageId, 'urn:uuid:1f3dfa00-3434-414a-8aa8-0073590c5812');
  });

  it('errors in a <load-configuration-results> with a syntax error', () => {
    const r = read(fixture('load-configuration-results-syntax-error.xml'));
    assert.equal(r.errors.length, 2);
    assert.ok(r.errors.every((e) => e.severity === 'error'));
  });

  it('warnings beside output (request reboot)', () => {
    const r = read(fixture('warning-reboot-output.xml'));
    assert.deepEqual(r.warnings.map((w) => w.message), ['Rebooting re0 in 1 min', 'Initiating Junos shutdown...']);
    assert.equal(r.errors.length, 0);
  });

  it('permission denied with a bad-element', () => {
    const r = read(fixture('rpc-error-get-configuration-permission-denied.xml'));
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0].message, /permission denied/);
  });

  it('nested inside an operational reply, even when a handler selected the enclosing element', () => {
    const xml = Buffer.concat([Buffer.from('<rpc-reply>'), fixture('rpc-error-embedded-in-reply-interface-not-found.xml'), Buffer.from('</rpc-reply>')]);
    const plain = read(xml);
    assert.deepEqual(plain.errors.map((e) => [e.message, e.sourceDaemon]), [['device ge-1/0/1 not found', 'ifinfo']]);
    const seen: string[] = [];
    const reader = new ReplyReader('rpc-reply', { items: new Set(['interface-information']), onElement: (n) => seen.push(n.name) });
    reader.push(xml);
    const selected = reader.finish();
    assert.deepEqual(seen, ['interface-information']);
    assert.equal(selected.errors[0].message, 'device ge-1/0/1 not found');
  });

  it('refuses a reply whose root is not <rpc-reply>', () => {
    assert.throws(() => read(Buffer.from('<hello/>')), UnexpectedRootError);
  });
});
