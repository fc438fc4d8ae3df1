import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { summariseProfile } from '../../../bench/lib/cpu-profile.ts';
import type { BenchRow } from '../../../bench/lib/rows.ts';
import { parseBenchArgs } from '../../../bench/options.ts';
import { fleetTable, queueTable, targetChecks } from '../../../bench/report.ts';
import { REPO } from '../../../bench/lib/child.ts';
import { slopeChecks } from '../../../bench/slopes.ts';
import { startupChecks, startupTable } from '../../../bench/startup/report.ts';
import { median } from '../../../bench/startup/section.ts';

describe('bench options', () => {
  it('runs every section at full sizes by default, small sizes with --quick', () => {
    const full = parseBenchArgs([]);
    assert.deepEqual(full.sections, ['parser', 'reply', 'fleet', 'foil', 'startup', 'queue']);
    assert.deepEqual([full.queueSizes, full.queueWorkers], [[1000, 5000], 2]);
    assert.deepEqual([full.foilSmall, full.foilBusy], [50, 10]);
    assert.deepEqual(full.fleetSizes, [10, 100, 1000, 5000]);
    assert.equal(full.out, join(REPO, 'bench/results/latest.json'));
    assert.equal(full.startupRuns, 15);
    const quick = parseBenchArgs(['--quick', '--only', 'parser,fleet']);
    assert.deepEqual(quick.sections, ['parser', 'fleet']);
    assert.deepEqual(quick.parserSizes, [20_000]);
    assert.deepEqual([quick.foilSmall, quick.foilBusy], [5, 0]);
    assert.equal(parseBenchArgs(['--foil-busy', '0']).foilBusy, 0);
    assert.equal(quick.out, join(REPO, 'bench/results/latest-quick.json'));
    assert.equal(quick.startupRuns, 5);
    assert.deepEqual(parseBenchArgs(['--parser-sizes', '20k,1m']).parserSizes, [20_000, 1_000_000]);
    assert.deepEqual(quick.queueSizes, [20]);
    const queue = parseBenchArgs(['--only', 'queue', '--queue-sizes', '1000,3000', '--queue-workers', '3']);
    assert.deepEqual([queue.sections, queue.queueSizes, queue.queueWorkers], [['queue'], [1000, 3000], 3]);
  });

  it('writes --out where the user said: an absolute path as it is, a relative one from where the bench was started', () => {
    assert.equal(parseBenchArgs(['--out', '/abs/dir/run.json'], '/elsewhere').out, '/abs/dir/run.json');
    assert.equal(parseBenchArgs(['--out', 'runs/one.json'], '/home/me').out, '/home/me/runs/one.json');
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
      row({ section: 'reply', size: 1_000_000, role: 'runbook', subject: 'runbook collect over NETCONF/SSH', ratio: 4.2, ratio2: 1.6, peakRssBytes: 200 * 2 ** 20 }),
      row({ section: 'reply', size: 20_000, role: 'runbook', subject: 'runbook collect over NETCONF/SSH', ratio: 3, ratio2: 1.2, peakRssBytes: 90 * 2 ** 20 }),
      row({ section: 'parser', size: 20_000, role: 'runbook', ratio: 1.9 }),
      row({ section: 'reply', size: 1_000_000, role: 'runbook', subject: 'runbook apply, whole playbook (wall)', ratio: 9, peakRssBytes: 700 * 2 ** 20 }),
      row({ section: 'parser', size: 1_000_000, role: 'runbook', ratio: 2.5 }),
      row({ section: 'fleet', size: 10, role: 'runbook', ratio: 5, peakRssBytes: 100 * 2 ** 20 }),
      row({ section: 'fleet', size: 1000, role: 'runbook', ratio: 2.9, peakRssBytes: 199 * 2 ** 20 }),
    ]);
    const by = (t: RegExp) => checks.find((c) => t.test(c.target));
    assert.equal(by(/peak RSS of the collect/)?.met, true);
    // Target 4: judged at every size.
    assert.equal(by(/collect over SSH within 1.3× of the bare channel \(1M/)?.met, false);
    assert.equal(by(/collect over SSH within 1.3× of the bare channel \(20k/)?.met, true);
    assert.equal(by(/parser: runbook's extraction within 2× of the byte scan \(1M/)?.met, false);
    assert.equal(by(/parser: runbook's extraction within 2× of the byte scan \(20k/)?.met, true);
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

  it('judges the queue against the local executor at 1000 devices and the coordinator per added host up to 5000', () => {
    const mib = (n: number) => n * 2 ** 20;
    const queued = (size: number, ratio: number | undefined, peak: number): BenchRow =>
      row({ section: 'queue', size, role: 'runbook', subject: 'runbook apply --check --redis, 2 workers, forks 50', wallMs: 1000, peakRssBytes: mib(peak), items: size, queue: { workers: 2 }, ...(ratio !== undefined ? { ratio } : {}) });
    const stub = row({ section: 'queue', size: 1000, role: 'runbook', subject: 'the queue alone: stub worker (no device), forks 1', wallMs: 9000, ms: 8000, items: 1000, queue: { jobTimes: { jobs: 450, totalMs: 6, totalP90Ms: 9, pickupMs: 1, runMs: 4, returnMs: 1, spanMs: 225 } } });
    const checks = targetChecks([row({ section: 'queue', size: 1000, role: 'floor', subject: 'runbook apply --check, local executor, forks 50' }), queued(1000, 1.4, 120), queued(5000, undefined, 135), stub]);
    const by = (t: RegExp) => checks.find((c) => t.test(c.target));
    assert.equal(by(/through Redis with 2 workers within 1.5×/)?.target, 'queue: apply --check through Redis with 2 workers within 1.5× of the local executor (1,000 devices)');
    assert.equal(by(/within 1.5× of the local executor/)?.met, true);
    assert.equal(by(/coordinator peak RSS growth/)?.figure, '3.8 KiB from 1,000 to 5,000');
    assert.equal(by(/coordinator peak RSS growth/)?.met, true);
    assert.equal(by(/per-job overhead/)?.figure, '6 ms per job at forks 1');
    const missed = targetChecks([queued(1000, 1.6, 120), queued(5000, undefined, 200)]);
    assert.equal(missed.find((c) => /within 1.5×/.test(c.target))?.met, false);
    assert.equal(missed.find((c) => /growth/.test(c.target))?.met, false);
    // Below 1000 devices and 5000 hosts, the figures are shown, not judged.
    const small = targetChecks([queued(20, 1.9, 90), queued(100, undefined, 95)]);
    assert.deepEqual(small.map((c) => c.met), [undefined, undefined]);
    const text = queueTable([queued(1000, 1.4, 120), stub], undefined).join('\n');
    assert.match(text, /the queue alone at forks 1: 2000 jobs\/s through one worker process, enqueue → result 6 ms per job \(median; p90 9 ms\)/);
    assert.match(text, /enqueued → taken 1 ms, worker 4 ms, result → read 1 ms, in all 6 ms; the queue's share \(taken \+ read\) 2 ms/);
    assert.match(queueTable([], 'no redis-server').join('\n'), /skipped: no redis-server/);
  });

  it('prints a failed run as "fails (why)"', () => {
    const text = fleetTable([row({ section: 'fleet', size: 1000, role: 'runbook', subject: 'runbook apply', ok: false, failure: 'exited with code 3' })], 1500).join('\n');
    assert.match(text, /runbook apply\s+fails\s+exited with code 3/);
  });
});

describe('bench slopes', () => {
  it('states the time and peak RSS per added session, smallest size to largest', () => {
    const rows: BenchRow[] = [
      { section: 'parser', size: 20_000, subject: 'runbook collect path', role: 'runbook', ok: true, ms: 500, peakRssBytes: 100 * 2 ** 20 },
      { section: 'parser', size: 1_000_000, subject: 'runbook collect path', role: 'runbook', ok: true, ms: 14_200, peakRssBytes: 149 * 2 ** 20 },
      { section: 'parser', size: 1_000_000, subject: 'byte scan (floor)', role: 'floor', ok: true, ms: 7000 },
    ];
    const [line, ...rest] = slopeChecks(rows);
    assert.equal(rest.length, 0, 'no reply rows, no reply slope');
    assert.equal(line!.target, 'linear: the collect path on a file, 20k to 1M sessions');
    assert.match(line!.figure, /^13\.98 µs per session \(0\.50 s at 20,000, 14\.2 s at 1,000,000\), 52 bytes of peak RSS per session/);
  });
});

describe('bench startup targets', () => {
  const row = (subject: string, role: BenchRow['role'], ms: number): BenchRow => ({ section: 'startup', size: 9, subject, role, ok: true, ms, wallMs: ms, ratio: ms / 50 });
  const rows = [
    row('node printing the same help text (floor)', 'floor', 50),
    row('runbook --help', 'runbook', 90),
    row('runbook validate playbooks/ah-cleanup.yml', 'runbook', 600),
    row('npx runbook --help', 'runbook', 400),
  ];

  it('judges --help against the floor of the same run, validate against 0.5 s', () => {
    const checks = startupChecks(rows, 'fresh');
    assert.deepEqual(checks.map((c) => c.met), [true, false, true]);
    assert.match(checks[0]!.figure, /^1\.80× \(0\.090 s against 0\.050 s\)/);
    assert.match(checks[2]!.figure, /plus 0\.310 s of npx itself/);
  });

  it('judges nothing when bin/runbook.js ran the TypeScript (no build, or a stale one), and says so', () => {
    const checks = startupChecks(rows, 'stale');
    assert.deepEqual(checks.map((c) => c.met), [undefined, undefined, false]);
    assert.match(startupTable(rows, 'stale').join('\n'), /NOTE: src\/ changed after dist\/ was built/);
    assert.match(startupTable(rows, 'fresh').join('\n'), /median of 9 rounds/);
  });

  it('takes the median of the rounds', () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
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
