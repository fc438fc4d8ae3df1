import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { flowSummary, type SpuSummary } from '../../../src/junos/tables/flow-session-summary.ts';
import { FIXTURES, runBoth, runFixture } from './helpers.ts';

/** The counters of the plain shape in field order, for compact expectations. */
const plain = (
  node: string | undefined,
  spu: string | undefined,
  [unicast, multicast, servicesOffload, failed, active, valid, pending, invalidated, other, max]: readonly (number | undefined)[],
): SpuSummary => {
  const e: Record<string, unknown> = { node, spu, unicast, multicast, servicesOffload, failed, active, valid, pending, invalidated, other, max };
  if (active !== undefined && max !== undefined) e.utilisation = active / max;
  e.filtered = false;
  for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
  return e as unknown as SpuSummary;
};

describe('flowSummary', () => {
  it('covers every summary capture in the fixture folder', () => {
    const tested = [
      'flow-session-summary-cluster-multi-spu.xml',
      'flow-session-summary-cluster-per-pic-20.3.xml',
      'flow-session-summary-filtered-cluster-20.2.xml',
      'flow-session-summary-filtered-multi-spu-20.2.xml',
      'flow-session-summary-filtered-per-pic-dcp-20.3.xml',
      'flow-session-summary-keepalive-19.4.xml',
      'flow-session-summary-multi-spu-per-pic-20.3.xml',
      'flow-session-summary-no-wrapper-blocks.xml',
      'flow-session-summary-protocol-filter-security-flow-information.xml',
      'flow-session-summary-pyez.xml',
      'flow-session-summary-single-spu.xml',
    ];
    assert.deepStrictEqual(readdirSync(FIXTURES).filter((f) => f.startsWith('flow-session-summary-')).sort(), tested);
  });

  it('15.1X49 cluster, multi-SPU: SPU ids from the block before each summary, both nodes summed', () => {
    const r = runFixture(flowSummary, 'flow-session-summary-cluster-multi-spu.xml');
    const max = 6291456;
    assert.deepStrictEqual(r.spus, [
      plain('node0', 'FPC0 PIC1', [0, 0, 0, 0, 0, 0, 0, 0, 0, max]),
      plain('node0', 'FPC0 PIC2', [0, 0, 0, 0, 0, 0, 0, 0, 0, max]),
      plain('node0', 'FPC0 PIC3', [0, 0, 0, 0, 0, 0, 0, 0, 0, max]),
      plain('node1', 'FPC0 PIC1', [0, 0, 0, 0, 1, 0, 0, 1, 0, max]),
      plain('node1', 'FPC0 PIC2', [2, 0, 0, 0, 3, 2, 0, 1, 0, max]),
      plain('node1', 'FPC0 PIC3', [2, 0, 0, 0, 4, 2, 0, 2, 0, max]),
    ]);
    assert.deepStrictEqual(r.totals, { unicast: 4, multicast: 0, servicesOffload: 0, failed: 0, active: 8, valid: 4, pending: 0, invalidated: 4, other: 0, max: 6 * max, utilisation: 8 / (6 * max) });
    assert.equal(r.byNode.node0.active, 0);
    assert.equal(r.byNode.node1.active, 8);
    assert.equal(r.byNode.node1.max, 3 * max);
    assert.equal(r.byNode.node1.utilisation, 8 / (3 * max));
  });

  it('20.3 per-pic shape on a branch cluster (no SPU ids)', () => {
    const r = runFixture(flowSummary, 'flow-session-summary-cluster-per-pic-20.3.xml');
    assert.deepStrictEqual(r.spus, [plain('node0', undefined, [0, 0, 0, 0, 0, 0, 0, 0, 0, 4194304]), plain('node1', undefined, [0, 0, 0, 0, 1, 0, 0, 1, 0, 4194304])]);
    assert.equal(r.totals.active, 1);
    assert.equal(r.totals.max, 8388608);
  });

  it('20.3 per-pic shape on a multi-SPU box: SPU from <flow-fpc-id>/<flow-pic-id>', () => {
    const r = runFixture(flowSummary, 'flow-session-summary-multi-spu-per-pic-20.3.xml');
    assert.deepStrictEqual(r.spus, [
      plain(undefined, 'FPC9 PIC1', [1, 0, 0, 0, 1, 1, 0, 0, 0, 6291456]),
      plain(undefined, 'FPC9 PIC2', [1, 0, 0, 0, 2, 1, 0, 0, 0, 6291456]),
      plain(undefined, 'FPC9 PIC3', [1, 0, 0, 0, 3, 1, 0, 0, 0, 6291456]),
    ]);
    assert.deepStrictEqual([r.totals.active, r.totals.unicast, r.totals.max], [6, 3, 18874368]);
    assert.deepStrictEqual(r.byNode, {});
  });

  it('19.4 summary with <!-- keep alive --> comments: 519192 of 524288 sessions', () => {
    const r = runFixture(flowSummary, 'flow-session-summary-keepalive-19.4.xml');
    assert.equal(r.spus.length, 1);
    assert.deepStrictEqual(r.spus[0], plain(undefined, undefined, [519192, 0, undefined, 0, 519192, 519192, 0, 0, 0, 524288]));
    assert.equal(r.totals.utilisation, 519192 / 524288);
    assert.ok(r.totals.utilisation! > 0.99);
  });

  for (const file of ['flow-session-summary-single-spu.xml', 'flow-session-summary-no-wrapper-blocks.xml', 'flow-session-summary-pyez.xml']) {
    it(`single-SPU summary: ${file}`, () => {
      const r = runFixture(flowSummary, file);
      assert.deepStrictEqual(r.spus, [plain(undefined, undefined, [4, 0, undefined, 0, 6, 4, 0, 2, 0, 524288])]);
      assert.equal(r.totals.active, 6);
      assert.equal(r.totals.utilisation, 6 / 524288);
    });
  }

  it('filtered shape on a cluster: displayed-session-* per node', () => {
    const r = runFixture(flowSummary, 'flow-session-summary-filtered-cluster-20.2.xml');
    assert.deepStrictEqual(r.spus, [
      { node: 'node0', valid: 0, pending: 0, invalidated: 0, other: 0, active: 0, filtered: true },
      { node: 'node1', valid: 0, pending: 0, invalidated: 0, other: 0, active: 0, filtered: true },
    ]);
    assert.deepStrictEqual(r.totals, { active: 0, valid: 0, pending: 0, invalidated: 0, other: 0 });
    assert.deepStrictEqual(Object.keys(r.byNode), ['node0', 'node1']);
  });

  it('filtered shape on a multi-SPU box: SPU id inside the same block', () => {
    const r = runFixture(flowSummary, 'flow-session-summary-filtered-multi-spu-20.2.xml');
    assert.deepStrictEqual(
      r.spus.map((s) => [s.spu, s.active, s.filtered]),
      [
        ['FPC6 PIC1', 0, true],
        ['FPC6 PIC2', 0, true],
        ['FPC6 PIC3', 0, true],
      ],
    );
  });

  it('filtered 20.3 per-pic dcp shape', () => {
    const r = runFixture(flowSummary, 'flow-session-summary-filtered-per-pic-dcp-20.3.xml');
    assert.deepStrictEqual(
      r.spus.map((s) => [s.spu, s.valid, s.active]),
      [
        ['FPC6 PIC1', 1, 1],
        ['FPC6 PIC2', 1, 1],
        ['FPC6 PIC3', 0, 0],
        ['FPC7 PIC0', 0, 0],
        ['FPC7 PIC1', 0, 0],
        ['FPC7 PIC2', 0, 0],
        ['FPC7 PIC3', 0, 0],
      ],
    );
    assert.equal(r.spus[0].max, undefined);
    assert.equal(r.totals.utilisation, undefined, 'no capacity in the filtered shape');
    assert.deepStrictEqual(r.totals, { active: 2, valid: 2, pending: 0, invalidated: 0, other: 0 });
  });

  it('filtered shape inside <security-flow-information>, without namespaces and without invalidated', () => {
    const r = runFixture(flowSummary, 'flow-session-summary-protocol-filter-security-flow-information.xml');
    assert.deepStrictEqual(r.spus, [{ valid: 128, pending: 0, other: 0, active: 128, filtered: true }]);
    assert.equal(r.totals.invalidated, undefined);
  });

  it('reads nothing from an empty reply', () => {
    assert.deepStrictEqual(runBoth(flowSummary, '<rpc-reply/>'), { spus: [], totals: {}, byNode: {} });
  });
});
