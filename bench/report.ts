import type { ProfileSummary } from './lib/cpu-profile.ts';
import { count, mb, rate, rss, seconds, size, table, times } from './lib/format.ts';
import type { BenchRow, JobTimes } from './lib/rows.ts';
import type { GeneratedReply } from './parse/generate-reply.ts';

/** What the issue asks of runbook, checked against one run's rows. */
export interface TargetCheck {
  readonly target: string;
  /** undefined: not measured in this run. */
  readonly met: boolean | undefined;
  readonly figure: string;
}

const MIB_256 = 256 * 2 ** 20;

export function parserTable(rows: readonly BenchRow[], replies: readonly GeneratedReply[]): string[] {
  const byteSize = new Map(replies.map((r) => [r.sessions, r]));
  return [
    'PARSER: one get-flow-session-information protocol ah reply read from a file in 64 KiB chunks, one process per figure',
    ...table(
      ['sessions', 'reply', 'parser', 'time', 'MB/s', '× floor', 'peak RSS', 'counted', 'note'],
      rows.map((r) => [
        size(r.size),
        mb(r.bytes ?? byteSize.get(r.size)?.bytes),
        r.subject,
        ...(r.ok ? [seconds(r.ms), rate(r.mbps), times(r.ratio), rss(r.peakRssBytes), count(r.items), ''] : ['fails', '', '', rss(r.peakRssBytes), '', r.failure ?? '']),
      ]),
      new Set([0, 1, 3, 4, 5, 6, 7]),
    ),
    ...floorSpreadLines(rows),
    ...replies.map((r) => `  lab rendering of ${size(r.sessions)} sessions: ${mb(r.bytes)} in ${seconds(r.ms)} = ${rate(r.bytes / 1e3 / r.ms)} MB/s (what a served device can send at most)`),
  ];
}

/** The byte scan ran before and after the parsers of each size: how far apart, since every ratio stands on it. */
function floorSpreadLines(rows: readonly BenchRow[]): string[] {
  const sizes = [...new Set(rows.map((r) => r.size))];
  return sizes.flatMap((s) => {
    const floors = rows.filter((r) => r.size === s && r.role === 'floor' && r.ok && r.ms !== undefined).map((r) => r.ms!);
    if (floors.length < 2) return [];
    const [before, after] = floors as [number, number];
    const spread = (Math.max(before, after) / Math.min(before, after) - 1) * 100;
    return [`  byte scan of ${size(s)} sessions: ${seconds(before)} before the parsers, ${seconds(after)} after (${spread.toFixed(0)}% apart); × floor is to the faster`];
  });
}

export function replyTable(rows: readonly BenchRow[]): string[] {
  return [
    'REPLY: the same reply over NETCONF/SSH from a device served by `runbook lab serve` (separate process); client process figures only',
    ...table(
      ['sessions', 'reply', 'client', 'time', 'MB/s', '× byte scan', '× channel', 'peak RSS', 'sessions read', 'note'],
      rows.map((r) => [
        size(r.size),
        mb(r.bytes),
        r.subject,
        ...(r.ok
          ? [seconds(r.ms), rate(r.mbps), times(r.ratio), r.role === 'floor' ? '1.00×' : times(r.ratio2), rss(r.peakRssBytes), count(r.items), r.note ?? '']
          : ['fails', '', '', '', '', '', r.failure ?? '']),
      ]),
      new Set([0, 1, 3, 4, 5, 6, 7, 8]),
    ),
  ];
}

export function fleetTable(rows: readonly BenchRow[], cliStartMs: number): string[] {
  return [
    'FLEET: N small devices served by one `runbook lab serve` (separate process); each figure is a process timed from spawn to exit',
    ...table(
      ['devices', 'run', 'wall time', 'in process', '× floor', 'CPU', 'CPU × floor', 'peak RSS', 'live heap', 'note'],
      rows.map((r) => [
        count(r.size),
        r.subject,
        ...(r.ok
          ? [seconds(r.wallMs), seconds(r.ms), times(r.ratio), seconds(r.cpuMs), times(r.ratio2), rss(r.peakRssBytes), rss(r.liveHeapPeakBytes), r.note ?? '']
          : ['fails', '', '', '', '', rss(r.peakRssBytes), '', r.failure ?? '']),
      ]),
      new Set([0, 2, 3, 4, 5, 6, 7, 8]),
    ),
    `  runbook's CLI start alone (validate the playbook, no device): ${seconds(cliStartMs)}, in every apply's wall time`,
    ...growthLines(rows),
  ];
}

