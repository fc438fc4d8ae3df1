import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chalk } from 'chalk';
import { hostSectionLines } from '../../../src/cli/render/fleet-table.ts';
import { CLEAR_IKE, hostResult, runResult } from '../../helpers/run-results.ts';

const style = new Chalk({ level: 0 });

/** n hosts: every tenth changed, host 7 failed, host 13 unreachable, the rest ok. */
function fleet(n: number) {
  return runResult(
    Array.from({ length: n }, (_, i) => {
      const name = `srx-${String(i).padStart(3, '0')}`;
      if (i === 7) return hostResult(name, 'failed', { error: { phase: 'collect', kind: 'rpc-error', message: 'flow session table busy', step: 'Collect AH sessions' } });
      if (i === 13) return hostResult(name, 'unreachable', { error: { phase: 'connect', kind: 'timeout', message: 'no answer within 10 s' } });
      if (i % 10 === 0) return hostResult(name, 'changed', { plan: [CLEAR_IKE], log: [{ level: 1, text: 'Top talkers: 10.0.0.1' }] });
      return hostResult(name, 'ok', { log: [{ level: 1, text: 'nothing to do' }] });
    }),
  );
}

describe('per-host output at fleet scale', () => {
  it('up to 50 hosts: a block per host, as before', () => {
    const lines = [...hostSectionLines(fleet(50), 1, style, {})];
    assert.equal(lines.filter((l) => /^srx-\d+ \(/.test(l)).length, 50);
    assert.ok(lines.includes('  nothing to do'));
  });

  it('above 50 hosts: one table of the changed, failed and unreachable hosts, and where the rest is', () => {
    const lines = [...hostSectionLines(fleet(120), 1, style, { report: 'run.json', html: 'run.html' })];
    assert.equal(lines[0], '14 of 120 hosts changed (would change), failed or were unreachable; 106 ok or skipped not listed');
    const rows = lines.filter((l) => /^srx-\d+ /.test(l));
    assert.deepEqual(
      rows.map((r) => r.split(/\s+/).slice(0, 2).join(' ')),
      ['srx-000 changed', 'srx-007 failed', 'srx-010 changed', 'srx-013 unreachable', 'srx-020 changed', 'srx-030 changed', 'srx-040 changed', 'srx-050 changed', 'srx-060 changed', 'srx-070 changed', 'srx-080 changed', 'srx-090 changed', 'srx-100 changed', 'srx-110 changed'],
    );
    assert.match(rows[1]!, /Collect AH sessions: rpc-error: flow session table busy$/);
    assert.match(rows[3]!, /timeout: no answer within 10 s$/);
    assert.ok(!lines.includes('  nothing to do'), 'no per-host block');
    assert.ok(lines.includes("Every host's statements, evidence and log: run.html and run.json (-v prints them here)."));
  });

  it('-v brings the blocks back at any size', () => {
    const lines = [...hostSectionLines(fleet(120), 2, style, {})];
    assert.equal(lines.filter((l) => /^srx-\d+ \(/.test(l)).length, 120);
  });

  it('says how to get the details when no report file was asked for', () => {
    const lines = [...hostSectionLines(fleet(60), 1, style, {})];
    assert.match(lines.at(-2)!, /add --html FILE or --report FILE, or -v/);
  });
});
