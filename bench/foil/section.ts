import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runTsChild } from '../lib/child.ts';
import type { BenchRow } from '../lib/rows.ts';
import { serveLab, type LabServeOptions } from '../lib/served-lab.ts';
import { runApply } from '../fleet/apply.ts';
import { SMALL_DEVICE, SMALL_THRESHOLDS, type FloorResult } from '../fleet/section.ts';
import { LARGE_DEVICE } from '../parse/generate-reply.ts';
import { ansibleHome, findAnsible, writeAnsibleProject } from './ansible.ts';

/** A busy device: the large scenario (SRX5800, 4 SPUs) holding 25k AH sessions, ~67 MB of reply. */
export const BUSY_DEVICE = { ...LARGE_DEVICE, ahSessions: 25_000 } as const;

/**
 * Ansible held about 1.6 GiB per busy device here (summed PSS; the reply read whole,
 * then copied as text and as lines): a busy case runs only with room for 2 GiB each.
 */
export const BUSY_ANSIBLE_BYTES = 2 * 2 ** 30;

/** Why a busy case cannot run on this machine's free memory, or undefined when it can. */
export function busyRoomProblem(devices: number, availableBytes: number | undefined): string | undefined {
  if (availableBytes === undefined) return undefined;
  const need = devices * BUSY_ANSIBLE_BYTES;
  if (availableBytes >= need) return undefined;
  return `not run: Ansible needs about ${need / 2 ** 30} GiB for ${devices} busy devices (2 GiB each), ${(availableBytes / 2 ** 30).toFixed(1)} GiB is available`;
}

