import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLabBackend } from '../lab/backend.ts';
import { Lab, LAB_USER } from '../lab/lab.ts';
import type { InventoryHost } from '../inventory/types.ts';
import type { ConnectOptions } from '../transport/options.ts';
import { ExitCode } from './exit-codes.ts';

export interface InProcessLab {
  /** Connection settings for each lab host, by inventory name. */
  readonly connections: ReadonlyMap<string, ConnectOptions>;
  stop(): Promise<void>;
}

/**
 * Starts the lab devices an inventory asks for (hosts with `lab_scenario` and no
 * `ansible_host`) in this process, on free loopback ports, with keys in a temp dir.
 * This is what makes `runbook apply playbooks/ah-cleanup.yml` work on a fresh clone.
 */
export async function startInventoryLab(hosts: readonly InventoryHost[]): Promise<InProcessLab | undefined> {
  const labHosts = hosts.filter((h) => h.lab !== undefined);
  if (labHosts.length === 0) return undefined;
  // The handlers go on before the dir exists: a signal between its creation and their
  // registration would otherwise end the process by default and leave the dir behind.
  removedAtExit.arm();
  const dir = await mkdtemp(join(tmpdir(), 'runbook-lab-')).catch((err: unknown) => {
    removedAtExit.disarm();
    throw err;
  });
  removedAtExit.add(dir);
  const lab = await Lab.start({
    dir,
    backend: createLabBackend,
    hosts: labHosts.map((h) => ({
      name: h.name,
      scenario: h.lab!.scenario,
      seed: h.lab!.seed,
      overrides: h.lab!.overrides,
      ...(h.lab!.faults ? { faults: h.lab!.faults } : {}),
      ...(h.lab!.base11 ? { base11: true } : {}),
    })),
  });
  const privateKey = await readFile(lab.clientKeyFile);
  const connections = new Map<string, ConnectOptions>(
    lab.hosts.map((h) => [h.spec.name, { name: h.spec.name, address: h.address, port: h.port, username: LAB_USER, privateKey, knownHostsFile: lab.knownHostsFile }]),
  );
  return {
    connections,
    async stop() {
      await lab.stop();
      await rm(dir, { recursive: true, force: true });
      removedAtExit.delete(dir);
    },
  };
}

/**
 * The lab's temp dirs (keys, known_hosts), removed however the process ends: a run cut
 * short by a second Ctrl-C, an EPIPE or an error exits without stopping the lab. A
 * signal nothing else handles would end the process without an 'exit' event: while a
 * dir exists, such a signal exits (with the interrupt code) through it.
 */
const labDirs = new Set<string>();

function removeLabDirs(): void {
  for (const dir of labDirs) rmSync(dir, { recursive: true, force: true });
}

function exitOnUnhandledSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) === 1) process.exit(ExitCode.Interrupted);
}

/** Dirs about to be made or made and not yet removed: the handlers are on while there are any. */
let held = 0;

const removedAtExit = {
  arm(): void {
    if (held++ > 0) return;
    process.on('exit', removeLabDirs);
    process.on('SIGINT', exitOnUnhandledSignal);
    process.on('SIGTERM', exitOnUnhandledSignal);
  },
  disarm(): void {
    if (--held > 0) return;
    process.off('exit', removeLabDirs);
    process.off('SIGINT', exitOnUnhandledSignal);
    process.off('SIGTERM', exitOnUnhandledSignal);
  },
  /** A dir made after arm(). */
  add(dir: string): void {
    labDirs.add(dir);
  },
  delete(dir: string): void {
    if (labDirs.delete(dir)) this.disarm();
  },
};
