import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postChecksPort, preChecks } from '../../../src/engine/host-checks.ts';
import type { TableResult } from '../../../src/junos/table.ts';
import { parsePlaybook } from '../../../src/playbook/load.ts';

/** A playbook whose checks read `ah` (peer records) and may read `top` (the selected peers). */
function checksOf(checks: string) {
  return parsePlaybook(
    `name: checked
steps:
  - name: Collect
    register: ah
    collect: { rpc: get-flow-session-information, args: { protocol: ah }, item: flow-session, fields: { peer: "flow-information[direction='In']/source-address" } }
  - name: Top
    register: top
    analyze: { from: ah.records, pipeline: [{ count_by: peer }, { limit: 1 }] }
checks:
${checks}`,
    'c.yml',
  ).checks;
}

const table = (...peers: string[]): TableResult => ({ count: peers.length, records: peers.map((peer) => ({ peer })), nodes: [] });
const scope = { vars: {}, host: { name: 'h', groups: [] }, ah: table('a', 'a', 'b', 'c'), top: [{ peer: 'a', count: 2 }] };

describe('checks in a host run', () => {
  it('where keeps the records it holds for, in pre and post alike, decided over the scope before acting', async () => {
    const port = postChecksPort(checksOf('  - { table: ah, key: peer, field: $count, where: "$not(peer in top.peer)", list-not-less: true }\n'), scope);
    assert.deepEqual(port?.tables, ['ah']);
    // The selected peer a went: not checked. The unselected b kept its session.
    const fine = await port!.run({ ah: table('b', 'c') });
    assert.equal(fine.problem, undefined);
    assert.equal(fine.results[0]?.checked, 2);
    // c lost its session: named, with its figures.
    const lost = await port!.run({ ah: table('b') });
    assert.equal(lost.results[0]?.passed, false);
    assert.deepEqual(lost.results[0]?.failures.map((f) => [f.key, f.pre, f.post]), [[{ peer: 'c' }, 1, 0]]);
    assert.match(lost.problem ?? '', /^check 'list-not-less ah\.\$count by peer' \(pre → post\): peer=c: /);
  });

  it('pre checks read only single-snapshot checks on pre or both; the post port re-collects the tables the others read', async () => {
    const checks = checksOf(`  - { name: some, table: ah, field: peer, exists: true, on: pre }
  - { name: never, table: ah, field: peer, is-equal: z, on: both }
  - { table: ah, key: peer, field: $count, no-diff: true }
`);
    const pre = await preChecks(checks, scope);
    assert.deepEqual(pre.map((r) => [r.name, r.phase, r.passed]), [['some', 'pre', true], ['never', 'pre', false]]);
    const port = postChecksPort(checks, scope);
    assert.deepEqual(port?.tables, ['ah']);
    assert.deepEqual((await port!.run({ ah: table('a', 'a', 'b', 'c') })).results.map((r) => [r.phase, r.passed]), [['post', false], ['pre-post', true]]);
  });

  it('no post port when every check reads pre only', () => {
    assert.equal(postChecksPort(checksOf('  - { table: ah, field: peer, exists: true, on: pre }\n'), scope), undefined);
  });
});