/** Memory per added device between consecutive fleet sizes, for one kind of run. */
export function perDeviceGrowth(rows: readonly BenchRow[], role: BenchRow['role'], pick: (r: BenchRow) => number | undefined): { from: number; to: number; bytes: number }[] {
  const have = rows.filter((r) => r.section === 'fleet' && r.role === role && r.ok && pick(r) !== undefined).sort((a, b) => a.size - b.size);
  return have.slice(1).map((r, i) => ({ from: have[i]!.size, to: r.size, bytes: (pick(r)! - pick(have[i]!)!) / (r.size - have[i]!.size) }));
}

function growthLines(rows: readonly BenchRow[]): string[] {
  const kib = (g: { from: number; to: number; bytes: number }) => `${count(g.from)}→${count(g.to)}: ${(g.bytes / 1024).toFixed(0)} KiB`;
  const line = (what: string, role: BenchRow['role'], pick: (r: BenchRow) => number | undefined) => {
    const g = perDeviceGrowth(rows, role, pick);
    return g.length === 0 ? [] : [`  ${what} per added device: ${g.map(kib).join(', ')}`];
  };
  return [
    ...line('runbook peak RSS', 'runbook', (r) => r.peakRssBytes),
    ...line('runbook live heap', 'runbook', (r) => r.liveHeapPeakBytes),
    ...line('runbook peak RSS with node --optimize-for-size', 'variant', (r) => r.peakRssBytes),
    ...line('floor peak RSS', 'floor', (r) => r.peakRssBytes),
  ];
}

export function foilTable(rows: readonly BenchRow[], skipped: string | undefined): string[] {
  const head = 'FOIL: Ansible (junos_rpc over ansible.netcommon.netconf) beside runbook on the same lab fleet, same forks; spawn to exit';
  if (skipped !== undefined) return [head, `  skipped: ${skipped}`];
  return [
    head,
    ...table(
      ['devices', 'run', 'wall time', '× runbook', 'peak memory', '× runbook', 'note'],
      rows.map((r) => [
        count(r.size),
        r.subject,
        ...(r.ok
          ? [seconds(r.wallMs), times(r.ratio), rss(r.peakRssBytes), r.role === 'runbook' ? '1.00×' : times(r.ratio2), r.note ?? '']
          : ['fails', '', rss(r.peakRssBytes), '', r.failure ?? '']),
      ]),
      new Set([0, 2, 3, 4, 5]),
    ),
  ];
}

export function profileLines(p: ProfileSummary & { devices: number }): string[] {
  const pct = (s: number) => `${(s * 100).toFixed(1)}%`;
  return [
    `PROFILE: runbook apply over ${p.devices} devices (node --cpu-prof), ${seconds(p.totalMs)} sampled; self time`,
    '  by area:',
    ...p.areas.map((a) => `    ${pct(a.share).padStart(6)}  ${seconds(a.selfMs).padStart(8)}  ${a.name}`),
    '  by function:',
    ...p.functions.map((f) => `    ${pct(f.share).padStart(6)}  ${seconds(f.selfMs).padStart(8)}  ${f.name}`),
  ];
}

