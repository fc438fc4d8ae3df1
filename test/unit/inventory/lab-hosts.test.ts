import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connectionFor } from '../../../src/inventory/connection.ts';
import { loadInventory } from '../../../src/inventory/load.ts';
import { labInventoryYaml } from '../../../src/lab/inventory-file.ts';
import { host, load } from './helpers.ts';

describe('lab hosts', () => {
  it('are the hosts with lab_scenario and no ansible_host, with their request built from the lab variables', async () => {
    const inv = await load('lab-hosts.yml');
    assert.deepEqual(host(inv, 'lab-a').lab, {
      scenario: 'busy',
      seed: 7,
      overrides: {},
      faults: { dropAfterBytes: 4096, rpcs: ['get-flow-session-information'] },
    });
    assert.deepEqual(host(inv, 'lab-b').lab, {
      scenario: 'busy',
      seed: 1,
      overrides: { ahSessions: 20000, peers: 200, spus: 2, cluster: true },
      faults: {
        slowMs: 5000,
        rpcErrorOn: ['clear-ike-security-association', 'clear-ipsec-security-association', 'clear-flow-session'],
      },
      base11: true,
    });
    assert.deepEqual(host(inv, 'lab-c').lab, { scenario: 'busy', seed: 1, overrides: {} }, 'seed 1 when lab_seed is not set');
    assert.equal(host(inv, 'served').lab, undefined, 'an ansible_host makes it a device to connect to');
  });

  it('reads the inventory `runbook lab serve --inventory-out` writes: running devices, not lab hosts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'runbook-inv-'));
    try {
      const clientKey = join(dir, 'client_ed25519');
      const knownHosts = join(dir, 'known_hosts');
      await writeFile(clientKey, 'key bytes');
      const file = join(dir, 'lab-inventory.yml');
      await writeFile(
        file,
        labInventoryYaml(
          [
            { name: 'lab-srx-01', address: '127.0.0.1', port: 10830, scenario: 'busy', seed: 1 },
            { name: 'lab-srx-02', address: '127.0.0.1', port: 10831, scenario: 'busy', seed: 2 },
          ],
          { knownHosts, clientKey },
        ),
      );
      const inv = await loadInventory([file]);
      assert.deepEqual(inv.groups.get('lab'), ['lab-srx-01', 'lab-srx-02']);
      const h = host(inv, 'lab-srx-02');
      assert.equal(h.lab, undefined);
      const c = await connectionFor(h, {}, { knownHostsFile: '/unused' });
      assert.deepEqual(
        { ...c },
        { name: 'lab-srx-02', address: '127.0.0.1', port: 10831, username: 'lab', knownHostsFile: knownHosts, privateKey: Buffer.from('key bytes') },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
