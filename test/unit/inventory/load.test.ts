import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadInventory } from '../../../src/inventory/load.ts';
import { fixture, host, load } from './helpers.ts';

describe('loadInventory: structure', () => {
  it('reads nested children to any depth, top-level groups without all:, and hosts in several groups', async () => {
    const inv = await load('nested.yml');
    assert.deepEqual(
      inv.hosts.map((h) => h.name),
      ['deep-host', 'other-host', 'loner'],
    );
    const deep = host(inv, 'deep-host');
    // Precedence order: all, then by depth, same depth alphabetical.
    assert.deepEqual(deep.groups, ['all', 'dc', 'row1', 'row2', 'rack1', 'unit1']);
    assert.deepEqual(deep.vars, { ansible_host: '192.0.2.99' });
    assert.deepEqual(deep.at, { file: fixture('nested.yml'), line: 10, column: 17 });
    assert.deepEqual(host(inv, 'loner').groups, ['all', 'standalone-group']);
    assert.deepEqual(Object.fromEntries(inv.groups), {
      all: ['deep-host', 'other-host', 'loner'],
      ungrouped: [],
      dc: ['deep-host', 'other-host'],
      row1: ['deep-host'],
      rack1: ['deep-host'],
      unit1: ['deep-host'],
      row2: ['deep-host', 'other-host'],
      'standalone-group': ['loner'],
      'empty-group': [],
    });
    assert.deepEqual(inv.children.get('all'), ['ungrouped', 'dc', 'standalone-group', 'empty-group']);
    assert.deepEqual(inv.children.get('row1'), ['rack1']);
    assert.deepEqual(inv.files, [fixture('nested.yml')]);
    assert.deepEqual(inv.warnings, []);
  });

  it('expands host ranges, reads name:port keys, single-name sections and << merges', async () => {
    const inv = await load('ranges.yml');
    assert.deepEqual(
      inv.hosts.map((h) => h.name),
      [
        'srx01.example.net',
        'srx02.example.net',
        'srx03.example.net',
        'db-a',
        'db-b',
        'db-c',
        'node1',
        'node3',
        'node5',
        'edge1-x',
        'edge1-y',
        'edge2-x',
        'edge2-y',
        'srx-ams',
        '2001:db8::1',
        '2001:db8::2',
        'lone-host',
        'm1',
      ],
    );
    assert.deepEqual(host(inv, 'srx02.example.net').vars, { role: 'edge' });
    assert.deepEqual(host(inv, 'srx-ams').vars, { ansible_port: 2222 });
    assert.deepEqual(host(inv, '2001:db8::1').vars, { ansible_port: 8300 });
    assert.deepEqual(host(inv, '2001:db8::2').vars, {});
    // Hosts directly under all: are 'ungrouped', as in Ansible.
    assert.deepEqual(host(inv, 'db-a').groups, ['all', 'ungrouped']);
    assert.deepEqual(inv.groups.get('short'), ['lone-host']);
    assert.deepEqual(inv.children.get('short'), ['other-short']);
    // The group's explicit role wins over its merge; the host's own vars (an alias) win over the group.
    assert.deepEqual(host(inv, 'm1').vars, { role: 'merged', ansible_user: 'netops' });
  });

  it('reads YAML as Ansible (YAML 1.1) does: yes is true', async () => {
    const inv = await load('precedence/base.yml');
    assert.equal(host(inv, 'gw1').vars.from_all, true);
  });

  it('returns an empty inventory for no files', async () => {
    const inv = await loadInventory([]);
    assert.deepEqual(inv.hosts, []);
    assert.deepEqual([...inv.groups.keys()], ['all', 'ungrouped']);
  });
});

