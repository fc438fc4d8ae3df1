import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReplySource } from '../parse/generate-reply.ts';
import { runApply } from '../fleet/apply.ts';
import { runTsChild } from '../lib/child.ts';
import type { BenchRow } from '../lib/rows.ts';
import { serveLab } from '../lib/served-lab.ts';

interface ReplyResult {
  readonly ok: boolean;
  readonly connectMs: number;
  readonly ms: number;
  readonly bytes: number;
  readonly items?: number;
  readonly peakRssBytes?: number;
}

export interface ReplySectionOptions {
  readonly sizes: readonly number[];
  readonly source: ReplySource;
  readonly dir: string;
  /** The byte scan's time for a reply of this many sessions (the parser section's floor). */
  readonly byteScanMs: (sessions: number) => Promise<number | undefined>;
  readonly log?: (line: string) => void;
}

/**
 * One huge reply end to end: a lab device served by `runbook lab serve` in its own
 * process, then two clients in turn, each in a process of its own: plain ssh2 counting
 * the reply's bytes (the channel floor: lab rendering + SSH), and runbook's collect.
 */
export async function replySection(opts: ReplySectionOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const log = opts.log ?? (() => undefined);
  for (const sessions of opts.sizes) {
    const dir = await mkdtemp(join(opts.dir, `reply-${sessions}-`));
    log(`reply: serving a ${sessions}-session device`);
    const lab = await serveLab({ hosts: 1, scenario: opts.source.scenario, seed: opts.source.seed, ahSessions: sessions, ...(opts.source.peers !== undefined ? { peers: opts.source.peers } : {}), dir });
    try {
      const scanMs = await opts.byteScanMs(sessions);
      log(`reply: ssh2 channel floor, ${sessions} sessions`);
      const channel = await runTsChild<ReplyResult>('bench/reply/channel-floor.ts', [lab.inventory], { timeoutMs: 3_600_000 });
      log(`reply: runbook collect, ${sessions} sessions`);
      const collect = await runTsChild<ReplyResult>('bench/reply/collect.ts', [lab.inventory], { timeoutMs: 3_600_000 });
      const channelMs = channel.result?.ok ? channel.result.ms : undefined;
      rows.push(row(sessions, 'ssh2 channel, bytes only (floor)', 'floor', channel.result, channel.failure, scanMs, undefined));
      rows.push(row(sessions, 'runbook collect over NETCONF/SSH', 'runbook', collect.result, collect.failure, scanMs, channelMs));
      // The collect is what the target is about; the whole playbook shows what comes after it (analyze over every record).
      log(`reply: runbook apply playbooks/ah-cleanup.yml --check, ${sessions} sessions`);
      const apply = await runApply({ inventories: [lab.inventory], forks: 1, dir });
      const bytes = channel.result?.bytes;
      rows.push({
        section: 'reply',
        size: sessions,
        subject: 'runbook apply, whole playbook (wall)',
        role: 'runbook',
        ok: apply.code === 0,
        ...(apply.failure ? { failure: apply.failure } : {}),
        wallMs: apply.wallMs,
        ms: apply.wallMs,
        ...(bytes !== undefined ? { bytes, mbps: bytes / 1e3 / apply.wallMs } : {}),
        ...(scanMs !== undefined ? { ratio: apply.wallMs / scanMs } : {}),
        ...(channelMs !== undefined ? { ratio2: apply.wallMs / channelMs } : {}),
        ...(apply.memory?.peakRssBytes !== undefined ? { peakRssBytes: apply.memory.peakRssBytes } : {}),
        note: 'spawn to exit: CLI start, connect, both collects, analyze, plan',
      });
      const labRss = await lab.peakRssBytes();
      log(`reply: lab process peak RSS ${labRss !== undefined ? Math.round(labRss / 2 ** 20) : '?'} MiB (not in the figures)`);
    } finally {
      await lab.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }
  return rows;
}

function row(size: number, subject: string, role: BenchRow['role'], r: ReplyResult | undefined, failure: string | undefined, scanMs: number | undefined, channelMs: number | undefined): BenchRow {
  if (!r?.ok) return { section: 'reply', size, subject, role, ok: false, failure: failure ?? 'no result' };
  return {
    section: 'reply',
    size,
    subject,
    role,
    ok: true,
    ms: r.ms,
    bytes: r.bytes,
    mbps: r.bytes / 1e3 / r.ms,
    ...(scanMs !== undefined ? { ratio: r.ms / scanMs } : {}),
    ...(channelMs !== undefined ? { ratio2: r.ms / channelMs } : {}),
    ...(r.peakRssBytes !== undefined ? { peakRssBytes: r.peakRssBytes } : {}),
    ...(r.items !== undefined ? { items: r.items } : {}),
    note: `connect ${(r.connectMs / 1000).toFixed(2)} s`,
  };
}
