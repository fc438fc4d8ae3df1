import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { summariseProfile } from '../../../bench/lib/cpu-profile.ts';
import type { BenchRow } from '../../../bench/lib/rows.ts';
import { parseBenchArgs } from '../../../bench/options.ts';
import { fleetTable, targetChecks } from '../../../bench/report.ts';

describe('bench options', () => {
  it('runs every section at full sizes by default, small sizes with --quick', () => {
    const full = parseBenchArgs([]);
    assert.deepEqual(full.sections, ['parser', 'reply', 'fleet', 'foil']);
    assert.deepEqual([full.foilSmall, full.foilBusy], [50, 10]);
    assert.deepEqual(full.fleetSizes, [10, 100, 1000, 5000]);
    assert.equal(full.out, 'bench/results/latest.json');
    const quick = parseBenchArgs(['--quick', '--only', 'parser,fleet']);
    assert.deepEqual(quick.sections, ['parser', 'fleet']);
    assert.deepEqual(quick.parserSizes, [20_000]);
    assert.deepEqual([quick.foilSmall, quick.foilBusy], [5, 0]);
    assert.equal(parseBenchArgs(['--foil-busy', '0']).foilBusy, 0);
    assert.equal(quick.out, 'bench/results/latest-quick.json');
    assert.deepEqual(parseBenchArgs(['--parser-sizes', '20k,1m']).parserSizes, [20_000, 1_000_000]);
  });

  it('refuses what it does not know', () => {
    assert.throws(() => parseBenchArgs(['--only', 'everything']), /--only everything/);
    assert.throws(() => parseBenchArgs(['--forks', '0']), /--forks/);
    assert.throws(() => parseBenchArgs(['--fast']), /fast/);
  });
});

describe('bench targets', () => {
  const row = (r: Partial<BenchRow> & Pick<BenchRow, 'section' | 'size' | 'role'>): BenchRow => ({ subject: r.role, ok: true, ...r });

  it("reads the issue's targets off the largest sizes", () => {
    const checks = targetChecks([
      row({ section: 'reply', size: 1_000_000, role: 'runbook', subject: 'runbook collect over NETCONF/SSH', ratio: 4.2, peakRssBytes: 200 * 2 ** 20 }),
      row({ section: 'reply', size: 1_000_000, role: 'runbook', subject: 'runbook apply, whole playbook (wall)', ratio: 9, peakRssBytes: 700 * 2 ** 20 }),
      row({ section: 'parser', size: 1_000_000, role: 'runbook', ratio: 2.5 }),
      row({ section: 'fleet', size: 10, role: 'runbook', ratio: 5, peakRssBytes: 100 * 2 ** 20 }),
      row({ section: 'fleet', size: 1000, role: 'runbook', ratio: 2.9, peakRssBytes: 199 * 2 ** 20 }),
    ]);
    const by = (t: RegExp) => checks.find((c) => t.test(c.target));
    assert.equal(by(/peak RSS of the collect/)?.met, true);
    assert.equal(by(/reply: collect within 3×/)?.met, false);
    assert.equal(by(/parser: runbook's extraction/)?.met, true);
    assert.equal(by(/fleet: apply within 1.5×/)?.met, false);
    // Judged only once the fleet reaches 5,000 devices.
    assert.equal(by(/peak RSS growth ≤ 50 KiB/)?.met, undefined);
    assert.match(by(/peak RSS growth ≤ 50 KiB/)!.figure, /^102 KiB from 10 to 1,000$/);
  });

  it('judges the fleet against its floor at 1000 devices and memory per added device up to 5000', () => {
    const mib = (n: number) => n * 2 ** 20;
    const checks = targetChecks([
      row({ section: 'fleet', size: 100, role: 'runbook', ratio: 3, peakRssBytes: mib(100) }),
      row({ section: 'fleet', size: 1000, role: 'runbook', ratio: 1.4, peakRssBytes: mib(140) }),
      row({ section: 'fleet', size: 5000, role: 'runbook', ratio: 2, peakRssBytes: mib(330) }),
    ]);
    const by = (t: RegExp) => checks.find((c) => t.test(c.target));
    assert.equal(by(/apply within 1.5×/)?.target, 'fleet: apply within 1.5× of bare connect+auth+hello (1,000 devices)');
    assert.equal(by(/apply within 1.5×/)?.met, true);
    assert.equal(by(/peak RSS growth/)?.figure, '46 KiB from 100 to 1,000, 49 KiB from 1,000 to 5,000');
    assert.equal(by(/peak RSS growth/)?.met, true);
    const text = fleetTable([row({ section: 'fleet', size: 100, role: 'runbook', peakRssBytes: mib(100) }), row({ section: 'fleet', size: 1000, role: 'runbook', peakRssBytes: mib(200) })], 1500).join('\n');
    assert.match(text, /runbook peak RSS per added device: 100→1,000: 114 KiB/);
  });

  it('prints a failed run as "fails (why)"', () => {
    const text = fleetTable([row({ section: 'fleet', size: 1000, role: 'runbook', subject: 'runbook apply', ok: false, failure: 'exited with code 3' })], 1500).join('\n');
    assert.match(text, /runbook apply\s+fails\s+exited with code 3/);
  });
});

describe('summariseProfile', () => {
  it('adds self time per function and per area', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'runbook-prof-'));
    try {
      const file = join(dir, 'x.cpuprofile');
      const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 9 });
      await writeFile(
        file,
        JSON.stringify({
          nodes: [
            { id: 1, callFrame: frame('(root)', '') },
            { id: 2, callFrame: frame('write', 'file:///x/node_modules/saxes/saxes.js') },
            { id: 3, callFrame: frame('(garbage collector)', '') },
          ],
          samples: [2, 2, 3, 2],
          timeDeltas: [1000, 1000, 2000, 1000],
          startTime: 0,
          endTime: 5000,
        }),
      );
      const s = await summariseProfile(file);
      assert.equal(s.totalMs, 5);
      assert.deepEqual(s.areas.map((a) => [a.name, a.selfMs]), [['saxes', 3], ['(garbage collector)', 2]]);
      assert.match(s.functions[0]!.name, /^write \(.*saxes\.js:10\)$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
