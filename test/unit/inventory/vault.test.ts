import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { format, inspect } from 'node:util';
import { connectionFor } from '../../../src/inventory/connection.ts';
import { InventoryError } from '../../../src/inventory/errors.ts';
import { loadInventory } from '../../../src/inventory/load.ts';
import { VaultKeyring } from '../../../src/inventory/vault.ts';
import { fixture, host } from './helpers.ts';

// The fixture was encrypted with the real ansible-vault (Debian's ansible 2.14).
const DEFAULT_PW = readFileSync(fixture('ansible/vault/vault-pass.txt'), 'utf8').trim();
const PROD_PW = readFileSync(fixture('ansible/vault/prod-pass.txt'), 'utf8').trim();
const GROUP_SECRET = 'S3cret-Vault-Pw1';
const INLINE_SECRET = 'Pr0d-Inline-S3cret';
const INVENTORY = fixture('ansible/vault/hosts.ini');
const DEFAULTS = { knownHostsFile: '/kh' };

const keyring = (...pws: [string, string][]) => new VaultKeyring(pws.map(([label, password]) => ({ label, source: `${label}.txt`, password })));

async function loadError(vault: VaultKeyring): Promise<InventoryError> {
  try {
    await loadInventory([INVENTORY], { vault });
  } catch (err) {
    assert.ok(err instanceof InventoryError, String(err));
    return err;
  }
  assert.fail('loading should have failed');
}

describe('Ansible Vault in inventories', () => {
  it('decrypts vault files and inline !vault values (1.1 and 1.2 with a vault id); their vars are secrets', async () => {
    const inv = await loadInventory([INVENTORY], { vault: keyring(['default', DEFAULT_PW], ['prod', PROD_PW]) });
    const fw1 = host(inv, 'fw1');
    assert.deepEqual(new Set(fw1.secretVars), new Set(['vault_ansible_password', 'vault_snmp_community']));
    assert.equal(fw1.vars.ansible_password, '{{ vault_ansible_password }}');
    assert.equal((await connectionFor(fw1, {}, DEFAULTS)).password, GROUP_SECRET);
    const fw2 = host(inv, 'fw2');
    assert.ok(fw2.secretVars?.includes('ansible_password'));
    assert.equal((await connectionFor(fw2, {}, DEFAULTS)).password, INLINE_SECRET);
    assert.equal(fw2.vars.site, 'ams');
  });

  it('tries every password whatever the label, as Ansible does', async () => {
    const inv = await loadInventory([INVENTORY], { vault: keyring(['other', PROD_PW], ['default', DEFAULT_PW]) });
    assert.equal((await connectionFor(host(inv, 'fw2'), {}, DEFAULTS)).password, INLINE_SECRET);
  });

  it('a wrong vault password is one located error per encrypted place, naming no password', async () => {
    const err = await loadError(keyring(['default', 'not-the-password']));
    assert.deepEqual(
      err.issues.map((i) => [i.file, i.line, i.column, i.message]),
      [
        [fixture('ansible/vault/group_vars/all/vault.yml'), 1, 1, "cannot decrypt: no vault password given matches (tried 'default' (default.txt))"],
        [fixture('ansible/vault/host_vars/fw2.yml'), 2, 1, "ansible_password: cannot decrypt (vault id 'prod'): no vault password given matches (tried 'default' (default.txt))"],
      ],
    );
    for (const secret of ['not-the-password', DEFAULT_PW, GROUP_SECRET]) assert.ok(!err.message.includes(secret));
  });

  it('without any vault password, an encrypted file is an error (as in Ansible) and a vaulted password is skipped with a warning', async () => {
    const err = await loadError(keyring());
    assert.deepEqual(
      err.issues.map((i) => i.message),
      ['vault-encrypted, and no vault password was given: use --vault-password-file, --vault-id or --ask-vault-pass'],
    );
  });

  it('refuses a password variable that refers to a variable not from Vault', async () => {
    const inv = await loadInventory([INVENTORY], { vault: keyring(['default', DEFAULT_PW], ['prod', PROD_PW]) });
    const plain = { ...host(inv, 'fw1'), secretVars: [] };
    await assert.rejects(connectionFor(plain, {}, DEFAULTS), /ansible_password refers to vault_ansible_password, which is not vault-encrypted/);
  });

  it('never shows a password in the string forms of the keyring or of a loaded host', async () => {
    const ring = keyring(['default', DEFAULT_PW]);
    for (const text of [String(ring), inspect(ring, { showHidden: true, depth: 10 }), format('%o', ring), JSON.stringify(ring)]) {
      assert.ok(!text.includes(DEFAULT_PW), 'vault password shown');
    }
  });
});