describe('loadInventory: variable precedence', () => {
  it('all < parent < child < host; same depth sorts by priority then name, the later winning', async () => {
    const inv = await load('precedence/base.yml');
    const gw1 = host(inv, 'gw1');
    assert.deepEqual(gw1.groups, ['all', 'alpha', 'site', 'vpn']);
    assert.equal(gw1.vars.level, 'host');
    assert.equal(gw1.vars.site_name, 'ams', "site (depth 1) sorts after alpha (depth 1): site's value");
    assert.deepEqual(gw1.varsAt.level, { file: fixture('precedence/base.yml'), line: 19, column: 15 });

    const gw2 = host(inv, 'gw2');
    assert.deepEqual(gw2.groups, ['all', 'site', 'zeta', 'backup', 'vpn']);
    assert.equal(gw2.vars.level, 'vpn', 'vpn and backup are both depth 2: vpn sorts later');
    assert.equal(gw2.vars.site_name, 'zeta', 'zeta sorts after site at depth 1');
    assert.equal(gw2.vars.only_backup, 1);

    const gw3 = host(inv, 'gw3');
    assert.deepEqual(gw3.groups, ['all', 'zeta', 'aaa'], 'ansible_group_priority 10 puts aaa after zeta');
    assert.equal(gw3.vars.site_name, 'aaa');
    assert.equal(gw3.vars.level, 'all');
    assert.equal('ansible_group_priority' in gw3.vars, false, "a group's priority is not a variable");
  });

  it("a group's depth is its longest path from all, wherever else it is written", async () => {
    const inv = await load('precedence/base.yml');
    const gw4 = host(inv, 'gw4');
    assert.deepEqual(gw4.groups, ['all', 'site', 'vpn', 'shared']);
    assert.equal(gw4.vars.level, 'shared');
    assert.equal(inv.children.get('all')?.includes('shared'), false);
  });

  it('later -i files add hosts and groups and override variables', async () => {
    const inv = await load('precedence/base.yml', 'precedence/override.yml');
    assert.deepEqual(
      inv.hosts.map((h) => h.name),
      ['gw1', 'gw2', 'gw4', 'gw3', 'gw5'],
    );
    const gw1 = host(inv, 'gw1');
    assert.deepEqual(gw1.groups, ['all', 'alpha', 'newgroup', 'site', 'vpn']);
    assert.equal(gw1.vars.level, 'host-2');
    assert.equal(gw1.vars.extra, 'from-override');
    assert.equal(gw1.vars.site_name, 'ams-2');
    assert.equal(gw1.varsAt.site_name?.file, fixture('precedence/override.yml'));
    // First defined in base.yml, so that is where it is.
    assert.equal(gw1.at.file, fixture('precedence/base.yml'));
    assert.deepEqual(host(inv, 'gw5').groups, ['all', 'site']);
    assert.equal(host(inv, 'gw5').vars.level, 'site');
    assert.deepEqual(inv.files, [fixture('precedence/base.yml'), fixture('precedence/override.yml')]);
  });

  it('reads group_vars/ and host_vars/ beside the inventory, with Ansible precedence', async () => {
    const inv = await load('vars-dirs/hosts.yml');
    const h1 = host(inv, 'h1');
    const h2 = host(inv, 'h2');
    assert.equal(h1.vars.role, 'hostvars-h1');
    assert.equal(h1.varsAt.role?.file, fixture('vars-dirs/host_vars/h1.yml'));
    assert.equal(h2.vars.role, 'groupvars-all', "every group_vars file outranks the inventory file's group vars");
    assert.equal(h1.vars.ntp, 'groupvars-all');
    assert.equal(h2.vars.dns, 'site-dns-2', 'files of a group_vars directory are read in order');
    assert.equal(h2.vars.site_only, true);
    assert.equal('notes' in h2.vars, false, 'only .yml, .yaml, .json and bare files are vars files');
    assert.deepEqual(inv.warnings, []);
  });

  it('reads a directory given as -i: its inventory files sorted and recursively, and its group_vars', async () => {
    const inv = await load('dir-source');
    assert.deepEqual(inv.files, [fixture('dir-source/10-lab.yml'), fixture('dir-source/20-prod.yaml'), fixture('dir-source/sub/30-more.json')]);
    assert.deepEqual(
      inv.hosts.map((h) => [h.name, h.vars.origin]),
      [
        ['d1', '20-prod'],
        ['d2', undefined],
        ['d3', 'json'],
      ],
    );
    assert.equal(host(inv, 'd2').vars.from_group_vars, true);
    assert.equal(host(inv, 'd3').vars.from_group_vars, undefined);
  });
});
