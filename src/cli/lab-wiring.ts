import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
/**
 * The one seam between the inventory and the simulator. The inventory reads a host's
 * `lab_*` variables as plain data (LabHostRequest); here they are checked against the
 * lab's scenarios and faults (at the line each value was written) and the devices are
 * started. Nothing else outside src/lab and the `runbook lab` command imports the lab.
 */
import { InventoryError } from '../inventory/errors.ts';
import { OVERRIDE_VARS } from '../inventory/lab-request.ts';
import { numberOf } from '../inventory/var-checks.ts';
import type { Inventory, InventoryHost, InventoryIssue, LabHostRequest } from '../inventory/types.ts';
import { ScenarioError } from '../lab/errors.ts';
import { FAULT_NAMES, faultFromName, type LabFaults } from '../lab/faults.ts';
import { LAB_USER } from '../lab/credentials.ts';
import { MAX_AH_SESSIONS, MAX_PEERS, MAX_SPUS, resolveScenario, scenarioNames } from '../lab/scenarios.ts';
import type { ConnectOptions } from '../transport/options.ts';
import { ExitCode } from './exit-codes.ts';

/** The user the lab's devices accept (a plan's binding names it). */
export { LAB_USER };

/** The highest value of each sized lab variable: what the simulator can build. */
const MAX: Readonly<Record<string, number>> = { lab_ah_sessions: MAX_AH_SESSIONS, lab_peers: MAX_PEERS, lab_spus: MAX_SPUS };

/**
 * Throws an InventoryError naming every lab host whose variables the simulator cannot
 * honour: an unknown scenario or fault, a size beyond the lab's, overrides that do not
 * fit the scenario. Called once the inventory is loaded, before anything is started.
 */
export function checkLabHosts(inventory: Inventory): void {
  const issues = inventory.hosts.flatMap((h) => (h.lab ? labIssues(h, h.lab) : []));
  if (issues.length > 0) throw new InventoryError(issues.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column));
}

function labIssues(host: InventoryHost, lab: LabHostRequest): InventoryIssue[] {
  const issues: InventoryIssue[] = [];
  const at = (name: string, message: string): void => void issues.push({ ...(lab.at[name] ?? host.at), message });
  if (!scenarioNames().includes(lab.scenario)) at('lab_scenario', `lab_scenario must be a lab scenario (${scenarioNames().join(', ')}), not ${show(lab.scenario)}`);
  const badFault = lab.faults?.find((f) => !(FAULT_NAMES as readonly string[]).includes(f));
  if (badFault !== undefined) at('lab_fault', `lab_fault must be a fault name or a list of them (${FAULT_NAMES.join(', ')}), not ${show(badFault)}`);
  for (const [name, max] of Object.entries(MAX)) {
    const v = host.vars[name];
    const min = name === 'lab_ah_sessions' ? 0 : 1;
    if ((numberOf(v) ?? 0) > max) at(name, `${name} must be a whole number from ${min} to ${max}, not ${show(v)}`);
  }
  const misfit = issues.length === 0 ? scenarioMisfit(host, lab) : undefined;
  return misfit ? [misfit] : issues;
}

/** Resolves the scenario once, so overrides that cannot fit (too few sessions for the peers, say) fail before the run, at the variable's line. */
function scenarioMisfit(host: InventoryHost, lab: LabHostRequest): InventoryIssue | undefined {
  try {
    resolveScenario(lab.scenario, { ...lab.overrides, seed: lab.seed });
    return undefined;
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    const culprit = err.field && err.field in OVERRIDE_VARS ? OVERRIDE_VARS[err.field as keyof typeof OVERRIDE_VARS] : undefined;
    const where = culprit && host.varsAt[culprit] ? culprit : 'lab_scenario';
    return { ...host.varsAt[where]!, message: `host '${host.name}': ${where}: ${err.message}` };
  }
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The faults a host's `lab_fault` names, combined in order. */
export function labFaults(names: readonly string[] | undefined): LabFaults | undefined {
  if (names === undefined) return undefined;
  let faults: LabFaults = {};
  for (const n of names) faults = { ...faults, ...faultFromName(n) };
  return faults;
}

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
  // The simulator (and ssh2's server side) is loaded only when an inventory asks for lab hosts.
  const [{ Lab }, { createLabBackend }] = await Promise.all([import('../lab/lab.ts'), import('../lab/backend.ts')]);
  // The handlers go on before the dir exists: a signal between its creation and their
  // registration would otherwise end the process by default and leave the dir behind.
  // Made synchronously: with mkdtemp's promise, the dir exists on disk a moment before its
  // name is known here, and a signal in that moment exits with nothing to remove.
  removedAtExit.arm();
  let dir: string;
  try {
    dir = mkdtempSync(join(tmpdir(), 'runbook-lab-'));
  } catch (err) {
    removedAtExit.disarm();
    throw err;
  }
  removedAtExit.add(dir);
  const lab = await Lab.start({
    dir,
    backend: createLabBackend,
    hosts: labHosts.map((h) => {
      const faults = labFaults(h.lab!.faults);
      return {
        name: h.name,
        scenario: h.lab!.scenario,
        seed: h.lab!.seed,
        overrides: h.lab!.overrides,
        ...(faults ? { faults } : {}),
        ...(h.lab!.base11 ? { base11: true } : {}),
      };
    }),
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
