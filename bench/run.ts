/**
 * `npm run bench`: runbook's figures beside their floors and foils, measured in one run
 * on this machine. See bench/README.md for what each figure means.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fleetSection, SMALL_DEVICE } from './fleet/section.ts';
import { BUSY_DEVICE, foilSection } from './foil/section.ts';
import { runNode, REPO } from './lib/child.ts';
import { load1, machineInfo } from './lib/machine.ts';
import type { BenchRow } from './lib/rows.ts';
import { parseBenchArgs, type BenchOptions } from './options.ts';
import { LARGE_DEVICE, type GeneratedReply } from './parse/generate-reply.ts';
import { fastestFloor, parserSection } from './parse/section.ts';
import { replySection } from './reply/section.ts';
import { slopeChecks } from './slopes.ts';
import { startupTable, startupChecks } from './startup/report.ts';
import { startupSection, type StartupSection } from './startup/section.ts';
import { fleetTable, foilTable, parserTable, profileLines, queueTable, replyTable, targetChecks, targetLines } from './report.ts';
import { queueSection } from './queue/section.ts';
import type { ProfileSummary } from './lib/cpu-profile.ts';

let opts: BenchOptions;
try {
  opts = parseBenchArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(2);
}

const machine = machineInfo();
const startedAt = new Date();
const loadAtStart = load1();
const progress = (line: string) => process.stderr.write(`[${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
const dir = await mkdtemp(join(tmpdir(), 'runbook-bench-'));
const rows: BenchRow[] = [];
const replies: GeneratedReply[] = [];
let profile: (ProfileSummary & { devices: number }) | undefined;
let cliStartMs: number | undefined;
let startup: StartupSection | undefined;
const out: string[] = [];
const print = (lines: readonly string[]) => {
  out.push(...lines, '');
  process.stdout.write(lines.join('\n') + '\n\n');
};

process.stdout.write(
  `runbook bench${opts.quick ? ' (quick)' : ''}: ${machine.cpuModel}, ${machine.cores} cores, ${(machine.memoryBytes / 2 ** 30).toFixed(0)} GiB, ` +
    `Node ${machine.node}; load average ${loadAtStart.toFixed(2)} at start; lab in a separate process (runbook lab serve)\n\n`,
);

try {
  // tsx compiles on first use and caches: a first CLI start here keeps that out of the timed runs.
  await runNode([join(REPO, 'bin/runbook.js'), 'validate', 'playbooks/ah-cleanup.yml']);

  // First, while the machine has nothing of the bench's running yet.
  if (opts.sections.includes('startup')) {
    startup = await startupSection({ runs: opts.startupRuns, dir, log: progress });
    rows.push(...startup.rows);
    print(startupTable(startup.rows, startup.build));
  }

  const scanMs = new Map<number, number>();
  if (opts.sections.includes('parser')) {
    const p = await parserSection({ sizes: opts.parserSizes, source: LARGE_DEVICE, dir, log: progress });
    rows.push(...p.rows);
    replies.push(...p.replies);
    for (const size of opts.parserSizes) {
      const floorMs = fastestFloor(p.rows.filter((r) => r.size === size));
      if (floorMs !== undefined) scanMs.set(size, floorMs);
    }
    print(parserTable(p.rows, p.replies));
  }

  if (opts.sections.includes('reply')) {
    const byteScanMs = async (sessions: number) => {
      if (!scanMs.has(sessions)) {
        const p = await parserSection({ sizes: [sessions], source: LARGE_DEVICE, dir, parsers: ['byte-scan'], log: progress });
        const floor = p.rows.find((r) => r.ok);
        if (floor?.ms !== undefined) scanMs.set(sessions, floor.ms);
      }
      return scanMs.get(sessions);
    };
    const r = await replySection({ sizes: opts.replySizes, source: LARGE_DEVICE, dir, byteScanMs, log: progress });
    rows.push(...r);
    print(replyTable(r));
  }

  if (opts.sections.includes('fleet')) {
    const f = await fleetSection({
      sizes: opts.fleetSizes,
      forks: opts.forks,
      dir,
      profile: !opts.quick,
      ...(machine.openFilesLimit !== undefined ? { openFilesLimit: machine.openFilesLimit } : {}),
      log: progress,
    });
    rows.push(...f.rows);
    profile = f.profile;
    cliStartMs = f.cliStartMs;
    print(fleetTable(f.rows, f.cliStartMs));
    if (profile) print(profileLines(profile));
  }

  let foilSkipped: string | undefined;
  if (opts.sections.includes('foil')) {
    const cases = [
      ...(opts.foilSmall > 0 ? [{ devices: opts.foilSmall, kind: 'small' as const }] : []),
      ...(opts.foilBusy > 0 ? [{ devices: opts.foilBusy, kind: 'busy' as const }] : []),
    ];
    const f = await foilSection({ cases, forks: opts.forks, dir, log: progress });
    rows.push(...f.rows);
    foilSkipped = f.skipped;
    print(foilTable(f.rows, f.skipped));
  }

  let queueSkipped: string | undefined;
  if (opts.sections.includes('queue')) {
    const q = await queueSection({
      sizes: opts.queueSizes,
      workers: opts.queueWorkers,
      forks: opts.forks,
      dir,
      ...(machine.openFilesLimit !== undefined ? { openFilesLimit: machine.openFilesLimit } : {}),
      log: progress,
    });
    rows.push(...q.rows);
    queueSkipped = q.skipped;
    print(queueTable(q.rows, q.skipped));
  }

  const checks = [...(startup ? startupChecks(startup.rows, startup.build) : []), ...targetChecks(rows), ...slopeChecks(rows)];
  const loadAtEnd = load1();
  print([
    ...targetLines(checks),
    '',
    `load average ${loadAtStart.toFixed(2)} at start, ${loadAtEnd.toFixed(2)} at end on ${machine.cores} cores` +
      (Math.max(loadAtStart, loadAtEnd) > machine.cores ? ': the machine was shared, figures are noisy' : ''),
  ]);

  const file = opts.out;
  await mkdir(dirname(file), { recursive: true });
  const result = {
    date: startedAt.toISOString(),
    durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
    machine,
    loadAverage: { start: loadAtStart, end: loadAtEnd },
    lab: { mode: 'separate process (runbook lab serve)', replyDevice: LARGE_DEVICE, fleetDevice: SMALL_DEVICE, busyDevice: BUSY_DEVICE },
    ...(foilSkipped !== undefined ? { foilSkipped } : {}),
    ...(queueSkipped !== undefined ? { queueSkipped } : {}),
    options: opts,
    rows,
    replies: replies.map(({ sessions, bytes, ms }) => ({ sessions, bytes, ms })),
    ...(cliStartMs !== undefined ? { cliStartMs } : {}),
    ...(startup ? { build: startup.build } : {}),
    ...(profile ? { profile } : {}),
    targets: checks,
    table: out.join('\n'),
  };
  await writeFile(file, JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(`results written to ${file}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
