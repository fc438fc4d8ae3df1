import ssh2 from 'ssh2';

/**
 * A fresh ed25519 key pair that ssh2 can read back. ssh2's generator sometimes drops a
 * leading zero byte of the public key, and about one pair in 256 then does not parse
 * (mscdex/ssh2#1390, #1513): draw again, as the lab does (src/lab/lab.ts newKey).
 */
export function ed25519KeyPair(opts?: Parameters<typeof ssh2.utils.generateKeyPairSync>[1]): { private: string; public: string } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = opts ? ssh2.utils.generateKeyPairSync('ed25519', opts) : ssh2.utils.generateKeyPairSync('ed25519');
    const passphrase = opts && 'passphrase' in opts ? (opts.passphrase as string) : undefined;
    if (!(ssh2.utils.parseKey(pair.private, passphrase) instanceof Error) && !(ssh2.utils.parseKey(pair.public) instanceof Error)) return pair;
  }
  throw new Error('ssh2 kept generating ed25519 keys it cannot parse');
}
