import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idsLine, reviewedRunIds, runIdsFor } from '../../../src/cli/run-ids.ts';
import { UsageError } from '../../../src/cli/errors.ts';
import { newRunId, ticketProblem } from '../../../src/contracts/run-ids.ts';
import type { InventoryHost } from '../../../src/inventory/types.ts';
import { commitLog } from '../../../src/steps/commit-log.ts';

const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{8}$/;

function host(name: string, ticket?: string | number): InventoryHost {
  return {
    name,
    groups: ['all'],
    vars: ticket !== undefined ? { runbook_ticket: ticket } : {},
    varsAt: ticket !== undefined ? { runbook_ticket: { file: 'inv.yml', line: 4, column: 23 } } : {},
    at: { file: 'inv.yml', line: 3, column: 5 },
  } as unknown as InventoryHost;
}

describe('run ids', () => {
  it('a run id is the UTC start to the second and 32 random bits: it sorts by time', () => {
    assert.equal(newRunId(new Date('2026-12-04T22:06:02.123Z'), Buffer.from([0x3f, 0x9a, 0x61, 0xc2])), '20261204T220602Z-3f9a61c2');
    const ids = [newRunId(new Date('2026-01-02T00:00:00Z')), newRunId(new Date('2025-12-31T23:59:59Z')), newRunId(new Date('2026-01-01T09:00:00Z'))];
    assert.ok(ids.every((id) => RUN_ID.test(id)), ids.join(' '));
    assert.deepEqual([...ids].sort(), [ids[1], ids[2], ids[0]]);
    assert.notEqual(newRunId(), newRunId());
  });

  it('a ticket is one printable word of at most 64 characters', () => {
    for (const ok of ['CHG0012345', 'OPS-42', 'INC#7', 'jira:NET/12', '12345', 'a'.repeat(64)]) assert.equal(ticketProblem(ok), undefined, ok);
    for (const bad of ['', 'CHG 1', 'CHG\n1', '"CHG1"', '-CHG', 'CHG\u001b[2J', 'é1', 'a'.repeat(65)]) assert.ok(ticketProblem(bad), JSON.stringify(bad));
  });

  it('the commit comment: runbook, run id, ticket (- without), playbook file name, then the step\'s own text', () => {
    const ids = { runId: '20261204T220602Z-3f9a61c2', ticket: 'CHG-42' };
    assert.equal(commitLog(ids, 'playbooks/flow-aging-baseline.yml', ''), 'runbook 20261204T220602Z-3f9a61c2 CHG-42 flow-aging-baseline.yml');
    assert.equal(commitLog(ids, 'a.yml', 'baseline for DC2'), 'runbook 20261204T220602Z-3f9a61c2 CHG-42 a.yml | baseline for DC2');
    assert.equal(commitLog({ runId: 'r1' }, 'a.yml', ''), 'runbook r1 - a.yml');
  });

  it('the ticket: --ticket, else the playbook\'s, else the inventory\'s; hosts that disagree are an error naming where', () => {
    assert.equal(runIdsFor('CHG-1', { ticket: 'CHG-2' }, [host('a', 'CHG-3')]).ticket, 'CHG-1');
    assert.equal(runIdsFor(undefined, { ticket: 'CHG-2' }, [host('a', 'CHG-3')]).ticket, 'CHG-2');
    assert.equal(runIdsFor(undefined, {}, [host('a', 'CHG-3'), host('b', 'CHG-3'), host('c')]).ticket, 'CHG-3');
    assert.equal(runIdsFor(undefined, {}, [host('a', 12345)]).ticket, '12345');
    const none = runIdsFor(undefined, {}, [host('a')]);
    assert.equal(none.ticket, undefined);
    assert.match(none.runId, RUN_ID);
    assert.throws(() => runIdsFor(undefined, {}, [host('a', 'CHG-3'), host('b', 'CHG-4')]), (e: unknown) => e instanceof UsageError && /a: CHG-3 \(inv\.yml:4:23\)\n {2}b: CHG-4/.test(e.message));
    assert.throws(() => runIdsFor('CHG 1', {}, []), (e: unknown) => e instanceof UsageError && e.message.startsWith('--ticket "CHG 1": a ticket id is one word'));
  });

  it('apply --plan: the plan\'s ticket, which --ticket may repeat but not change', () => {
    assert.equal(reviewedRunIds(undefined, 'CHG-1', 'p.json').ticket, 'CHG-1');
    assert.equal(reviewedRunIds('CHG-1', 'CHG-1', 'p.json').ticket, 'CHG-1');
    assert.throws(() => reviewedRunIds('CHG-2', 'CHG-1', 'p.json'), (e: unknown) => e instanceof UsageError && /^--ticket CHG-2: p\.json was reviewed under ticket CHG-1; refusing/.test(e.message));
    assert.throws(() => reviewedRunIds('CHG-2', undefined, 'p.json'), /reviewed under no ticket/);
    assert.equal(idsLine({ runId: 'r1', ticket: 'CHG-1' }), 'runbook: run r1, ticket CHG-1');
    assert.equal(idsLine({ runId: 'r1' }), 'runbook: run r1, no ticket');
  });
});