function memAvailableBytes(): number | undefined {
  try {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface FoilCase {
  readonly devices: number;
  readonly kind: 'small' | 'busy';
}

export interface FoilSectionOptions {
  readonly cases: readonly FoilCase[];
  readonly forks: number;
  readonly dir: string;
  readonly log?: (line: string) => void;
}

export interface FoilSection {
  readonly rows: BenchRow[];
  /** Why Ansible did not run, when it did not. */
  readonly skipped?: string;
  readonly ansible?: string;
}

interface AnsibleResult {
  readonly ok: boolean;
  readonly ms: number;
  readonly hosts: number;
  readonly failed: number;
  readonly firstFailure?: string;
  readonly peakPssBytes: number;
  readonly peakSummedRssBytes: number;
  readonly peakProcesses: number;
}

/**
 * Ansible beside runbook on the same lab fleet: `ansible-playbook` with one
 * `junipernetworks.junos.junos_rpc` task collecting the AH sessions of every device
 * (collect only), and `runbook apply playbooks/ah-cleanup.yml --check` (collect, analyze,
 * the SA collect, plan), each with the same forks, each timed from spawn to exit.
 * Skipped, with the reason, where Debian's Ansible or the Junos collection is missing.
 */
export async function foilSection(opts: FoilSectionOptions): Promise<FoilSection> {
  const log = opts.log ?? (() => undefined);
  const rows: BenchRow[] = [];
  const probeDir = await mkdtemp(join(opts.dir, 'foil-probe-'));
  const found = await findAnsible({ PATH: process.env.PATH, HOME: probeDir, LANG: 'C.UTF-8', ANSIBLE_LOCAL_TEMP: join(probeDir, 'tmp') });
  await rm(probeDir, { recursive: true, force: true });
  if ('missing' in found) return { rows, skipped: found.missing };

  for (const c of opts.cases) {
    const forks = Math.min(opts.forks, c.devices);
    const device: Omit<LabServeOptions, 'hosts' | 'dir'> = c.kind === 'small' ? SMALL_DEVICE : BUSY_DEVICE;
    const what = `${c.kind} (${c.kind === 'small' ? `${SMALL_DEVICE.ahSessions}` : `${BUSY_DEVICE.ahSessions / 1000}k`} AH sessions)`;
    const noRoom = c.kind === 'busy' ? busyRoomProblem(c.devices, memAvailableBytes()) : undefined;
    if (noRoom) {
      rows.push({ section: 'foil', size: c.devices, subject: `Ansible ${found.version} junos_rpc, ${what}`, role: 'foil', ok: false, failure: noRoom });
      continue;
    }
    const dir = await mkdtemp(join(opts.dir, `foil-${c.kind}-${c.devices}-`));
    log(`foil: serving ${c.devices} ${c.kind} devices`);
    const lab = await serveLab({ hosts: c.devices, ...device, dir });
    try {
      const inventories = [lab.inventory];
      if (c.kind === 'small') {
        inventories.push(join(dir, 'thresholds.yml'));
        await writeFile(inventories[1]!, SMALL_THRESHOLDS);
      }
      log(`foil: runbook apply --check over ${c.devices} ${c.kind} devices, forks ${forks}`);
      const apply = await runApply({ inventories, forks, dir });
      rows.push({
        section: 'foil',
        size: c.devices,
        subject: `runbook apply --check, ${what}`,
        role: 'runbook',
        ok: apply.code === 0,
        ...(apply.failure ? { failure: apply.failure } : {}),
        wallMs: apply.wallMs,
        ratio: 1,
        ...(apply.memory?.peakRssBytes !== undefined ? { peakRssBytes: apply.memory.peakRssBytes } : {}),
        note: 'collect + analyze + SA collect + plan; one process, peak RSS',
      });

      // The least any client could take on these devices: Ansible's time over it is the most any client could show.
      const floor = c.kind === 'small' ? await helloFloor(lab.inventory, forks, c.devices, log) : undefined;
      if (floor) rows.push(floor);

      log(`foil: ansible-playbook junos_rpc over ${c.devices} ${c.kind} devices, forks ${forks}`);
      const env = await ansibleHome(dir, lab);
      const project = await writeAnsibleProject(dir, lab, found.python);
      const run = await runTsChild<AnsibleResult>('bench/foil/ansible-run.ts', [project.inventory, project.playbook, String(forks), JSON.stringify(env)], { timeoutMs: 3_600_000 });
      const r = run.result;
      const ok = r?.ok === true && apply.code === 0;
      rows.push({
        section: 'foil',
        size: c.devices,
        subject: `Ansible ${found.version} junos_rpc, ${what}`,
        role: 'foil',
        ok: r?.ok === true,
        ...(r?.ok === true ? {} : { failure: r?.firstFailure ?? run.failure ?? 'no result' }),
        ...(r ? { wallMs: r.ms, peakRssBytes: r.peakPssBytes } : {}),
        // How many times runbook's figures Ansible's are: time, then memory.
        ...(ok ? { ratio: r.ms / apply.wallMs } : {}),
        ...(ok && apply.memory?.peakRssBytes ? { ratio2: r.peakPssBytes / apply.memory.peakRssBytes } : {}),
        ...(r ? { note: `collect only; up to ${r.peakProcesses} processes, summed PSS (summed RSS ${Math.round(r.peakSummedRssBytes / 2 ** 20)} MiB)${floor?.wallMs && r.ok ? `; ${(r.ms / floor.wallMs).toFixed(1)}× the floor` : ''}` } : {}),
      });
    } finally {
      await lab.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }
  return { rows, ansible: found.version };
}

/** The fleet section's floor (bare ssh2 connect + auth + hello to each device, same forks) on the foil's devices. */
async function helloFloor(inventory: string, forks: number, devices: number, log: (line: string) => void): Promise<BenchRow> {
  log(`foil: bare connect+auth+hello (floor) over ${devices} devices, forks ${forks}`);
  const floor = await runTsChild<FloorResult>('bench/fleet/hello-floor.ts', [inventory, String(forks)], { timeoutMs: 600_000 });
  const ok = floor.result?.ok === true;
  return {
    section: 'foil',
    size: devices,
    subject: `bare ssh2 connect+auth+hello (floor), forks ${forks}`,
    role: 'floor',
    ok,
    ...(ok ? { wallMs: floor.wallMs } : { failure: floor.result?.firstFailure ?? floor.failure ?? 'no result' }),
    note: 'the least any client could take: spawn to exit',
  };
}
