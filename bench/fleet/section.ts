import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO, runNode, runTsChild } from '../lib/child.ts';
import { busy, summariseProfile, type ProfileSummary } from '../lib/cpu-profile.ts';
import type { BenchRow } from '../lib/rows.ts';
import { serveLab } from '../lib/served-lab.ts';
import { runApply } from './apply.ts';

/**
 * A small device: the seed's first sample (one peer, 4.0.0.2, above 50 sessions) cut
 * down to 100 AH sessions from 10 peers, so a fleet run measures per-host overhead
 * (connection, engine, events, output) rather than parsing.
 */
export const SMALL_DEVICE = { scenario: 'one-peer', seed: 1, ahSessions: 100, peers: 10 } as const;

/**
 * Thresholds for the small device, as an inventory's group vars (the "edited script"
 * values, which only the base bounds constrain): every step of the playbook runs and
 * each host plans its clears, rather than stopping at the first gate.
 */
export const SMALL_THRESHOLDS = 'all:\n  vars:\n    min_total_sessions: 50\n    min_peer_sessions: 50\n';

export interface FloorResult {
  readonly ok: boolean;
  readonly ms: number;
  readonly failed: number;
  readonly firstFailure?: string;
  readonly peakRssBytes?: number;
  readonly cpuMs?: number;
}

export interface FleetSectionOptions {
  readonly sizes: readonly number[];
  readonly forks: number;
  readonly dir: string;
  /** CPU-profile one more apply (not timed) at 1000 devices, the size, or the largest run below it. */
  readonly profile?: boolean;
  readonly openFilesLimit?: number;
  readonly log?: (line: string) => void;
}

export interface FleetSection {
  readonly rows: BenchRow[];
  /** `runbook validate playbooks/ah-cleanup.yml`, spawn to exit: the CLI's fixed cost, in every apply's wall time. */
  readonly cliStartMs: number;
  readonly profile?: ProfileSummary & { readonly devices: number };
}

/**
 * For each fleet size: serve that many small devices from one `runbook lab serve`
 * process, then the floor (bare ssh2 connect + auth + subsystem + hello to every device,
 * `forks` at a time) and `runbook apply playbooks/ah-cleanup.yml --check` with the same
 * forks, each a process of its own timed from spawn to exit.
 */
