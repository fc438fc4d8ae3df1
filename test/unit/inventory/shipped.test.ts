import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connectionFor } from '../../../src/inventory/connection.ts';
import { CredentialError } from '../../../src/inventory/errors.ts';
import { selectHosts } from '../../../src/inventory/limit.ts';
import { loadInventory } from '../../../src/inventory/load.ts';
import { resolveScenario } from '../../../src/lab/scenarios.ts';
import { host, repoFile } from './helpers.ts';

describe('inventory/lab.yml (the default inventory)', () => {
  it('has five lab hosts: four busy standalone devices seeded 1..4 and a cluster', async () => {
    const inv = await loadInventory([repoFile('inventory/lab.yml')]);
    assert.deepEqual(
      inv.hosts.map((h) => [h.name, h.lab?.scenario, h.lab?.seed]),
      [
        ['lab-srx-01', 'busy', 1],
        ['lab-srx-02', 'busy', 2],
        ['lab-srx-03', 'busy', 3],
        ['lab-srx-04', 'busy', 4],
        ['lab-srx-05', 'cluster', 5],
      ],
    );
    assert.deepEqual(inv.groups.get('standalone'), ['lab-srx-01', 'lab-srx-02', 'lab-srx-03', 'lab-srx-04']);
    assert.deepEqual(inv.groups.get('cluster'), ['lab-srx-05']);
    assert.equal(inv.groups.get('lab')?.length, 5);
    assert.deepEqual(
      selectHosts(inv, 'all').map((h) => h.name),
      inv.hosts.map((h) => h.name),
    );
    assert.deepEqual(inv.warnings, []);
  });

  it('has exactly one quiet host, below the playbook default of 10000 AH sessions', async () => {
    const inv = await loadInventory([repoFile('inventory/lab.yml')]);
    const quiet = inv.hosts.filter((h) => resolveScenario(h.lab!.scenario, { ...h.lab!.overrides, seed: h.lab!.seed }).ahSessions < 10_000);
    assert.deepEqual(
      quiet.map((h) => h.name),
      ['lab-srx-03'],
    );
  });
});

describe('inventory/example.yml', () => {
  it('loads, with hosts in a site group and a role group each', async () => {
    const inv = await loadInventory([repoFile('inventory/example.yml')]);
    assert.deepEqual(
      inv.hosts.map((h) => h.name),
      ['srx-ams-vpn-01', 'srx-ams-vpn-02', 'srx-ams-edge-01', 'srx-fra-vpn-01', 'srx-fra-edge-01.example.net', 'srx-fra-edge-02.example.net'],
    );
    assert.ok(inv.hosts.every((h) => h.lab === undefined));
    assert.deepEqual(host(inv, 'srx-ams-vpn-01').groups, ['all', 'ams', 'vpn', 'ams_vpn']);
    assert.deepEqual(
      selectHosts(inv, 'all', 'vpn:&ams').map((h) => h.name),
      ['srx-ams-vpn-01', 'srx-ams-vpn-02'],
    );
    assert.equal(host(inv, 'srx-fra-edge-02.example.net').vars.runbook_rpc_timeout, 120);
    assert.equal(host(inv, 'srx-fra-vpn-01').vars.runbook_rpc_timeout, 300);
  });

  it('gives Amsterdam a password from JUNOS_PASSWORD and Frankfurt a key file', async () => {
    const inv = await loadInventory([repoFile('inventory/example.yml')]);
    const home = await mkdtemp(join(tmpdir(), 'runbook-home-'));
    try {
      const ams = await connectionFor(host(inv, 'srx-ams-vpn-02'), { HOME: home, JUNOS_PASSWORD: 'pw' }, { knownHostsFile: '/unused' });
      assert.deepEqual(
        { ...ams },
        {
          name: 'srx-ams-vpn-02',
          address: '192.0.2.12',
          port: 830,
          username: 'netops',
          knownHostsFile: join(home, '.ssh/known_hosts_srx'),
          connectTimeoutMs: 30_000,
          rpcTimeoutMs: 300_000,
          password: 'pw',
        },
      );

      const fra = host(inv, 'srx-fra-edge-01.example.net');
      await assert.rejects(
        connectionFor(fra, { HOME: home }, { knownHostsFile: '/unused' }),
        (e: unknown) => e instanceof CredentialError && e.variable === 'ansible_ssh_private_key_file' && e.message.includes('does not exist'),
      );
      await mkdir(join(home, '.ssh'));
      await writeFile(join(home, '.ssh/id_ed25519_srx'), 'key');
      const c = await connectionFor(fra, { HOME: home }, { knownHostsFile: '/unused' });
      assert.equal(c.address, 'srx-fra-edge-01.example.net');
      assert.equal(c.username, 'svc-runbook');
      assert.deepEqual(c.privateKey, Buffer.from('key'));
      assert.equal(c.password, undefined);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
