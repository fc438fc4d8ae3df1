import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tableExtractor } from '../../../src/junos/table.ts';
import { IPSEC_SAS } from '../../../src/junos/tables/index.ts';
import { parsePlaybook } from '../../../src/playbook/load.ts';
import type { CollectStep } from '../../../src/playbook/types.ts';
import { fixture, runBoth } from '../junos/helpers.ts';

const playbook = (collect: string) => parsePlaybook(`name: Named\nsteps:\n  - name: Read\n    register: t\n    collect:\n${collect}\n`, 'named.yml');

describe('collect with a named table', () => {
  it('table: ipsec-sas gives the step the table\'s RPC, item and fields, which read the reply as the table does', () => {
    const step = playbook('      table: ipsec-sas').steps[0] as CollectStep;
    assert.deepStrictEqual([step.rpc, step.item, step.fields], [IPSEC_SAS.rpc, IPSEC_SAS.spec.item, IPSEC_SAS.spec.fields]);
    // The collect runner builds its reader from the step's item and fields alone.
    const r = runBoth(() => tableExtractor({ item: step.item, fields: step.fields }), fixture('ipsec-sa-brief-18.4.xml'));
    assert.deepStrictEqual(r.records.map((s) => [s.tunnelIndex, s.remoteGateway, s.direction]).slice(0, 2), [[231076, '1.1.1.1', 'inbound'], [231076, '1.1.1.1', 'outbound']]);
    assert.equal(r.count, 8);
  });

  it('gives a playbook flat records: a list field (flow-sessions\' wings) stays in the view', () => {
    const step = playbook('      table: flow-sessions').steps[0] as CollectStep;
    const names = step.fields.map((f) => f.name);
    assert.ok(!names.includes('wings'));
    assert.deepStrictEqual(names.slice(0, 2), ['sessionId', 'status']);
    assert.ok(names.includes('sourceAddress') && names.includes('spu'));
  });

  it("adds the table's selecting arguments to the step's own", () => {
    const step = playbook('      table: flow-session-summary\n      args: { protocol: ah }').steps[0] as CollectStep;
    assert.equal(step.rpc, 'get-flow-session-information');
    assert.deepStrictEqual(Object.keys(step.args).sort(), ['protocol', 'summary']);
  });

  it("lets later steps name the table's fields, and refuses others", () => {
    assert.doesNotThrow(() => parsePlaybook('name: N\nsteps:\n  - name: Read\n    register: s\n    collect: { table: flow-sessions }\n  - name: Peers\n    analyze:\n      from: s.records\n      pipeline:\n        - count_by: sourceAddress\n', 'n.yml'));
    assert.throws(
      () => parsePlaybook('name: N\nsteps:\n  - name: Read\n    register: s\n    collect: { table: flow-sessions }\n  - name: Peers\n    analyze:\n      from: s.records\n      pipeline:\n        - count_by: peer\n', 'n.yml'),
      /n\.yml:10:21: .*unknown field 'peer'/,
    );
  });
});