export async function fleetSection(opts: FleetSectionOptions): Promise<FleetSection> {
  const rows: BenchRow[] = [];
  const log = opts.log ?? (() => undefined);
  let profile: FleetSection['profile'];
  const profiled = Math.max(...opts.sizes.filter((n) => n <= 1000), Math.min(...opts.sizes));
  const cliStartMs = (await runNode([join(REPO, 'bin/runbook.js'), 'validate', 'playbooks/ah-cleanup.yml'])).wallMs;
  for (const devices of opts.sizes) {
    const forks = Math.min(opts.forks, devices);
    const need = devices + 2 * forks + 64;
    if (opts.openFilesLimit !== undefined && opts.openFilesLimit < need) {
      rows.push({ section: 'fleet', size: devices, subject: 'runbook lab serve', role: 'floor', ok: false, failure: `open files limit ${opts.openFilesLimit} < ${need}: raise ulimit -n` });
      continue;
    }
    const dir = await mkdtemp(join(opts.dir, `fleet-${devices}-`));
    log(`fleet: serving ${devices} devices`);
    const lab = await serveLab({ hosts: devices, ...SMALL_DEVICE, dir });
    try {
      log(`fleet: lab of ${devices} devices ready in ${(lab.startMs / 1000).toFixed(1)} s; bare connect + hello, ${forks} at a time`);
      const floor = await runTsChild<FloorResult>('bench/fleet/hello-floor.ts', [lab.inventory, String(forks)], { timeoutMs: 1_800_000 });
      const f = floor.result;
      const floorOk = f?.ok === true;
      rows.push({
        section: 'fleet',
        size: devices,
        subject: `bare ssh2 connect+auth+hello (floor), forks ${forks}`,
        role: 'floor',
        ok: floorOk,
        ...(floorOk ? { ms: f.ms, wallMs: floor.wallMs, ratio: 1, ratio2: 1 } : { failure: f?.firstFailure ?? floor.failure ?? 'no result' }),
        ...(f?.cpuMs !== undefined ? { cpuMs: f.cpuMs } : {}),
        ...(f?.peakRssBytes !== undefined ? { peakRssBytes: f.peakRssBytes } : {}),
        items: devices,
      });
      const thresholds = join(dir, 'thresholds.yml');
      await writeFile(thresholds, SMALL_THRESHOLDS);
      log(`fleet: runbook apply --check over ${devices} devices, forks ${forks}`);
      const apply = await runApply({ inventories: [lab.inventory, thresholds], forks, dir, nodeArgs: ['--expose-gc'] });
      const ratio = floorOk ? apply.wallMs / floor.wallMs : undefined;
      const cpuRatio = floorOk && f.cpuMs && apply.memory?.cpuMs ? apply.memory.cpuMs / f.cpuMs : undefined;
      log(`fleet: the same apply again, not timed, with a full GC every second to find the live heap`);
      const live = apply.code === 0 ? await runApply({ inventories: [lab.inventory, thresholds], forks, dir, liveHeapEveryMs: 1000 }) : undefined;
      rows.push({
        section: 'fleet',
        size: devices,
        subject: `runbook apply --check, forks ${forks}`,
        role: 'runbook',
        ok: apply.code === 0,
        ...(apply.failure ? { failure: apply.failure } : {}),
        wallMs: apply.wallMs,
        ...(ratio !== undefined ? { ratio } : {}),
        ...(apply.memory?.cpuMs !== undefined ? { cpuMs: apply.memory.cpuMs } : {}),
        ...(cpuRatio !== undefined ? { ratio2: cpuRatio } : {}),
        ...(apply.memory?.peakRssBytes !== undefined ? { peakRssBytes: apply.memory.peakRssBytes } : {}),
        ...(apply.memory?.heapAfterGcBytes !== undefined ? { retainedHeapBytes: apply.memory.heapAfterGcBytes } : {}),
        ...(live?.memory?.liveHeapPeakBytes !== undefined ? { liveHeapPeakBytes: live.memory.liveHeapPeakBytes } : {}),
        items: devices,
        ...(apply.recap ? { note: apply.recap } : {}),
      });
      if (devices >= 1000 && apply.code === 0) rows.push(await smallerHeap(devices, forks, [lab.inventory, thresholds], dir, floorOk ? floor.wallMs : undefined, log));
      if (devices === profiled && opts.profile && apply.code === 0) {
        log(`fleet: profiling one more apply over ${devices} devices (node --cpu-prof), not timed`);
        const profDir = join(dir, 'cpu-prof');
        await runApply({ inventories: [lab.inventory, thresholds], forks, dir, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir] });
        // One profile per thread: tsx's loader thread idles; the main thread is the busiest.
        const summaries = await Promise.all((await readdir(profDir)).filter((f) => f.endsWith('.cpuprofile')).map((f) => summariseProfile(join(profDir, f))));
        const busiest = summaries.sort((a, b) => busy(b) - busy(a))[0];
        if (busiest) profile = { devices, ...busiest };
      }
    } finally {
      await lab.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }
  return { rows, cliStartMs, ...(profile ? { profile } : {}) };
}

/**
 * The same apply with V8 told to favour memory over speed (`node --optimize-for-size`, what
 * a `--redis` coordinator sets for itself): how much of the peak RSS is garbage V8 let
 * pile up, and what collecting sooner costs in time. A user can choose it with NODE_OPTIONS.
 */
async function smallerHeap(devices: number, forks: number, inventories: string[], dir: string, floorWallMs: number | undefined, log: (line: string) => void): Promise<BenchRow> {
  log(`fleet: the same apply with node --optimize-for-size`);
  const run = await runApply({ inventories, forks, dir, nodeArgs: ['--optimize-for-size'] });
  return {
    section: 'fleet',
    size: devices,
    subject: `runbook apply --check, forks ${forks}, node --optimize-for-size`,
    role: 'variant',
    ok: run.code === 0,
    ...(run.failure ? { failure: run.failure } : {}),
    wallMs: run.wallMs,
    ...(floorWallMs !== undefined ? { ratio: run.wallMs / floorWallMs } : {}),
    ...(run.memory?.cpuMs !== undefined ? { cpuMs: run.memory.cpuMs } : {}),
    ...(run.memory?.peakRssBytes !== undefined ? { peakRssBytes: run.memory.peakRssBytes } : {}),
    items: devices,
    ...(run.recap ? { note: run.recap } : {}),
  };
}
