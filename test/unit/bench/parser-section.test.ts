import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AH_TABLE } from '../../../bench/lib/ah-table.ts';
import { FLOOR_AGAIN, PARSER_LABELS, parserSection, type ParserSection } from '../../../bench/parse/section.ts';
import { PARSERS } from '../../../bench/parse/parsers/names.ts';
import { parserTable } from '../../../bench/report.ts';
import { loadPlaybook } from '../../../src/playbook/load.ts';

// Not a timing test: it runs the parser section on a tiny reply and checks its shape,
// and that runbook's path read every session. No figure is asserted.
describe('bench parser section (smoke, tiny reply)', () => {
  const SESSIONS = 300;
  let dir: string;
  let section: ParserSection;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-bench-test-'));
    section = await parserSection({ sizes: [SESSIONS], source: { scenario: 'one-peer', seed: 1, peers: 20 }, dir });
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('measures every parser once, between the byte-scan floor first and again last', () => {
    assert.deepEqual(
      section.rows.map((r) => r.subject),
      [...PARSERS.map((p) => PARSER_LABELS[p].label), FLOOR_AGAIN],
    );
    for (const r of section.rows) assert.equal(r.ok, true, `${r.subject}: ${r.failure ?? ''}`);
    const floors = section.rows.filter((r) => r.role === 'floor');
    assert.deepEqual(floors.map((r) => r.subject), [PARSER_LABELS['byte-scan'].label, FLOOR_AGAIN]);
    // Ratios are to the faster of the two.
    assert.equal(Math.min(...floors.map((r) => r.ratio!)), 1);
    for (const r of floors) assert.ok(r.ratio! >= 1);
    for (const r of section.rows) {
      assert.ok(r.ratio !== undefined && r.mbps !== undefined && r.ms !== undefined, `${r.subject} has its figures`);
      assert.ok((r.peakRssBytes ?? 0) > 0, `${r.subject} reports its own peak RSS`);
    }
  });

  it("has runbook's path, and every foil, read every session", () => {
    for (const r of section.rows.filter((x) => x.role !== 'floor')) assert.equal(r.items, SESSIONS, r.subject);
    assert.equal(section.replies[0]!.sessions, SESSIONS);
    assert.equal(section.rows.find((r) => r.role === 'runbook')!.bytes, section.replies[0]!.bytes);
  });

  it('prints a row per parser', () => {
    const text = parserTable(section.rows, section.replies).join('\n');
    for (const p of PARSERS) assert.ok(text.includes(PARSER_LABELS[p].label), `${p} is in the table`);
    assert.match(text, /lab rendering of 300 sessions/);
    assert.match(text, /byte scan of 300 sessions: [\d.]+ s before the parsers, [\d.]+ s after \(\d+% apart\)/);
  });
});

describe('bench AH table', () => {
  it("is the ah-cleanup playbook's own collect", async () => {
    const playbook = await loadPlaybook('playbooks/ah-cleanup.yml');
    const step = playbook.steps.find((s) => s.kind === 'collect' && s.register === 'ah');
    assert.ok(step && step.kind === 'collect');
    assert.deepEqual({ item: step.item, fields: step.fields }, JSON.parse(JSON.stringify(AH_TABLE)));
  });
});
