/**
 * runbook reads inventories as Ansible does: for each fixture, the hosts, their groups
 * and every host's merged variables equal what the real `ansible-inventory --list`
 * prints (Debian package `ansible`). Skipped, with the reason, where Ansible is not
 * installed; .ci/run installs it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadInventory } from '../../src/inventory/load.ts';
import { VaultKeyring } from '../../src/inventory/vault.ts';
import { inventoryGraph, inventoryList } from '../../src/inventory/views.ts';
import { ansibleInventoryList, ansibleInventoryText, ansibleUnavailable, decryptInlineVault, resolvedFromAnsible, resolvedFromRunbook, type AnsibleList } from '../helpers/ansible.ts';

function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/inventory/${name}`, import.meta.url));
}

const CASES: readonly (readonly string[])[] = [
  ['ansible/ini/hosts.ini'],
  ['ansible/mixed'],
  ['ansible/aliases/hosts'],
  ['nested.yml'],
  ['ranges.yml'],
  ['precedence'],
  ['dir-source'],
  ['ansible/ini/hosts.ini', 'ansible/mixed'],
];

describe('inventories as ansible-inventory --list reads them', () => {
  let unavailable: string | undefined;
  before(async () => {
    unavailable = await ansibleUnavailable();
  });

  for (const names of CASES) {
    it(`-i ${names.join(' -i ')}`, async (t: TestContext) => {
      if (unavailable) return t.skip(unavailable);
      const paths = names.map(fixture);
      const expected = resolvedFromAnsible(await ansibleInventoryList(paths));
      const inventory = await loadInventory(paths);
      assert.deepEqual(resolvedFromRunbook(inventory), expected);
      // runbook inventory --list and --graph show the same as ansible-inventory's.
      assert.deepEqual(resolvedFromAnsible(inventoryList(inventory) as unknown as AnsibleList), expected);
      assert.equal(inventoryGraph(inventory).join('\n') + '\n', await ansibleInventoryText(paths, ['--graph']));
    });
  }

  it('decrypts vault files and inline !vault values as Ansible does (compared, never printed)', async (t: TestContext) => {
    if (unavailable) return t.skip(unavailable);
    const dir = fixture('ansible/vault');
    const ids = ['--vault-id', `default@${join(dir, 'vault-pass.txt')}`, '--vault-id', `prod@${join(dir, 'prod-pass.txt')}`];
    const list = await decryptInlineVault(await ansibleInventoryList([join(dir, 'hosts.ini')], ids), ids);
    const vault = new VaultKeyring([
      { label: 'default', source: 'vault-pass.txt', password: (await readFile(join(dir, 'vault-pass.txt'), 'utf8')).trim() },
      { label: 'prod', source: 'prod-pass.txt', password: (await readFile(join(dir, 'prod-pass.txt'), 'utf8')).trim() },
    ]);
    const actual = resolvedFromRunbook(await loadInventory([join(dir, 'hosts.ini')], { vault }));
    const expected = resolvedFromAnsible(list);
    assert.deepEqual(actual.groups, expected.groups);
    for (const [name, vars] of Object.entries(expected.hostvars)) {
      assert.deepEqual(Object.keys(actual.hostvars[name] ?? {}).sort(), Object.keys(vars).sort(), `${name}: variable names`);
      for (const [k, v] of Object.entries(vars)) assert.ok(isDeepStrictEqual(actual.hostvars[name]![k], v), `${name}: ${k} differs (values not shown)`);
    }
  });

  it('reads the JSON ansible-inventory --list prints back to the same hosts and vars', async (t: TestContext) => {
    if (unavailable) return t.skip(unavailable);
    const list = await ansibleInventoryList([fixture('ansible/ini/hosts.ini'), fixture('ansible/mixed')]);
    const dir = await mkdtemp(join(tmpdir(), 'runbook-list-json-'));
    const file = join(dir, 'inventory.json');
    await writeFile(file, JSON.stringify(list, null, 2));
    assert.deepEqual(resolvedFromRunbook(await loadInventory([file])), resolvedFromAnsible(list));
  });
});
