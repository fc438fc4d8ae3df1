import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { InventoryError } from '../../../src/inventory/errors.ts';
import { loadInventory } from '../../../src/inventory/load.ts';
import { fixture, issuesOf, load, located } from './helpers.ts';

describe('loadInventory: located errors', () => {
  it('reports YAML syntax errors with their position', async () => {
    const issues = await issuesOf('errors/syntax.yml');
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.file, fixture('errors/syntax.yml'));
    assert.deepEqual([issues[0]!.line, issues[0]!.column], [4, 5]);
    assert.match(issues[0]!.message, /^YAML syntax: Flow map/);
  });

  it('never quotes a value in syntax errors: it could be a password', async () => {
    const issues = await issuesOf('errors/syntax-secret.yml');
    assert.deepEqual(located(issues), [
      [4, 28, 'YAML syntax: invalid escape sequence in a double-quoted string'],
      [6, 26, 'YAML syntax: block scalar header (| or >) followed by other characters'],
    ]);
  });

  it('reports groups, hosts, hosts sections and vars that are not mappings', async () => {
    assert.deepEqual(located(await issuesOf('errors/not-mapping.yml')), [
      [3, 10, "group 'vpn' must be a mapping (hosts, vars, children) or empty, not a list"],
      [6, 15, "host 'srx3' must be a mapping of variables or empty, not a string"],
      [9, 9, "hosts of group 'core' must be a mapping of host names, each followed by ':', not a list"],
      [10, 13, "vars of group 'core' must be a mapping of variables, not a string"],
    ]);
  });

  it('reports cycles in children, and all as a child', async () => {
    assert.deepEqual(located(await issuesOf('errors/cycle.yml')), [
      [7, 13, "group 'a' under 'c' makes a cycle of children: c → a → b → c"],
      [10, 5, "group 'd' under 'd' makes a cycle of children: d → d"],
      [13, 5, "'all' cannot be a child of 'e': every group is already in 'all'"],
    ]);
  });

  it('reports values of the wrong type for the variables runbook reads', async () => {
    assert.deepEqual(located(await issuesOf('errors/bad-vars.yml')), [
      [3, 19, "ansible_port must be a port number (1-65535), not 'abc'"],
      [6, 21, "ansible_port must be a port number (1-65535), not '70000'"],
      [7, 21, "ansible_host must not be a template: runbook does not evaluate Jinja (only {{ lookup('env', 'VAR') }} in a password variable)"],
      [8, 29, 'runbook_password_env must be the name of an environment variable (letters, digits and _, not starting with a digit)'],
      [9, 22, "runbook_agent must be true or false, not 'sure'"],
      [10, 32, 'runbook_connect_timeout must be a number of seconds above 0, not -5'],
      [12, 32, "runbook_max_reply_bytes must be a number of bytes above 0 (a whole number, or with a unit: 64M, 8GiB), not '8 GB'"],
      [13, 23, "runbook_ticket must be a ticket id (a ticket id is one word: a letter or digit, then letters, digits and . _ : / # + @ - (no spaces, quotes or control characters)), not 'CHG 42'"],
      [17, 33, "ansible_group_priority must be a whole number, not 'high'"],
      [18, 19, 'lab_spus must be a whole number above 0, not 0'],
    ]);
  });

  it('reports duplicate keys, pointing back at the first', async () => {
    assert.deepEqual(located(await issuesOf('errors/duplicates.yml')), [
      [4, 5, "duplicate key 'ansible_user' (first at line 3)"],
      [8, 5, "duplicate key 'srx1' (first at line 6)"],
      [12, 1, "duplicate key 'edge' (first at line 9)"],
    ]);
  });

  it('reports an unknown key in a group (a typo would lose hosts)', async () => {
    assert.deepEqual(located(await issuesOf('errors/unknown-key.yml')), [
      [4, 7, "group 'vpn' has an unknown key 'host': a group has hosts, vars and children"],
    ]);
  });

  it('reports bad host ranges and ports', async () => {
    assert.deepEqual(located(await issuesOf('errors/bad-range.yml')), [
      [3, 5, "host range 'srx[05:1]': '05' and '1' must have the same number of digits"],
      [4, 5, "host range 'srx[1:x]': '1:x' is neither a number range nor a letter range"],
      [5, 5, "host range 'srx[01:100]': '01' and '100' must have the same number of digits"],
      [6, 5, "host range 'srx[1:3': '[' without ']'"],
      [7, 5, "port 99999 in 'srx[1:3]:99999' is not a port (1-65535)"],
    ]);
  });

  it('refuses literal passwords and unevaluated templates, without repeating the value', async () => {
    const issues = await issuesOf('errors/literal-password.yml');
    assert.deepEqual(
      issues.map((i) => [i.line, i.column]),
      [
        [6, 25],
        [8, 25],
        [10, 32],
      ],
    );
    assert.match(issues[0]!.message, /^ansible_password holds a literal password, and runbook never reads passwords from files: .*runbook_password_env: VAR or ansible_password: "\{\{ lookup\('env', 'VAR'\) \}\}"$/);
    assert.match(issues[1]!.message, /^ansible_ssh_pass is a template runbook does not evaluate/);
    assert.match(issues[2]!.message, /^ansible_become_password holds a literal password.*runbook does not use ansible_become_password/);
    const err = await load('errors/literal-password.yml').catch((e: unknown) => e);
    for (const text of [String(err), inspect(err), JSON.stringify(err), (err as Error).stack ?? '']) {
      assert.equal(text.includes('hunter2-literal'), false);
      assert.equal(text.includes('12345678'), false);
    }
  });

  it('checks lab variables as plain data; scenario and fault names are the lab wiring\'s (test/unit/cli/lab-wiring.test.ts)', async () => {
    assert.deepEqual(located(await issuesOf('errors/lab.yml')), [[8, 17, 'lab_seed must be a whole number from 0 to 4294967295, not -1']]);
  });

  it('without a vault password, refuses vault-encrypted values runbook would use; ignores a vaulted password with a warning', async () => {
    assert.deepEqual(located(await issuesOf('errors/vault.yml')), [
      [4, 7, 'ansible_user: vault-encrypted, and no vault password was given: use --vault-password-file, --vault-id or --ask-vault-pass'],
    ]);
  });

  it('explains empty files, INI mistakes (each at its line), plugin configurations and lists', async () => {
    assert.deepEqual(located(await issuesOf('errors/empty.yml')), [
      [1, 1, 'the file is empty: an inventory is a mapping of groups (all:, or groups at the top level)'],
    ]);
    assert.deepEqual(located(await issuesOf('errors/hosts.ini')), [
      [4, 1, 'host line: no closing quotation'],
      [5, 1, "host 'srx3': expected key=value after the host name, got 'ansible_host'"],
      [6, 1, 'ansible_port must be a port number (1-65535), not 99999'],
      [
        7,
        1,
        'ansible_password holds a literal password, and runbook never reads passwords from files: name an environment variable instead, with runbook_password_env: VAR or ansible_password: "{{ lookup(\'env\', \'VAR\') }}"',
      ],
      [8, 1, "host range 'srx[9:1]': 9 is more than 1"],
      [10, 1, "section [vpn:child] has an unknown type 'child': use [vpn], [vpn:vars] or [vpn:children]"],
      [13, 1, 'section [ghost:vars] is for a group that is never defined: ghost'],
      [17, 1, '[vpn:vars] lines are key = value'],
    ]);
    assert.deepEqual(located(await issuesOf('errors/plugin.yml')), [
      [1, 1, 'this is the configuration of an inventory plugin, which runbook does not run; give a YAML inventory'],
    ]);
    assert.deepEqual(located(await issuesOf('errors/list-root.yml')), [
      [1, 1, 'an inventory is a mapping of groups (all:, or groups at the top level), not a list'],
    ]);
  });

  it('reports a missing file by name', async () => {
    const missing = fixture('no-such.yml');
    await assert.rejects(loadInventory([missing]), (e: unknown) => {
      assert.ok(e instanceof InventoryError);
      assert.deepEqual(e.issues, [{ file: missing, line: 0, column: 0, message: 'no such inventory file or directory' }]);
      assert.equal(e.message, `${missing}: no such inventory file or directory`);
      return true;
    });
  });

  it('collects the problems of every file into one error, file by file, formatted file:line:column', async () => {
    await assert.rejects(load('errors/unknown-key.yml', 'errors/cycle.yml'), (e: unknown) => {
      assert.ok(e instanceof InventoryError);
      assert.deepEqual(
        e.issues.map((i) => [i.file, i.line]),
        [
          [fixture('errors/unknown-key.yml'), 4],
          [fixture('errors/cycle.yml'), 7],
          [fixture('errors/cycle.yml'), 10],
          [fixture('errors/cycle.yml'), 13],
        ],
      );
      assert.equal(
        e.message.split('\n')[0] + '\n' + e.message.split('\n')[1],
        `4 problems in the inventory:\n  ${fixture('errors/unknown-key.yml')}:4:7: group 'vpn' has an unknown key 'host': a group has hosts, vars and children`,
      );
      return true;
    });
  });
});

describe('loadInventory: warnings', () => {
  it('keeps vaulted values it does not read, and warns about a vaulted password it ignores', async () => {
    const inv = await load('vault-values.yml');
    assert.deepEqual(inv.hosts[0]!.vars, { snmp_community: '$ANSIBLE_VAULT;1.1;AES256\n6364\n' });
    assert.deepEqual(inv.warnings, [
      {
        file: fixture('vault-values.yml'),
        line: 5,
        column: 7,
        message: 'ansible_password ignored: vault-encrypted, and no vault password was given: use --vault-password-file, --vault-id or --ask-vault-pass',
      },
    ]);
  });
});
