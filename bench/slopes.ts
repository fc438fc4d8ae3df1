import { count, rss, seconds, size } from './lib/format.ts';
import type { BenchRow } from './lib/rows.ts';
import type { TargetCheck } from './report.ts';

/**
 * Linear cost (issue 17, target 5): what each added session costs runbook in time and
 * peak RSS, from the smallest to the largest size measured, for the parser section's
 * collect path and the reply section's collect over SSH. Not judged: the README states them.
 */
export function slopeChecks(rows: readonly BenchRow[]): TargetCheck[] {
  const lines: TargetCheck[] = [];
  const slope = (label: string, pick: (r: BenchRow) => boolean) => {
    const sized = rows.filter((r) => r.ok && r.ms !== undefined && pick(r)).sort((a, b) => a.size - b.size);
    if (sized.length < 2) return;
    const first = sized[0]!;
    const last = sized[sized.length - 1]!;
    const added = last.size - first.size;
    if (added <= 0) return;
    const usPerSession = ((last.ms! - first.ms!) * 1000) / added;
    const memory =
      first.peakRssBytes !== undefined && last.peakRssBytes !== undefined
        ? `, ${((last.peakRssBytes - first.peakRssBytes) / added).toFixed(0)} bytes of peak RSS per session (${rss(first.peakRssBytes)} at ${size(first.size)}, ${rss(last.peakRssBytes)} at ${size(last.size)})`
        : '';
    lines.push({
      target: `linear: ${label}, ${size(first.size)} to ${size(last.size)} sessions`,
      met: undefined,
      figure: `${usPerSession.toFixed(2)} µs per session (${seconds(first.ms)} at ${count(first.size)}, ${seconds(last.ms)} at ${count(last.size)})${memory}`,
    });
  };
  slope('the collect path on a file', (r) => r.section === 'parser' && r.role === 'runbook');
  slope('the collect over NETCONF/SSH', (r) => r.section === 'reply' && r.role === 'runbook' && r.subject.includes('collect'));
  return lines;
}
