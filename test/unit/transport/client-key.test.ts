import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import ssh2, { type ParsedKey } from 'ssh2';
import { sharedClientKey } from '../../../src/transport/client-key.ts';
import { ed25519KeyPair } from '../../helpers/keys.ts';

const DATA = randomBytes(300);

/** ssh2's own parse of the key, for checking the shared key's signatures with ssh2's verify. */
function ssh2Parse(key: Buffer, passphrase?: string): ParsedKey {
  const parsed = ssh2.utils.parseKey(key, passphrase);
  assert.ok(!(parsed instanceof Error), String(parsed));
  return Array.isArray(parsed) ? parsed[0]! : parsed;
}

describe('sharedClientKey', () => {
  it('parses a key once: the same buffer gives the same parsed key', () => {
    const key = Buffer.from(ed25519KeyPair().private);
    const first = sharedClientKey(key);
    assert.equal(sharedClientKey(key), first);
    // Another buffer is another key as far as the cache knows (the inventory shares buffers).
    assert.notEqual(sharedClientKey(Buffer.from(key)), first);
    assert.equal(first.type, 'ssh-ed25519');
    assert.equal(first.isPrivateKey(), true);
    assert.deepEqual(first.getPublicSSH(), ssh2Parse(key).getPublicSSH());
    assert.equal(ssh2.utils.parseKey(first), first, 'ssh2 takes it as a parsed key');
  });

  const types: [string, () => string][] = [
    ['ed25519', () => ed25519KeyPair().private],
    ['ecdsa P-256', () => ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 }).private],
    ['ecdsa P-384', () => ssh2.utils.generateKeyPairSync('ecdsa', { bits: 384 }).private],
    ['rsa', () => ssh2.utils.generateKeyPairSync('rsa', { bits: 2048 }).private],
  ];
  for (const [label, generate] of types) {
    it(`signs as ssh2 would with a ${label} key: ssh2's verify accepts the signature`, () => {
      const key = Buffer.from(generate());
      const shared = sharedClientKey(key);
      const reference = ssh2Parse(key);
      const signature = shared.sign(DATA);
      assert.ok(Buffer.isBuffer(signature));
      assert.equal(reference.verify(DATA, signature), true);
      if (shared.type === 'ssh-rsa') {
        // The server may ask for rsa-sha2-256 / 512: ssh2 passes the hash along.
        for (const hash of ['sha256', 'sha512']) assert.equal(reference.verify(DATA, shared.sign(DATA, hash), hash), true, hash);
      }
    });
  }

  it('takes the passphrase of an encrypted key, and refuses a wrong or missing one with ssh2\'s reason', () => {
    const key = Buffer.from(ed25519KeyPair({ passphrase: 'correct horse', cipher: 'aes256-ctr', rounds: 1 }).private);
    assert.throws(() => sharedClientKey(key), /^Error: Cannot parse privateKey: .*passphrase/i);
    assert.throws(() => sharedClientKey(key, 'wrong'), /^Error: Cannot parse privateKey/);
    const shared = sharedClientKey(key, 'correct horse');
    assert.equal(ssh2Parse(key, 'correct horse').verify(DATA, shared.sign(DATA)), true);
  });

  it('refuses what is not a private key', () => {
    assert.throws(() => sharedClientKey(Buffer.from('not a key')), /^Error: Cannot parse privateKey: /);
    const pub = Buffer.from(ed25519KeyPair().public);
    assert.throws(() => sharedClientKey(pub), /does not contain a \(valid\) private key/);
  });
});
