import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { PlaybookError } from '../../../src/playbook/errors.ts';
import { loadPlaybook, parsePlaybook } from '../../../src/playbook/load.ts';

/** A playbook with two collect steps (ah, summary) and the given `checks:` text. */
function playbook(checks: string): string {
  return `name: checked
steps:
  - name: Collect AH sessions
    register: ah
    collect:
      rpc: get-flow-session-information
      args: { protocol: ah }
      item: flow-session
      fields:
        peer: "flow-information[direction='In']/source-address"
  - name: Session summary
    register: summary
    collect:
      rpc: get-flow-session-information
      args: { summary: true }
      item: flow-session-summary-information
      fields: { node: $node, spu: $spu, used: { path: active-sessions, type: integer } }
  - name: Peers
    register: peers
    analyze: { from: ah.records, pipeline: [{ count_by: peer }] }
checks:
${checks}`;
}

function problems(checks: string): string[] {
  try {
    parsePlaybook(playbook(checks), 'c.yml');
  } catch (err) {
    assert.ok(err instanceof PlaybookError, String(err));
    return err.format().split('\n');
  }
  assert.fail('the playbook loaded');
}

describe('playbook checks:', () => {
  it('normalises each operator with its key, field, argument and snapshot', () => {
    const p = parsePlaybook(
      playbook(`  - { table: ah, key: peer, field: $count, list-not-less: true }
  - { name: sessions used, table: summary, key: [node, spu], field: used, delta: "-10%" }
  - { table: summary, field: used, in-range: [0, 1000], on: both, allow_empty: true }
  - { table: ah, field: $count, delta: "±20%" }
  - { table: summary, key: spu, field: used, is-gt: 0, on: pre }
`),
      'c.yml',
    );
    assert.deepEqual(
      p.checks.map(({ at: _at, ...c }) => c),
      [
        { name: 'list-not-less ah.$count by peer', table: 'ah', key: ['peer'], field: '$count', allowEmpty: false, op: 'list-not-less' },
        { name: 'sessions used', table: 'summary', key: ['node', 'spu'], field: 'used', allowEmpty: false, op: 'delta', bound: { text: '-10%', direction: 'down', amount: 10, percent: true } },
        { name: 'in-range summary.used', table: 'summary', key: [], field: 'used', allowEmpty: true, on: 'both', op: 'in-range', min: 0, max: 1000 },
        { name: 'delta ah.$count', table: 'ah', key: [], field: '$count', allowEmpty: false, op: 'delta', bound: { text: '±20%', direction: 'both', amount: 20, percent: true } },
        { name: 'is-gt summary.used by spu', table: 'summary', key: ['spu'], field: 'used', allowEmpty: false, on: 'pre', op: 'is-gt', value: 0 },
      ],
    );
    assert.deepEqual(p.checks[1]?.at, { file: 'c.yml', line: 23, column: 5 });
  });

  it('an unknown operator: the key, located, and what a check needs', () => {
    assert.deepEqual(problems('  - { table: ah, key: peer, field: peer, no-dif: true }\n'), [
      `c.yml:22:5: checks[0]: a check needs exactly one operator: no-diff, delta, list-not-less, list-not-more, in-range, is-equal, not-equal, is-gt, is-lt, all-same, exists, not-exists (found: none)`,
      `c.yml:22:42: checks[0]: unknown key 'no-dif' (expected one of: name, table, key, field, on, allow_empty, where, no-diff, delta, list-not-less, list-not-more, in-range, is-equal, not-equal, is-gt, is-lt, all-same, exists, not-exists)`,
    ]);
  });

  it('two operators in one check', () => {
    assert.deepEqual(problems('  - { table: ah, key: peer, field: peer, no-diff: true, exists: true }\n'), [
      `c.yml:22:5: checks[0]: a check needs exactly one operator: no-diff, delta, list-not-less, list-not-more, in-range, is-equal, not-equal, is-gt, is-lt, all-same, exists, not-exists (found: no-diff, exists)`,
    ]);
  });

  it('bad bounds: a delta that is not one, a bare number, an upside-down range', () => {
    assert.deepEqual(problems('  - { table: ah, key: peer, field: $count, delta: "10%%" }\n'), [
      `c.yml:22:51: checks[0].delta: delta "10%%" is not a bound: write "-10%" (falls by at most 10%), "+5" (rises by at most 5), "±20%" (either way)`,
    ]);
    assert.deepEqual(problems('  - { table: ah, key: peer, field: $count, delta: +5 }\n'), [`c.yml:22:51: checks[0].delta: delta 5: write the bound quoted ("+5", "-10%", "±20%"): YAML reads +5 as the number 5, its sign lost`]);
    assert.deepEqual(problems('  - { table: summary, field: used, in-range: [10, 1] }\n'), [`c.yml:22:46: checks[0].in-range: in-range [10, 1]: min is above max`]);
  });

  it('a table no collect step registers, naming those that do', () => {
    assert.deepEqual(problems('  - { table: peers, key: peer, field: count, no-diff: true }\n'), [
      `c.yml:22:14: checks[0].table: no collect step registers 'peers' (collect registers: ah, summary)`,
    ]);
  });

  it('a comparing operator without a key; a key or field the table lacks', () => {
    assert.deepEqual(problems('  - { table: summary, field: used, no-diff: true }\n'), [
      `c.yml:22:36: checks[0].no-diff: no-diff matches items across the pre and post snapshots by key: give key (the field(s) that name an item; summary has: node, spu, used), or field $count for the table's size`,
    ]);
    assert.deepEqual(problems('  - { table: summary, key: [node, fpc], field: usd, delta: "5" }\n'), [
      `c.yml:22:35: checks[0].key[1]: unknown field 'fpc' (summary has: node, spu, used)`,
      `c.yml:22:48: checks[0].field: unknown field 'usd' (summary has: node, spu, used)`,
    ]);
    assert.deepEqual(problems('  - { table: summary, key: spu, exists: true }\n'), [
      `c.yml:22:33: checks[0].exists: exists needs a field: the field it checks (summary has: node, spu, used, or $count)`,
    ]);
  });

  it('on: is for single-snapshot operators', () => {
    assert.deepEqual(problems('  - { table: ah, key: peer, field: peer, no-diff: true, on: post }\n'), [
      `c.yml:22:57: checks[0].on: no-diff compares the pre and post snapshots; on (pre, post, both) is for single-snapshot operators (in-range, is-equal, not-equal, is-gt, is-lt, all-same, exists, not-exists)`,
    ]);
  });

  it('where: an expression over the record\'s fields and the registers before acting, located when wrong', () => {
    const p = parsePlaybook(playbook('  - { table: ah, key: peer, field: $count, where: "$not(peer in peers.peer)", list-not-less: true }\n'), 'c.yml');
    assert.equal(p.checks[0]?.where?.source, '$not(peer in peers.peer)');
    assert.deepEqual(problems('  - { table: ah, key: peer, field: $count, where: "peeer = 1", list-not-less: true }\n'), [
      `c.yml:22:52: checks[0].where: unknown name 'peeer': not vars, host, a register of an earlier step or a loop variable (known here: vars, host, ah, summary, peers; record fields: peer)`,
    ]);
    assert.deepEqual(problems('  - { table: ah, key: peer, field: $count, where: "peer in (", list-not-less: true }\n'), [
      `c.yml:22:61: checks[0].where: expression 'peer in (' is not a valid expression: expected ")" before end of expression`,
    ]);
  });

  it('the shipped playbooks: ah-cleanup guards the peers not selected, the configuration changes the session summary', async () => {
    const checks: Record<string, string[]> = {};
    for (const file of readdirSync('playbooks').filter((f) => f.endsWith('.yml'))) {
      const p = await loadPlaybook(`playbooks/${file}`);
      checks[file] = p.checks.map((c) => `${c.op} ${c.table}.${c.field ?? ''} by ${c.key.join(',')}${c.where ? ` where ${c.where.source}` : ''}`);
    }
    assert.deepEqual(checks, {
      'ah-cleanup.yml': ['list-not-less ah.$count by peer where $not(peer in top.peer)'],
      'clear-sessions.yml': [],
      'flow-aging-baseline.yml': ['delta sessions.active by node,spu'],
      'multicast-leaf-timeout.yml': ['delta sessions.active by node,spu'],
      'session-table-guard.yml': [],
    });
  });
});
