import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { format, inspect } from 'node:util';
import { connectionFor, expandPath, keyFileCache } from '../../../src/inventory/connection.ts';
import { CredentialError } from '../../../src/inventory/errors.ts';
import type { Inventory, InventoryHost } from '../../../src/inventory/types.ts';
import type { ConnectOptions } from '../../../src/transport/options.ts';
import { fixture, host, load } from './helpers.ts';

const SECRET = 'S3cret-Pa55w0rd!';
const OTHER_SECRET = 'An0ther-S3cret';
const PASSPHRASE = 'Key-Pa55phrase';
/** Key paths in credentials.yml start with ~, so HOME decides where they are. */
const HOME = fixture('keys');
const KEY = readFileSync(join(HOME, 'id_test'));
const DEFAULTS = { knownHostsFile: '/default/known_hosts' };

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { HOME, ...extra };
}

/** Everything a log line, a report or a crash dump could show of a value. */
function stringForms(value: unknown): string[] {
  const forms = [String(value), inspect(value), inspect(value, { showHidden: true, depth: 10 }), format('%o', value), format('%j', value), JSON.stringify(value)];
  if (value instanceof Error) forms.push(value.stack ?? '', JSON.stringify(value, Object.getOwnPropertyNames(value)));
  return forms;
}

function assertNoSecret(value: unknown, ...secrets: string[]): void {
  for (const text of stringForms(value)) for (const s of secrets) assert.equal(text.includes(s), false, `secret shown in: ${text}`);
}

async function credentialError(h: InventoryHost, e: NodeJS.ProcessEnv): Promise<CredentialError> {
  try {
    await connectionFor(h, e, DEFAULTS);
  } catch (err) {
    assert.ok(err instanceof CredentialError, `expected a CredentialError, got ${String(err)}`);
    return err;
  }
  assert.fail(`${h.name}: connectionFor should have failed`);
}

