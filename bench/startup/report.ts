import type { BuildState } from '../../bin/build-state.js';
import { rss, seconds, table, times } from '../lib/format.ts';
import type { BenchRow } from '../lib/rows.ts';
import type { TargetCheck } from '../report.ts';

const WHY_NOT_BUILT: Record<Exclude<BuildState, 'fresh'>, string> = {
  missing: 'no build in dist/, so bin/runbook.js ran the TypeScript through tsx (npm run build)',
  stale: 'src/ changed after dist/ was built, so bin/runbook.js ran the TypeScript through tsx (npm run build)',
};

export function startupTable(rows: readonly BenchRow[], build: BuildState): string[] {
  const runs = rows[0]?.size ?? 0;
  return [
    `STARTUP: spawn to exit from the repository root, the commands interleaved, median of ${runs} rounds; CPU time and peak RSS from one more run of each`,
    ...table(
      ['command', 'median', '× floor', 'fastest', 'slowest', '1st half', '2nd half', 'CPU', 'peak RSS'],
      rows.map((r) => [
        r.subject,
        seconds3(r.ms),
        times(r.ratio),
        seconds3(r.spread?.minMs),
        seconds3(r.spread?.maxMs),
        seconds3(r.spread?.firstHalfMs),
        seconds3(r.spread?.secondHalfMs),
        seconds3(r.cpuMs),
        rss(r.peakRssBytes),
      ]),
      new Set([1, 2, 3, 4, 5, 6, 7, 8]),
    ),
    build === 'fresh' ? '  bin/runbook.js ran dist/ (built by npm install)' : `  NOTE: ${WHY_NOT_BUILT[build]}: the runbook rows are not what a user runs`,
  ];
}

/** Start-up's targets (issue 17, target 1), against the floor of the same run. */
export function startupChecks(rows: readonly BenchRow[], build: BuildState): TargetCheck[] {
  const find = (subject: string) => rows.find((r) => r.subject === subject && r.ok);
  const floor = rows.find((r) => r.role === 'floor');
  const help = find('runbook --help');
  const validate = rows.find((r) => r.role === 'runbook' && r.subject.startsWith('runbook validate'));
  const npx = find('npx runbook --help');
  const built = build === 'fresh';
  const out: TargetCheck[] = [];
  if (help && floor) {
    out.push({ target: 'startup: runbook --help within 2× of node printing the same text', met: built ? help.ratio! <= 2 : undefined, figure: `${times(help.ratio)} (${seconds3(help.ms)} against ${seconds3(floor.ms)})` });
  }
  // CPU time beside: on a loaded machine the wall time is mostly waiting for a core.
  const cpu = validate?.cpuMs !== undefined ? ` (CPU ${seconds3(validate.cpuMs)})` : '';
  if (validate) out.push({ target: 'startup: runbook validate playbooks/ah-cleanup.yml under 0.5 s', met: built ? validate.ms! < 500 : undefined, figure: `${seconds3(validate.ms)}${cpu}` });
  if (npx && help) {
    out.push({
      target: 'startup: npx runbook adds no compile step',
      met: built,
      figure: built ? `${seconds3(npx.ms)}: runbook --help plus ${seconds3(npx.ms! - help.ms!)} of npx itself, no tsx` : WHY_NOT_BUILT[build as Exclude<BuildState, 'fresh'>],
    });
  }
  return out;
}

/** Start-up figures are a few tens of milliseconds: three decimals. */
function seconds3(ms: number | undefined): string {
  return ms === undefined ? '' : ms >= 10_000 ? seconds(ms) : `${(ms / 1000).toFixed(3)} s`;
}
