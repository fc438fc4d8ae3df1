import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import ssh2, { type ParsedKey } from 'ssh2';

/**
 * A client's private key, parsed once per run and shared by every connection that uses it.
 *
 * Given the key as text, ssh2 parses it again on each `connect()`, and signs with its PEM
 * text, which OpenSSL decodes again for every signature: for an ed25519 key that decode
 * is about 25 times the signature itself, and a fleet run paid both once per host. Here
 * the key is parsed once per key text (by buffer: the inventory reads each key file once,
 * see keyFileCache in inventory/connection.ts) and signs with a KeyObject made once.
 */
const parsed = new WeakMap<Buffer, Map<string, ParsedKey>>();

/** The hash ssh2 signs with when the server does not name one, by key type (ssh2's keyParser). */
const DEFAULT_HASH: Readonly<Record<string, string | null>> = {
  'ssh-ed25519': null,
  'ssh-rsa': 'sha1',
  'ssh-dss': 'sha1',
  'ecdsa-sha2-nistp256': 'sha256',
  'ecdsa-sha2-nistp384': 'sha384',
  'ecdsa-sha2-nistp521': 'sha512',
};

/**
 * The parsed key for this key text and passphrase, made on first use. Throws an Error
 * with ssh2's reason when the text is not a usable private key (wrong passphrase,
 * a public key, an unknown format).
 */
export function sharedClientKey(key: Buffer, passphrase?: string): ParsedKey {
  let byPassphrase = parsed.get(key);
  if (!byPassphrase) parsed.set(key, (byPassphrase = new Map()));
  const known = byPassphrase.get(passphrase ?? '');
  if (known) return known;
  const made = withKeyObject(parseOne(key, passphrase));
  byPassphrase.set(passphrase ?? '', made);
  return made;
}

/** The messages are ssh2's own, as `connect({ privateKey })` would throw them. */
function parseOne(key: Buffer, passphrase: string | undefined): ParsedKey {
  const result = ssh2.utils.parseKey(key, passphrase);
  if (result instanceof Error) throw new Error(`Cannot parse privateKey: ${result.message}`);
  const first = Array.isArray(result) ? (result[0] as ParsedKey) : result;
  if (first.getPrivatePEM() === null) throw new Error('privateKey value does not contain a (valid) private key');
  return first;
}

/**
 * The same key, signing through a KeyObject. ssh2 accepts a parsed key wherever it takes
 * one (it checks by a marker the prototype carries), so the wrapper inherits everything
 * else. A key type ssh2 signs some other way is left as parsed.
 */
function withKeyObject(key: ParsedKey): ParsedKey {
  const hash = DEFAULT_HASH[key.type];
  if (hash === undefined) return key;
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(key.getPrivatePEM());
  } catch {
    return key;
  }
  return Object.create(key, {
    sign: {
      value(data: Buffer | string, algo?: string): Buffer | Error {
        try {
          return sign(algo || hash, typeof data === 'string' ? Buffer.from(data) : data, keyObject);
        } catch (err) {
          return err as Error;
        }
      },
    },
  }) as ParsedKey;
}