/** The issue's targets, read off the largest sizes measured. */
export function targetChecks(rows: readonly BenchRow[]): TargetCheck[] {
  const out: TargetCheck[] = [];
  const at = (section: BenchRow['section'], role: BenchRow['role']) =>
    rows.filter((r) => r.section === section && r.role === role && r.ok).sort((a, b) => b.size - a.size)[0];
  const reply = rows.filter((r) => r.section === 'reply' && r.role === 'runbook' && r.ok && r.subject.includes('collect')).sort((a, b) => b.size - a.size)[0];
  if (reply) {
    out.push({
      target: `reply: peak RSS of the collect ≤ 256 MiB (${size(reply.size)} sessions)`,
      met: reply.size >= 1_000_000 ? (reply.peakRssBytes ?? Infinity) <= MIB_256 : undefined,
      figure: rss(reply.peakRssBytes),
    });
  }
  // Issue 17, target 4: at every size, extraction within 2× the byte scan, the collect over SSH within 1.3× the bare channel.
  for (const r of rows.filter((x) => x.section === 'reply' && x.role === 'runbook' && x.ok && x.subject.includes('collect')).sort((a, b) => a.size - b.size)) {
    out.push({ target: `reply: collect over SSH within 1.3× of the bare channel (${size(r.size)} sessions)`, met: r.ratio2 === undefined ? undefined : r.ratio2 <= 1.3, figure: times(r.ratio2) });
  }
  for (const r of rows.filter((x) => x.section === 'parser' && x.role === 'runbook' && x.ok).sort((a, b) => a.size - b.size)) {
    out.push({ target: `parser: runbook's extraction within 2× of the byte scan (${size(r.size)} sessions)`, met: r.ratio === undefined ? undefined : r.ratio <= 2, figure: times(r.ratio) });
  }
  const fleet = rows.find((r) => r.section === 'fleet' && r.role === 'runbook' && r.ok && r.size === 1000) ?? at('fleet', 'runbook');
  if (fleet) {
    out.push({
      target: `fleet: apply within 1.5× of bare connect+auth+hello (${count(fleet.size)} devices)`,
      met: judged(fleet, 1000, 1.5),
      figure: `${times(fleet.ratio)} wall time${fleet.ratio2 !== undefined ? `, ${times(fleet.ratio2)} CPU time` : ''}`,
    });
    const rssGrowth = perDeviceGrowth(rows, 'runbook', (r) => r.peakRssBytes);
    const largest = Math.max(...rows.filter((r) => r.section === 'fleet' && r.role === 'runbook' && r.ok).map((r) => r.size));
    if (rssGrowth.length > 0) {
      const worst = Math.max(...rssGrowth.map((g) => g.bytes));
      out.push({
        target: `fleet: peak RSS growth ≤ 50 KiB per added device up to 5,000 devices`,
        met: largest >= 5000 ? worst <= 50 * 1024 : undefined,
        figure: rssGrowth.map((g) => `${(g.bytes / 1024).toFixed(0)} KiB from ${count(g.from)} to ${count(g.to)}`).join(', '),
      });
    }
    const live = perDeviceGrowth(rows, 'runbook', (r) => r.liveHeapPeakBytes);
    if (live.length > 0) {
      out.push({ target: 'fleet: live heap per added device (what runbook holds)', met: undefined, figure: live.map((g) => `${(g.bytes / 1024).toFixed(0)} KiB from ${count(g.from)} to ${count(g.to)}`).join(', ') });
    }
  }
  const small = rows.filter((r) => r.section === 'foil' && r.role === 'foil' && r.ok && r.subject.includes('small')).sort((a, b) => b.size - a.size)[0];
  if (small) {
    out.push({
      target: `foil: runbook ≥ 100× faster than Ansible's junos_rpc collect (${count(small.size)} small devices)`,
      met: small.ratio === undefined ? undefined : small.size >= 50 ? small.ratio >= 100 : undefined,
      figure: `${times(small.ratio)} (memory ${times(small.ratio2)})${foilCeiling(rows, small)}`,
    });
  }
  const busy = rows.filter((r) => r.section === 'foil' && r.role === 'foil' && r.ok && r.subject.includes('busy')).sort((a, b) => b.size - a.size)[0];
  if (busy) out.push({ target: `foil: Ansible's memory over runbook's (${count(busy.size)} busy devices)`, met: undefined, figure: `${times(busy.ratio2)} (time ${times(busy.ratio)})` });
  out.push(...queueChecks(rows));
  return out;
}

/** "A few KB per host" (issue 13), read as at most this much coordinator peak RSS per added host. */
const QUEUE_RSS_PER_HOST = 5 * 1024;

/** Issue 13's targets: the queue's time against the local executor at 1000 devices; the coordinator's memory per added host up to 5000. */
function queueChecks(rows: readonly BenchRow[]): TargetCheck[] {
  const out: TargetCheck[] = [];
  const queued = queueApplies(rows);
  const at1000 = queued.find((r) => r.size === 1000 && r.ratio !== undefined) ?? queued.filter((r) => r.ratio !== undefined).at(-1);
  if (at1000) {
    out.push({
      target: `queue: apply --check through Redis with ${at1000.queue?.workers ?? '?'} workers within 1.5× of the local executor (${count(at1000.size)} devices)`,
      met: judged(at1000, 1000, 1.5),
      figure: `${times(at1000.ratio)} wall time`,
    });
  }
  const growth = coordinatorGrowth(rows);
  if (growth.length > 0) {
    const worst = Math.max(...growth.map((g) => g.bytes));
    out.push({
      target: `queue: coordinator peak RSS growth ≤ ${QUEUE_RSS_PER_HOST / 1024} KiB per added host up to 5,000 hosts`,
      met: growth.some((g) => g.to >= 5000) ? worst <= QUEUE_RSS_PER_HOST : undefined,
      figure: growth.map((g) => `${(g.bytes / 1024).toFixed(1)} KiB from ${count(g.from)} to ${count(g.to)}`).join(', '),
    });
  }
  const overhead = queueAloneRows(rows);
  if (overhead.length > 0) {
    out.push({
      target: 'queue: per-job overhead, enqueue → result (stub worker, no device; median)',
      met: undefined,
      figure: overhead.map((r) => `${r.queue?.jobTimes?.totalMs ?? '?'} ms per job at ${forksOf(r)}`).join(', '),
    });
  }
  return out;
}

