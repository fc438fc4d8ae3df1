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
  it('are the hosts with lab_scenario and no ansible_host, with their request built from the lab variables as plain data', async () => {
    const inv = await load('lab-hosts.yml');
    const request = (name: string) => {
      const { at: _at, ...rest } = host(inv, name).lab!;
      return rest;
    };
    assert.deepEqual(request('lab-a'), { scenario: 'busy', seed: 7, overrides: {}, faults: ['drop'] });
    assert.deepEqual(request('lab-b'), {
      scenario: 'busy',
      seed: 1,
      overrides: { ahSessions: 20000, peers: 200, spus: 2, cluster: true },
      faults: ['slow', 'rpc-error-on-clear'],
      base11: true,
    });
    assert.deepEqual(request('lab-c'), { scenario: 'busy', seed: 1, overrides: {} }, 'seed 1 when lab_seed is not set');
    const at = host(inv, 'lab-a').lab!.at;
    assert.deepEqual([at.lab_scenario?.line, at.lab_scenario?.column, at.lab_fault?.line, at.lab_fault?.column], [5, 23, 7, 42], 'where each value was written, group vars included');
    assert.equal(JSON.parse(JSON.stringify(host(inv, 'lab-b').lab)).faults.length, 2, 'serialisable');
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
