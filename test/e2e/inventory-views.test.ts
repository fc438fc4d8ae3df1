/** `runbook inventory --list|--graph|--host` (vault values redacted) and `--list-hosts` on apply and plan. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RUNBOOK_BIN, runCli } from '../helpers/cli.ts';

const fixture = (p: string) => fileURLToPath(new URL(`../fixtures/inventory/${p}`, import.meta.url));
const VAULT_DIR = fixture('ansible/vault');
const VAULT_ARGS = ['-i', join(VAULT_DIR, 'hosts.ini'), '--vault-id', `default@${join(VAULT_DIR, 'vault-pass.txt')}`, '--vault-id', `prod@${join(VAULT_DIR, 'prod-pass.txt')}`];
const SECRETS = ['S3cret-Vault-Pw1', 'c0mmunity-S3cret', 'Pr0d-Inline-S3cret'];

describe('runbook inventory', () => {
  it('--host shows the merged variables with vault values redacted', async () => {
    const r = await runCli(['inventory', ...VAULT_ARGS, '--host', 'fw2']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      ansible_host: '127.0.0.2',
      ansible_password: '<redacted>',
      ansible_user: 'ops',
      ntp_server: '192.0.2.123',
      site: 'ams',
      vault_ansible_password: '<redacted>',
      vault_snmp_community: '<redacted>',
    });
  });

  it('--list: groups and _meta.hostvars, no secret anywhere', async () => {
    const r = await runCli(['inventory', ...VAULT_ARGS, '--list']);
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as Record<string, unknown> & { _meta: { hostvars: Record<string, Record<string, unknown>> } };
    assert.deepEqual(list.srx, { hosts: ['fw1', 'fw2'] });
    assert.equal(list._meta.hostvars.fw1!.vault_ansible_password, '<redacted>');
    for (const s of SECRETS) assert.ok(!(r.stdout + r.stderr).includes(s), 'secret shown');
  });

  it('--graph [GROUP] draws the tree as ansible-inventory does', async () => {
    const r = await runCli(['inventory', '-i', fixture('ansible/ini/hosts.ini'), '--graph', 'branch']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '@branch:\n  |--br-a\n  |--br-b\n  |--br-c\n  |--br-x\n');
    const bad = await runCli(['inventory', '-i', fixture('ansible/ini/hosts.ini'), '--graph', 'nosuch']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no group 'nosuch' in the inventory/);
  });
});

describe('--ask-vault-pass', () => {
  it('asks on the terminal without echoing, and decrypts with the answer', async () => {
    const password = readFileSync(join(VAULT_DIR, 'vault-pass.txt'), 'utf8').trim();
    const args = ['inventory', '-i', join(VAULT_DIR, 'hosts.ini'), '--vault-id', `prod@${join(VAULT_DIR, 'prod-pass.txt')}`, '--ask-vault-pass', '--host', 'fw1'];
    const child = spawn('python3', ['test/helpers/pty-answer.py', password, process.execPath, RUNBOOK_BIN, ...args], { env: { ...process.env, NO_COLOR: '1', PTY_PROMPT: 'Vault password: ' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const [code] = (await once(child, 'close')) as [number];
    assert.equal(code, 0, out);
    assert.match(out, /Vault password: /);
    assert.match(out, /"vault_ansible_password": "<redacted>"/);
    assert.ok(!out.includes(password), 'the typed password was echoed');
  });

  it('off a terminal it is refused, naming the option', async () => {
    const r = await runCli(['inventory', '-i', join(VAULT_DIR, 'hosts.ini'), '--ask-vault-pass', '--list']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--ask-vault-pass: asking for the vault password needs a terminal; use --vault-password-file/);
  });
});

describe('--list-hosts', () => {
  it('apply and plan print the selected hosts and contact nothing (no credential is even read)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'runbook-list-hosts-'));
    for (const cmd of [['apply'], ['plan', '-o', join(dir, 'never.json')]]) {
      const r = await runCli([...cmd, 'playbooks/ah-cleanup.yml', '-i', fixture('ansible/ini/hosts.ini'), '--limit', 'branch', '--list-hosts']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'pattern: all (limit: branch)\nhosts (4):\n  br-a\n  br-b\n  br-c\n  br-x\n');
    }
  });
});