describe('connectionFor', () => {
  let inv: Inventory;
  before(async () => {
    inv = await load('credentials.yml');
  });
  const connect = (name: string, e: NodeJS.ProcessEnv = env()): Promise<ConnectOptions> => connectionFor(host(inv, name), e, DEFAULTS);

  it('reads the password from the environment variable runbook_password_env names', async () => {
    const c = await connect('env-pass', env({ RB_TEST_PASSWORD: SECRET }));
    assert.deepEqual(
      { ...c },
      {
        name: 'env-pass',
        address: '192.0.2.1',
        port: 830,
        username: 'netops',
        knownHostsFile: join(HOME, 'known_hosts_srx'),
        password: SECRET,
      },
    );
  });

  it('fails naming host, variable and environment variable when that variable is not set', async () => {
    const e = await credentialError(host(inv, 'env-pass'), env());
    assert.equal(e.host, 'env-pass');
    assert.equal(e.variable, 'runbook_password_env');
    assert.deepEqual(e.at, { file: fixture('credentials.yml'), line: 9, column: 7 });
    assert.equal(
      e.message,
      `env-pass: ${fixture('credentials.yml')}:9:7: runbook_password_env names the environment variable RB_TEST_PASSWORD, which is not set: export RB_TEST_PASSWORD with the password`,
    );
    // Empty counts as not set: an empty password is never meant.
    assert.equal((await credentialError(host(inv, 'env-pass'), env({ RB_TEST_PASSWORD: '' }))).variable, 'runbook_password_env');
  });

  it("understands Ansible's {{ lookup('env', 'VAR') }} in ansible_password and ansible_ssh_pass", async () => {
    assert.equal((await connect('lookup-pass', env({ RB_TEST_PASSWORD: SECRET }))).password, SECRET);
    assert.equal((await connect('lookup-ssh-pass', env({ RB_OTHER_PASSWORD: OTHER_SECRET }))).password, OTHER_SECRET);
    const e = await credentialError(host(inv, 'lookup-ssh-pass'), env());
    assert.equal(e.variable, 'ansible_ssh_pass');
    assert.match(e.message, /ansible_ssh_pass reads the environment variable RB_OTHER_PASSWORD \(lookup\('env', 'RB_OTHER_PASSWORD'\)\), which is not set/);
  });

  it('prefers runbook_password_env to the Ansible idiom', async () => {
    const c = await connect('both-pass', env({ RB_TEST_PASSWORD: SECRET, RB_OTHER_PASSWORD: OTHER_SECRET }));
    assert.equal(c.password, OTHER_SECRET);
  });

  it('refuses a literal password in a host built in code too, without showing it', async () => {
    const h = host(inv, 'nothing');
    const literal: InventoryHost = { ...h, vars: { ...h.vars, ansible_password: SECRET } };
    const e = await credentialError(literal, env());
    assert.equal(e.variable, 'ansible_password');
    assert.match(e.message, /^nothing: ansible_password holds a literal password, and runbook never reads passwords from files/);
    assertNoSecret(e, SECRET);
  });

  it('reads the key file, with ~ from HOME, and its passphrase from the environment', async () => {
    const c = await connect('key');
    assert.deepEqual(
      { ...c },
      {
        name: 'key',
        address: '192.0.2.4',
        port: 2830,
        username: 'netops',
        knownHostsFile: join(HOME, 'known_hosts_srx'),
        privateKey: KEY,
      },
    );
    assert.deepEqual((await connect('key-old-name')).privateKey, KEY);
    const withPassphrase = await connect('key-passphrase', env({ RB_TEST_PASSPHRASE: PASSPHRASE }));
    assert.equal(withPassphrase.passphrase, PASSPHRASE);
    const e = await credentialError(host(inv, 'key-passphrase'), env());
    assert.equal(e.variable, 'runbook_key_passphrase_env');
    assert.match(e.message, /names the environment variable RB_TEST_PASSPHRASE, which is not set/);
  });

  it('reads a key file once for all the hosts that name it, and gives them the same buffer (keyFileCache)', async () => {
    const reads: string[] = [];
    const defaults = { ...DEFAULTS, readKeyFile: keyFileCache(async (file) => (reads.push(file), readFile(file))) };
    const names = ['key', 'key-old-name', 'key-passphrase', 'key'];
    const got = await Promise.all(names.map((n) => connectionFor(host(inv, n), env({ RB_TEST_PASSPHRASE: PASSPHRASE }), defaults)));
    assert.deepEqual(reads, [join(HOME, 'id_test')]);
    assert.deepEqual(got[0]!.privateKey, KEY);
    for (const c of got) assert.equal(c.privateKey, got[0]!.privateKey);
    // A file that cannot be read is still each host's own located error.
    const missing = await connectionFor(host(inv, 'key-missing'), env({ RB_TEST_PASSWORD: SECRET }), defaults).catch((err: unknown) => err);
    assert.ok(missing instanceof CredentialError && missing.variable === 'ansible_ssh_private_key_file', String(missing));
    assert.equal(reads.length, 2);
  });

  it('fails clearly when the key file is missing, naming host and variable and never the password', async () => {
    const e = await credentialError(host(inv, 'key-missing'), env({ RB_TEST_PASSWORD: SECRET }));
    assert.equal(e.host, 'key-missing');
    assert.equal(e.variable, 'ansible_ssh_private_key_file');
    assert.equal(
      e.message,
      `key-missing: ${fixture('credentials.yml')}:28:7: ansible_ssh_private_key_file: the key file ${join(HOME, 'no_such_key')} does not exist`,
    );
    assertNoSecret(e, SECRET);
  });

  it('uses the ssh-agent when asked, or when nothing else is set and SSH_AUTH_SOCK is', async () => {
    const sock = '/tmp/agent.sock';
    assert.equal((await connect('agent', env({ SSH_AUTH_SOCK: sock }))).agent, sock);
    assert.equal((await connect('nothing', env({ SSH_AUTH_SOCK: sock }))).agent, sock);
    const e = await credentialError(host(inv, 'agent'), env());
    assert.equal(e.variable, 'runbook_agent');
    assert.match(e.message, /runbook_agent is true but SSH_AUTH_SOCK is not set/);
    // A key or password given: the agent is not offered unless asked for.
    assert.equal((await connect('key', env({ SSH_AUTH_SOCK: sock }))).agent, undefined);
  });

  it('fails when there are no credentials at all, saying what to set', async () => {
    for (const name of ['nothing', 'agent-off']) {
      const e = await credentialError(host(inv, name), env({ ...(name === 'agent-off' ? { SSH_AUTH_SOCK: '/tmp/agent.sock' } : {}) }));
      assert.equal(e.variable, undefined);
      assert.match(e.message, new RegExp(`^${name}: no credentials: set runbook_password_env .*ansible_ssh_private_key_file, or runbook_agent: true`));
    }
  });

  it('needs a user: ansible_user, else ansible_ssh_user (null unsets an inherited value)', async () => {
    const e = await credentialError(host(inv, 'no-user'), env({ SSH_AUTH_SOCK: '/s' }));
    assert.equal(e.variable, 'ansible_user');
    assert.match(e.message, /no user to log in as: set ansible_user/);
    assert.equal((await connect('ssh-user', env({ SSH_AUTH_SOCK: '/s' }))).username, '1234');
  });

  it('reads address, port, known_hosts, accept-new, timeouts, deadlines and limits', async () => {
    const c = await connect('tuned', env({ SSH_AUTH_SOCK: '/s' }));
    assert.deepEqual(
      { ...c },
      {
        name: 'tuned',
        address: 'srx.example.net',
        port: 2222,
        username: 'netops',
        knownHostsFile: '/etc/runbook/known_hosts',
        acceptNewHostKey: true,
        connectTimeoutMs: 5000,
        rpcTimeoutMs: 600_000,
        rpcDeadlineMs: 900_000,
        maxReplyBytes: 4 * 1024 ** 3,
        maxRecords: 2_000_000,
        agent: '/s',
      },
    );
  });

  it("falls back to the host's name and the caller's defaults", async () => {
    const h: InventoryHost = { name: 'srx9', groups: ['all'], vars: { ansible_user: 'ops', runbook_agent: true }, varsAt: {}, at: { file: 'x', line: 1, column: 1 } };
    const c = await connectionFor(h, env({ SSH_AUTH_SOCK: '/s' }), { knownHostsFile: '~/.ssh/known_hosts', acceptNew: true });
    assert.equal(c.address, 'srx9');
    assert.equal(c.port, 830);
    assert.equal(c.knownHostsFile, join(HOME, '.ssh/known_hosts'));
    assert.equal(c.acceptNewHostKey, true);
  });

  it("names each jump host's key by the file it was read from (its IdentityFile, else the device's key file), for jobs run elsewhere", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-jumpkeys-'));
    try {
      const own = join(dir, 'device_key');
      const hop = join(dir, 'bastion_key');
      writeFileSync(own, 'device key bytes');
      writeFileSync(hop, 'bastion key bytes');
      const config = join(dir, 'ssh_config');
      writeFileSync(config, `Host b1\n  HostName 192.0.2.10\n  IdentityFile ${hop}\nHost b2\n  HostName 192.0.2.11\n`);
      const vars = { ansible_user: 'ops', ansible_ssh_private_key_file: own, ansible_ssh_common_args: '-J b1,b2', runbook_ssh_config: config };
      const h: InventoryHost = { name: 'srx9', groups: ['all'], vars, varsAt: {}, at: { file: 'x', line: 1, column: 1 } };
      const c = await connectionFor(h, env(), DEFAULTS);
      assert.deepEqual(c.jumps?.map((j) => [j.address, String(j.privateKey)]), [['192.0.2.10', 'bastion key bytes'], ['192.0.2.11', 'device key bytes']]);
      assert.deepEqual(c.secretSources?.jumps, [{ privateKey: { file: hop } }, { privateKey: { file: own } }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('re-checks values of hosts built in code', async () => {
    const h: InventoryHost = { name: 'srx9', groups: ['all'], vars: { ansible_user: 'ops', ansible_port: 'ssh' }, varsAt: {}, at: { file: 'x', line: 1, column: 1 } };
    const e = await credentialError(h, env());
    assert.equal(e.variable, 'ansible_port');
    assert.equal(e.message, "srx9: ansible_port must be a port number (1-65535), not 'ssh'");
  });

  it('leaves lab hosts to the in-process lab', async () => {
    const lab = (await load('lab-hosts.yml')).hosts[0]!;
    const e = await credentialError(lab, env());
    assert.equal(e.variable, 'lab_scenario');
    assert.match(e.message, /this is a lab host/);
  });

  it('never shows a password, passphrase or key in the string forms of what it returns', async () => {
    const c = await connect('key-passphrase', env({ RB_TEST_PASSPHRASE: PASSPHRASE }));
    const p = await connect('env-pass', env({ RB_TEST_PASSWORD: SECRET }));
    assertNoSecret(c, PASSPHRASE, 'not a real key');
    assertNoSecret(p, SECRET);
    assertNoSecret({ nested: { connection: p } }, SECRET);
    assert.match(JSON.stringify(p), /"password":"<redacted>"/);
    assert.match(inspect(c), /privateKey: '<redacted key, \d+ bytes>'/);
    // The secrets are still there for the transport, and survive a spread.
    assert.equal({ ...p, name: 'copy' }.password, SECRET);
  });

  it('never shows a password in the errors it throws while one is in the environment', async () => {
    const full = env({ RB_TEST_PASSWORD: SECRET, RB_OTHER_PASSWORD: OTHER_SECRET, RB_TEST_PASSPHRASE: PASSPHRASE });
    const failing = ['key-missing', 'agent', 'no-user', 'nothing'];
    for (const name of failing) {
      const e = await credentialError(host(inv, name), full);
      assertNoSecret(e, SECRET, OTHER_SECRET, PASSPHRASE);
    }
  });
});

describe('expandPath', () => {
  it('expands ~ from HOME and makes relative paths absolute', () => {
    assert.equal(expandPath('~', { HOME: '/home/x' }), '/home/x');
    assert.equal(expandPath('~/k', { HOME: '/home/x' }), '/home/x/k');
    assert.equal(expandPath('/abs/k', {}), '/abs/k');
    assert.equal(expandPath('rel/k', {}), join(process.cwd(), 'rel/k'));
  });
});
