import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connectionSettings, HeldSecrets } from '../../../src/cli/host-jobs.ts';
import { SecretUnavailableError } from '../../../src/contracts/secrets.ts';
import { connectOptionsOf } from '../../../src/transport/connection-settings.ts';
import type { ConnectOptions } from '../../../src/transport/options.ts';

const KEY = Buffer.from('-----BEGIN OPENSSH PRIVATE KEY-----\nsecret-key-bytes\n-----END OPENSSH PRIVATE KEY-----\n');
const options: ConnectOptions = {
  name: 'srx1',
  address: '192.0.2.1',
  port: 830,
  username: 'ops',
  password: 'vault-decrypted-pw',
  knownHostsFile: '/k',
  connectTimeoutMs: 5000,
  maxRecords: 10,
  jumps: [{ address: 'bastion', port: 22, username: 'jump', privateKey: KEY }],
};

describe('connection settings of a host job', () => {
  it('hold the secrets the CLI read, by id; the data is the rest; resolving gives the options back', async () => {
    const held = new HeldSecrets();
    const settings = connectionSettings('srx1', options, held);
    const wire = JSON.stringify(settings);
    assert.ok(!wire.includes('vault-decrypted-pw') && !wire.includes('secret-key-bytes'), wire);
    assert.deepEqual(JSON.parse(wire), {
      name: 'srx1',
      address: '192.0.2.1',
      port: 830,
      username: 'ops',
      knownHostsFile: '/k',
      connectTimeoutMs: 5000,
      maxRecords: 10,
      password: { secret: 'srx1/password' },
      jumps: [{ address: 'bastion', port: 22, username: 'jump', privateKey: { secret: 'srx1/jump1/privateKey' } }],
    });
    assert.deepEqual(await connectOptionsOf(JSON.parse(wire), held), options);
  });

  it('name a secret read from the environment or a key file by that, not by value', () => {
    // As connectionFor returns them: the sources are not enumerable.
    const { jumps: _none, ...direct } = options;
    const read = Object.defineProperty({ ...direct, privateKey: KEY }, 'secretSources', { value: { password: { env: 'SRX_PW' }, privateKey: { file: '/keys/id' } } });
    const settings = connectionSettings('srx1', read, new HeldSecrets());
    assert.deepEqual([settings.password, settings.privateKey], [{ env: 'SRX_PW' }, { file: '/keys/id' }]);
    // A jump host's key read from a file is named by the file too (a queued job behind a bastion can travel).
    const behind = Object.defineProperty({ ...options }, 'secretSources', { value: { jumps: [{ privateKey: { file: '/keys/bastion' } }] } });
    assert.deepEqual(connectionSettings('srx1', behind, new HeldSecrets()).jumps, [{ address: 'bastion', port: 22, username: 'jump', privateKey: { file: '/keys/bastion' } }]);
  });

  it('a reference the runner cannot resolve is a typed error naming it, not its value', async () => {
    const held = new HeldSecrets();
    await assert.rejects(held.resolve({ secret: 'srx9/password' }), (e: unknown) => e instanceof SecretUnavailableError && /srx9\/password/.test(e.message));
    await assert.rejects(held.resolve({ env: 'RUNBOOK_SURELY_UNSET_VAR' }), /environment variable RUNBOOK_SURELY_UNSET_VAR cannot be read: it is not set/);
    await assert.rejects(held.resolve({ file: '/nonexistent/key' }), /the file \/nonexistent\/key cannot be read: ENOENT/);
  });

  it('reads a key file once per run: every host naming it gets the same Buffer (parsed once by the transport)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-held-'));
    try {
      const file = join(dir, 'id_ed25519');
      writeFileSync(file, KEY);
      const held = new HeldSecrets();
      const [a, b] = await Promise.all([held.resolve({ file }), held.resolve({ file })]);
      assert.ok(Buffer.isBuffer(a));
      assert.equal(a, b, 'the same Buffer, not two reads');
      // And it reaches the transport as that Buffer for every host: the parsed key is cached by it.
      const settingsOf = (name: string) => ({ name, address: '192.0.2.1', port: 830, username: 'ops', knownHostsFile: '/k', privateKey: { file } });
      const [one, two] = await Promise.all([connectOptionsOf(settingsOf('srx1'), held), connectOptionsOf(settingsOf('srx2'), held)]);
      assert.equal(one.privateKey, a);
      assert.equal(two.privateKey, a);
      // A file that could not be read is tried again next time, not remembered as failed.
      const missing = join(dir, 'later');
      await assert.rejects(held.resolve({ file: missing }), /ENOENT/);
      writeFileSync(missing, KEY);
      assert.deepEqual(await held.resolve({ file: missing }), KEY);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
