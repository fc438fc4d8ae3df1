import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { EngineHost } from '../../engine/host-run.ts';
import { takeSnapshot, type SnapshotOutcome } from '../../engine/snapshot-run.ts';
import { loadPlaybook } from '../../playbook/load.ts';
import { visible } from '../../plan/visible.ts';
import { writeFileAtomic } from '../../report/atomic-write.ts';
import { UsageError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import { asUsageError } from '../input-errors.ts';
import { collect, positiveInt, positiveNumber } from '../option-parsers.ts';
import { playbookSettings } from '../limit-options.ts';
import { checkOutputPaths } from '../output-paths.ts';
import { ansibleContext, engineHosts, inventorySources, resolveTargets } from '../targets.ts';
import { addVaultOptions, type VaultOptions } from '../vault-passwords.ts';
import { version } from '../version.ts';

interface SnapshotOptions extends VaultOptions {
  inventory: string[];
  limit?: string;
  extraVars: string[];
  name: string;
  out: string;
  forks?: number;
  knownHosts: string;
  acceptNew?: boolean;
  connectTimeout?: number;
  rpcTimeout?: number;
}

/** A snapshot's name is a directory under -o: letters, digits, `.`, `_`, `-`, not `.` or `..`. */
const NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,64}$/;

export function registerSnapshotCommand(program: Command): void {
  addVaultOptions(program.command('snapshot'))
    .description("Run only the playbook's collect steps (read-only RPCs) on each targeted host and save what they collected, one file per host")
    .argument('<playbook>', 'playbook file (YAML)')
    .requiredOption('--name <name>', 'the snapshot\'s name, e.g. pre or post: files go to DIR/NAME/HOST.json')
    .requiredOption('-o, --out <dir>', 'the directory the snapshots go under')
    .option('-i, --inventory <file>', 'Ansible-style inventory; repeatable (default: the built-in lab)', collect, [])
    .option('-l, --limit <pattern>', 'limit hosts with an Ansible pattern')
    .option('-e, --extra-vars <k=v|@file>', 'set playbook vars (collect arguments may read them); repeatable', collect, [])
    .option('-f, --forks <n>', 'hosts in flight at once (default: ansible.cfg forks / ANSIBLE_FORKS, else 5)', positiveInt)
    .option('--known-hosts <file>', 'known_hosts for hosts that do not set runbook_known_hosts', join(homedir(), '.ssh', 'known_hosts'))
    .option('--accept-new', 'trust and record unknown host keys (never changed ones)')
    .option('--connect-timeout <seconds>', 'connect, authenticate and exchange hellos within', positiveNumber)
    .option('--rpc-timeout <seconds>', 'longest wait for reply data on one RPC', positiveNumber)
    .action(async (playbook: string, opts: SnapshotOptions) => {
      process.exitCode = await snapshot(playbook, opts);
    });
}

async function snapshot(playbookFile: string, opts: SnapshotOptions): Promise<number> {
  if (!NAME.test(opts.name)) throw new UsageError(`--name ${visible(opts.name)}: a snapshot name is letters, digits, '.', '_' and '-' (it names a directory under --out)`);
  const { settings, vault } = await ansibleContext(opts);
  const playbook = await asUsageError(() => loadPlaybook(playbookFile));
  const targets = await resolveTargets(playbook, {
    inventoryFiles: inventorySources(opts.inventory, settings),
    extraVars: opts.extraVars,
    knownHosts: opts.knownHosts,
    vault,
    ansible: settings,
    ...(opts.sshConfig !== undefined ? { sshConfig: opts.sshConfig } : {}),
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
    ...(opts.acceptNew ? { acceptNew: true } : {}),
  });
  if (!playbook.steps.some((s) => s.kind === 'collect' && s.register !== undefined)) {
    throw new UsageError(`${playbook.file}: no collect step registers a table: there is nothing to snapshot`);
  }
  const dir = join(opts.out, opts.name);
  checkOutputPaths([{ option: '--out', path: dir, kind: 'created-dir' }]);
  const { hosts, lab } = await engineHosts(targets, () => true, {
    playbook: playbookSettings(playbook),
    cli: { ...(opts.connectTimeout !== undefined ? { connectS: opts.connectTimeout } : {}), ...(opts.rpcTimeout !== undefined ? { rpcS: opts.rpcTimeout } : {}) },
  });
  let outcomes: Map<string, SnapshotOutcome>;
  try {
    outcomes = await inPool(hosts, opts.forks ?? settings.forks ?? 5, (h) => takeSnapshot(playbook, h, { name: opts.name, version }));
  } finally {
    await lab?.stop();
  }
  mkdirSync(dir, { recursive: true });
  let failed = 0;
  let unreachable = 0;
  for (const h of hosts) {
    const outcome = outcomes.get(h.name)!;
    if (!outcome.ok) {
      if (outcome.unreachable) unreachable++;
      else failed++;
      process.stdout.write(`${visible(h.name)}: ${outcome.unreachable ? 'unreachable' : 'failed'} (${outcome.failure.kind}): ${visible(outcome.failure.message)}\n`);
      continue;
    }
    const file = join(dir, `${encodeURIComponent(h.name)}.json`);
    writeFileAtomic(file, JSON.stringify(outcome.snapshot, null, 2) + '\n');
    const counts = Object.entries(outcome.snapshot.tables).map(([name, t]) => `${name} ${t.count}`);
    const skipped = Object.entries(outcome.snapshot.skipped).map(([name, why]) => `${name} not collected: ${why}`);
    process.stdout.write(`${visible(h.name)}: ${[counts.join(', ') || 'no tables', ...skipped].map(visible).join('; ')} → ${file}\n`);
  }
  process.stdout.write(`snapshot ${opts.name}: ${hosts.length - failed - unreachable} of ${hosts.length} hosts written under ${dir}\n`);
  if (failed > 0) return ExitCode.HostsFailed;
  return unreachable > 0 ? ExitCode.HostsUnreachable : ExitCode.Ok;
}

/** Runs `work` on every host, at most `forks` at a time; the results by host name. */
async function inPool<T>(hosts: readonly EngineHost[], forks: number, work: (h: EngineHost) => Promise<T>): Promise<Map<string, T>> {
  const results = new Map<string, T>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < hosts.length) {
      const h = hosts[next++]!;
      results.set(h.name, await work(h));
    }
  };
  await Promise.all(Array.from({ length: Math.min(forks, hosts.length) }, worker));
  return results;
}
