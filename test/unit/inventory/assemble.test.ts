import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assembleInventory } from '../../../src/inventory/assemble.ts';
import { Definitions } from '../../../src/inventory/definitions.ts';

const at = (line: number) => ({ file: 'mem.yml', line, column: 1 });

/** Builds definitions in memory: precedence needs no files. */
function defs(): Definitions {
  const d = new Definitions();
  const parent = d.group('parent', at(1));
  const child = d.group('child', at(2));
  const b = d.group('b', at(3));
  const a = d.group('a', at(4));
  assert.equal(d.addChild('parent', 'child'), undefined);
  d.groups.get('all')!.vars.set('v', { value: 'all', at: at(10) });
  parent.vars.set('v', { value: 'parent', at: at(11) });
  child.vars.set('v', { value: 'child', at: at(12) });
  a.vars.set('w', { value: 'a', at: at(13) });
  b.vars.set('w', { value: 'b', at: at(14) });
  const h = d.host('h', at(20));
  h.groups.add('child').add('a').add('b');
  child.hosts.add('h');
  a.hosts.add('h');
  b.hosts.add('h');
  return d;
}

describe('assembleInventory', () => {
  it('merges all < parent < child < host, and same-depth groups by name', () => {
    const d = defs();
    const { inventory, issues } = assembleInventory(d, ['mem.yml'], []);
    assert.deepEqual(issues, []);
    const h = inventory.hosts[0]!;
    assert.deepEqual(h.groups, ['all', 'a', 'b', 'parent', 'child']);
    assert.deepEqual(h.vars, { v: 'child', w: 'b' });
    assert.deepEqual(h.varsAt, { v: at(12), w: at(14) });
  });

  it('lets host vars win, group_vars files outrank inventory group vars, and host_vars win last', () => {
    const d = defs();
    d.groups.get('all')!.dirVars.set('v', { value: 'group_vars/all', at: at(30) });
    assert.equal(assembleInventory(d, [], []).inventory.hosts[0]!.vars.v, 'group_vars/all');
    d.hosts.get('h')!.vars.set('v', { value: 'host', at: at(31) });
    assert.equal(assembleInventory(d, [], []).inventory.hosts[0]!.vars.v, 'host');
    d.hosts.get('h')!.dirVars.set('v', { value: 'host_vars', at: at(32) });
    assert.equal(assembleInventory(d, [], []).inventory.hosts[0]!.vars.v, 'host_vars');
  });

  it('uses ansible_group_priority before names at the same depth', () => {
    const d = defs();
    d.groups.get('a')!.priority = 5;
    assert.deepEqual(assembleInventory(d, [], []).inventory.hosts[0]!.groups, ['all', 'b', 'parent', 'a', 'child']);
    assert.equal(assembleInventory(d, [], []).inventory.hosts[0]!.vars.w, 'a');
  });

  it('refuses a child link that would close a cycle, naming the cycle', () => {
    const d = defs();
    assert.deepEqual(d.addChild('child', 'parent'), ['child', 'parent', 'child']);
    assert.deepEqual(d.groups.get('child')!.children, []);
  });
});