function queueApplies(rows: readonly BenchRow[]): BenchRow[] {
  return rows.filter((r) => r.section === 'queue' && r.role === 'runbook' && r.ok && r.subject.includes('--redis')).sort((a, b) => a.size - b.size);
}

function queueAloneRows(rows: readonly BenchRow[]): BenchRow[] {
  return rows.filter((r) => r.section === 'queue' && r.ok && r.subject.startsWith('the queue alone'));
}

/** The coordinator's peak RSS per added host between consecutive sizes run through Redis. */
export function coordinatorGrowth(rows: readonly BenchRow[], pick: (r: BenchRow) => number | undefined = (r) => r.peakRssBytes): { from: number; to: number; bytes: number }[] {
  const have = queueApplies(rows).filter((r) => pick(r) !== undefined);
  return have.slice(1).map((r, i) => ({ from: have[i]!.size, to: r.size, bytes: (pick(r)! - pick(have[i]!)!) / (r.size - have[i]!.size) }));
}

function forksOf(r: BenchRow): string {
  return /forks \d+/.exec(r.subject)?.[0] ?? '';
}

export function queueTable(rows: readonly BenchRow[], skipped: string | undefined): string[] {
  const head = 'QUEUE: runbook apply --check over N small devices (one `runbook lab serve`), local executor and through a private redis-server with `runbook worker` processes; spawn to exit';
  if (skipped !== undefined) return [head, `  skipped: ${skipped}`];
  const runs = rows.filter((r) => r.section === 'queue' && !r.subject.startsWith('Redis used_memory'));
  const ms = (v: number | undefined, n: number | undefined) => (v === undefined || !n ? '' : `${(v / n).toFixed(2)} ms`);
  return [
    head,
    ...table(
      ['hosts', 'run', 'wall time', '× local', 'per host', 'coord. CPU', 'coord. peak RSS', 'workers CPU', 'worker peak RSS', 'Redis CPU', 'note'],
      runs.map((r) => [
        count(r.size),
        r.subject,
        ...(r.ok
          ? [
              seconds(r.wallMs),
              times(r.ratio),
              r.ms !== undefined ? ms(r.ms, r.items) : ms(r.wallMs, r.items),
              seconds(r.cpuMs),
              rss(r.peakRssBytes),
              seconds(r.queue?.workerCpuMs),
              rss(r.queue?.workerPeakRssBytes),
              seconds(r.queue?.redisCpuMs),
              r.note ?? '',
            ]
          : ['fails', '', '', '', rss(r.peakRssBytes), '', '', '', r.failure ?? '']),
      ]),
      new Set([0, 2, 3, 4, 5, 6, 7, 8, 9]),
    ),
    '  per host: wall time over hosts (the queue alone: wall time less the CLI start, over jobs); workers CPU: all worker processes together',
    ...queuePerHostLines(rows),
  ];
}

