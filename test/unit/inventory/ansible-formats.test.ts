import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionFor } from '../../../src/inventory/connection.ts';
import { iniValue, shellWords } from '../../../src/inventory/ini-document.ts';
import { fixture, host, load } from './helpers.ts';

describe('INI values, typed as Ansible types them (Python literals, else text)', () => {
  it('reads numbers, booleans, None, strings, lists and mappings; keeps everything else as written', () => {
    const cases: [string, unknown][] = [
      ['22', 22],
      ['-3', -3],
      ['1.5', 1.5],
      ['1_000', 1000],
      ['0x1f', 31],
      ['0o17', 15],
      ['0b101', 5],
      ['True', true],
      ['False', false],
      ['None', null],
      ["'noc'", 'noc'],
      ['"a" \'b\'', 'ab'],
      ["'tab\\there'", 'tab\there'],
      ["['edge', 'dc']", ['edge', 'dc']],
      ['(1, 2)', [1, 2]],
      ["{'a': 1, 'b': [True, None]}", { a: 1, b: [true, null] }],
      ['0755', '0755'],
      ['yes', 'yes'],
      ['true', 'true'],
      ['192.0.2.1', '192.0.2.1'],
      ['1j', '1j'],
      ['[1, 2', '[1, 2'],
      ['', ''],
      ["{{ lookup('env', 'X') }}", "{{ lookup('env', 'X') }}"],
      ['__import__("os")', '__import__("os")'],
    ];
    for (const [text, value] of cases) assert.deepEqual(iniValue(text), value, text);
  });

  it('splits host lines as shlex.split(comments=True) does', () => {
    assert.deepEqual(shellWords(`h a="x y" b='p q' c=x\\ y d="q\\"t" # comment`), { words: ['h', 'a=x y', 'b=p q', 'c=x y', 'd=q"t'] });
    assert.deepEqual(shellWords('h a=1#no-space comment'), { words: ['h', 'a=1'] });
    assert.deepEqual(shellWords(`h a="unclosed`), { error: 'no closing quotation' });
  });
});

describe('inventories in Ansible formats', () => {
  it('reads the JSON ansible-inventory --list prints: groups, children, group vars and _meta.hostvars', async () => {
    const inv = await load('ansible/json/list.json');
    assert.deepEqual(
      inv.hosts.map((h) => h.name),
      ['fw1', 'fw2', 'spare'],
    );
    assert.deepEqual(host(inv, 'fw1').vars, { region: 'eu', role: 'fw', ansible_host: '192.0.2.11', ansible_user: 'ops', site: 'ams', nested: { a: [1, 2] } });
    assert.deepEqual(host(inv, 'fw2').groups, ['all', 'dc', 'firewalls']);
    assert.deepEqual(host(inv, 'spare').groups, ['all', 'ungrouped']);
  });

  it('reads a directory of mixed files, skipping the extensions Ansible ignores', async () => {
    const inv = await load('ansible/mixed');
    assert.deepEqual(inv.files, [fixture('ansible/mixed/10-hosts'), fixture('ansible/mixed/20-more.yml')]);
    assert.deepEqual(
      inv.hosts.map((h) => h.name),
      ['srx-a', 'srx-b', 'srx-c'],
    );
    assert.equal(host(inv, 'srx-b').vars.site, 'from-host-vars');
  });

  it('reads the old ansible_ssh_* names, with a deprecation note where each is written', async () => {
    const inv = await load('ansible/aliases/hosts');
    const file = fixture('ansible/aliases/hosts');
    assert.deepEqual(
      inv.warnings.map((w) => [w.file, w.line, w.message]),
      [
        [file, 2, 'ansible_ssh_host is the old name of ansible_host: runbook reads it as Ansible does, but write ansible_host'],
        [file, 2, 'ansible_ssh_port is the old name of ansible_port: runbook reads it as Ansible does, but write ansible_port'],
        [file, 2, 'ansible_ssh_user is the old name of ansible_user: runbook reads it as Ansible does, but write ansible_user'],
        [file, 3, 'ansible_ssh_host is the old name of ansible_host: runbook reads it as Ansible does, but write ansible_host'],
        [file, 3, 'ansible_ssh_pass is the old name of ansible_password: runbook reads it as Ansible does, but write ansible_password'],
        [file, 3, 'ansible_ssh_user is the old name of ansible_user: runbook reads it as Ansible does, but write ansible_user'],
      ],
    );
    const env = { OLD_PASS: 'pw', HOME: '/nonexistent' };
    const old1 = await connectionFor(host(inv, 'old-1'), { ...env, SSH_AUTH_SOCK: '/agent' }, { knownHostsFile: '/kh' });
    assert.deepEqual([old1.address, old1.port, old1.username], ['127.0.0.1', 2830, 'ops']);
    const old2 = await connectionFor(host(inv, 'old-2'), env, { knownHostsFile: '/kh' });
    assert.deepEqual([old2.address, old2.port, old2.username, old2.password], ['127.0.0.2', 830, 'ops', 'pw']);
  });
});
