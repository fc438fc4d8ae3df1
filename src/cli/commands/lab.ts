import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { createLabBackend, describeScenarios } from '../../lab/backend.ts';
import { ScenarioError } from '../../lab/errors.ts';
import { FAULT_NAMES, faultFromName, type LabFaults } from '../../lab/faults.ts';
import { labInventoryYaml } from '../../lab/inventory-file.ts';
import { Lab, type LabHostSpec } from '../../lab/lab.ts';
import { UsageError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import { collect, nonNegativeInt, port, positiveInt } from '../option-parsers.ts';

interface ServeOptions {
  hosts: number;
  port: number;
  scenario: string;
  seed: number;
  ahSessions?: number;
  peers?: number;
  spus?: number;
  cluster?: boolean;
  base11?: boolean;
  fault: string[];
  dir: string;
  inventoryOut?: string;
}

export const DEFAULT_LAB_DIR = '.runbook/lab';

export function registerLabCommand(program: Command): void {
  const lab = program.command('lab').description('Simulated SRX devices: real NETCONF-over-SSH servers on 127.0.0.1');
  lab
    .command('serve')
    .description('Run lab devices in the foreground until Ctrl-C')
    .option('--hosts <n>', 'number of devices', positiveInt, 4)
    .option('--port <port>', 'first port; devices take consecutive ports (0: each device takes a free port)', portOrZero, 10830)
    .option('--scenario <name>', 'device scenario (see `runbook lab scenarios`)', 'busy')
    .option('--seed <n>', 'seed of the first device; device i uses seed + i', nonNegativeInt, 1)
    .option('--ah-sessions <n>', 'override: total AH sessions per device', nonNegativeInt)
    .option('--peers <n>', 'override: number of VPN peers', positiveInt)
    .option('--spus <n>', 'override: SPUs per node', positiveInt)
    .option('--cluster', 'override: chassis cluster (node0/node1)')
    .option('--no-cluster', 'override: standalone')
    .option('--base11', 'offer base:1.1 (chunked framing) in the hello')
    .option('--fault <host=fault>', `give a device a fault (${FAULT_NAMES.join(', ')}); repeatable`, collect, [])
    .option('--dir <dir>', 'where host keys, known_hosts and the client key are kept', DEFAULT_LAB_DIR)
    .option('--inventory-out <file>', 'write an Ansible-style inventory for the devices')
    .action(async (opts: ServeOptions) => {
      process.exitCode = await serve(opts);
    });
  lab
    .command('scenarios')
    .description('List the lab scenarios')
    .action(() => {
      for (const s of describeScenarios()) process.stdout.write(`${s.name.padEnd(12)} ${s.description}\n`);
    });
}

/** A port, or 0 for "any free port": the ports are then in the ready lines and the inventory. */
function portOrZero(value: string): number {
  return value === '0' ? 0 : port(value);
}

export function labHostName(i: number, count: number): string {
  return `lab-srx-${String(i + 1).padStart(Math.max(2, String(count).length), '0')}`;
}

async function serve(opts: ServeOptions): Promise<number> {
  const names = Array.from({ length: opts.hosts }, (_, i) => labHostName(i, opts.hosts));
  const faults = parseFaults(opts.fault, names);
  const overrides = {
    ...(opts.ahSessions !== undefined ? { ahSessions: opts.ahSessions } : {}),
    ...(opts.peers !== undefined ? { peers: opts.peers } : {}),
    ...(opts.spus !== undefined ? { spus: opts.spus } : {}),
    ...(opts.cluster !== undefined ? { cluster: opts.cluster } : {}),
  };
  const specs: LabHostSpec[] = names.map((name, i) => ({
    name,
    scenario: opts.scenario,
    seed: opts.seed + i,
    overrides,
    ...(faults.has(name) ? { faults: faults.get(name) } : {}),
    ...(opts.base11 ? { base11: true } : {}),
  }));
  let lab: Lab;
  try {
    lab = await Lab.start({ hosts: specs, port: opts.port, dir: resolve(opts.dir), backend: createLabBackend });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new UsageError(`port ${e.message.match(/:(\d+)/)?.[1] ?? opts.port} is in use: choose another --port, or --port 0`);
    if (e.code === 'EMFILE') throw new UsageError(`too many open files for ${opts.hosts} devices: raise the limit (ulimit -n) above ${opts.hosts + 64}`);
    if (err instanceof RangeError || err instanceof ScenarioError) throw new UsageError(err.message);
    throw err;
  }
  for (const h of lab.hosts) {
    const fault = h.spec.faults ? `  fault: ${opts.fault.find((f) => f.startsWith(`${h.spec.name}=`))?.split('=')[1]}` : '';
    process.stdout.write(
      `ready ${h.spec.name}  ${h.address}:${h.port}  scenario ${h.spec.scenario} seed ${h.spec.seed}  ${h.backend.summary}${fault}\n`,
    );
  }
  if (opts.inventoryOut) {
    const yaml = labInventoryYaml(
      lab.hosts.map((h) => ({ name: h.spec.name, address: h.address, port: h.port, scenario: h.spec.scenario, seed: h.spec.seed })),
      { knownHosts: lab.knownHostsFile, clientKey: lab.clientKeyFile },
    );
    await writeFile(opts.inventoryOut, yaml);
    process.stdout.write(`inventory written to ${opts.inventoryOut}\n`);
  }
  process.stdout.write(`known_hosts: ${lab.knownHostsFile}  (user lab, password lab123, or key ${lab.clientKeyFile})\nCtrl-C stops the lab.\n`);
  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await lab.stop();
  process.stdout.write('lab stopped\n');
  return ExitCode.Ok;
}

function parseFaults(list: readonly string[], names: readonly string[]): Map<string, LabFaults> {
  const out = new Map<string, LabFaults>();
  for (const item of list) {
    const [host, fault] = item.split('=');
    if (!host || !fault) throw new InvalidArgumentError(`--fault wants HOST=FAULT, got '${item}'`);
    if (!names.includes(host)) throw new UsageError(`--fault ${item}: no lab host '${host}' (hosts are ${names[0]}..${names[names.length - 1]})`);
    const f = faultFromName(fault);
    if (!f) throw new UsageError(`--fault ${item}: unknown fault '${fault}' (known: ${FAULT_NAMES.join(', ')})`);
    out.set(host, { ...out.get(host), ...f });
  }
  return out;
}