function queuePerHostLines(rows: readonly BenchRow[]): string[] {
  const out: string[] = [];
  const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
  for (const r of queueApplies(rows)) {
    const q = r.queue;
    if (q?.workerCpuMs !== undefined) {
      out.push(
        `  ${count(r.size)} hosts through Redis: workers ${(q.workerCpuMs / r.size).toFixed(1)} ms CPU per host (${(r.size / (q.workerCpuMs / 1000)).toFixed(0)} hosts/s per busy worker core; starting took them ${seconds(q.workerStartCpuMs)} more), ` +
          `coordinator ${((r.cpuMs ?? 0) / r.size).toFixed(2)} ms (its start included), Redis ${((q.redisCpuMs ?? 0) / r.size).toFixed(2)} ms`,
      );
    }
    if (q?.redisUsedBytesAfter !== undefined && q.redisUsedBytesBefore !== undefined) {
      const delta = q.redisUsedBytesAfter - q.redisUsedBytesBefore;
      const stream = q.eventStreamBytes ?? 0;
      out.push(
        `    Redis used_memory after the run against before (the coordinator removed every job): ${kib(delta)}; the queue's event stream (BullMQ trims it to about 10,000 entries, whatever the hosts) ` +
          `${kib(stream)} in ${count(q.eventStreamEntries)} entries; the rest ${kib(delta - stream)}, ${((delta - stream) / r.size).toFixed(0)} bytes per host (one-off costs, BullMQ's scripts and the playbook, count at small sizes; closed connections give back their buffers)`,
      );
    }
    if (q?.jobTimes) out.push(`    ${jobPath(q.jobTimes)}`);
  }
  const growth = coordinatorGrowth(rows);
  if (growth.length > 0) out.push(`  coordinator peak RSS per added host: ${growth.map((g) => `${count(g.from)}→${count(g.to)}: ${kib(g.bytes)}`).join(', ')}`);
  const held = coordinatorGrowth(rows, (r) => r.retainedHeapBytes);
  if (held.length > 0) out.push(`  coordinator heap after a full GC at exit, per added host (what it holds, not what the collector let pile up): ${held.map((g) => `${count(g.from)}→${count(g.to)}: ${kib(g.bytes)}`).join(', ')}`);
  for (const r of queueAloneRows(rows)) {
    const q = r.queue;
    const t = q?.jobTimes;
    const perSecond = t?.spanMs ? ` ${(t.jobs / (t.spanMs / 1000)).toFixed(0)} jobs/s through one worker process,` : '';
    out.push(
      `  the queue alone at ${forksOf(r)}:${perSecond} enqueue → result ${t?.totalMs ?? '?'} ms per job (median; p90 ${t?.totalP90Ms ?? '?'} ms)` +
        (q?.workerCpuMs !== undefined ? `; CPU per job: worker ${(q.workerCpuMs / r.items!).toFixed(2)} ms, coordinator ${((r.cpuMs ?? 0) / r.items!).toFixed(2)} ms (its start included), Redis ${((q.redisCpuMs ?? 0) / r.items!).toFixed(2)} ms` : ''),
    );
    if (t) out.push(`    ${jobPath(t)}`);
  }
  for (const r of rows.filter((x) => x.section === 'queue' && x.subject.startsWith('Redis used_memory'))) {
    if (!r.ok) {
      out.push(`  ${r.subject}: ${r.failure ?? 'no figure'}`);
      continue;
    }
    const stream = r.queue?.eventStreamBytes;
    out.push(
      `  ${r.subject}: ${(r.bytes! / r.items!).toFixed(0)} bytes per job (${kib(r.bytes!)} for ${count(r.items)}; one job's hash ${r.queue?.oneJobBytes ?? '?'} bytes` +
        (stream !== undefined ? `; the event stream's added/waiting events ${(stream / r.items!).toFixed(0)} bytes per job` : '') +
        `); ${r.note ?? ''}`,
    );
  }
  return out;
}

/** A job's path through the queue, medians on Redis's clock. */
function jobPath(t: JobTimes): string {
  const overhead = t.pickupMs !== undefined && t.returnMs !== undefined ? `; the queue's share (taken + read) ${t.pickupMs + t.returnMs} ms` : '';
  return `per job (median of the last ${count(t.jobs)} jobs, Redis clock): enqueued → taken ${t.pickupMs} ms, worker ${t.runMs} ms, result → read ${t.returnMs} ms, in all ${t.totalMs} ms${overhead}`;
}

/** A ratio target is judged only at the size the issue names; smaller runs (--quick) just show the figure. */
function judged(row: BenchRow, atSize: number, most: number): boolean | undefined {
  return row.size < atSize || row.ratio === undefined ? undefined : row.ratio <= most;
}

export function targetLines(checks: readonly TargetCheck[]): string[] {
  return ['TARGETS', ...checks.map((c) => `  ${c.met === undefined ? '  -  ' : c.met ? ' met ' : 'MISSED'}  ${c.target}: ${c.figure}`)];
}

/** Ansible's time over the bare connect floor on the same devices: no client can be more times faster than this. */
function foilCeiling(rows: readonly BenchRow[], ansible: BenchRow): string {
  const floor = rows.find((r) => r.section === 'foil' && r.role === 'floor' && r.ok && r.size === ansible.size);
  if (!floor?.wallMs || !ansible.wallMs) return '';
  return `; the bare connect+auth+hello floor is ${times(ansible.wallMs / floor.wallMs)} faster than Ansible, the most any client could be`;
}
