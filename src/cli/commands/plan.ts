import { rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { runPlaybook } from '../../engine/executor.ts';
import type { RunEvent } from '../../engine/events.ts';
import type { RunResult } from '../../engine/results.ts';
import { planFromRun } from '../../plan/from-run.ts';
import { loadPlaybook } from '../../playbook/load.ts';
import { exitCodeOf } from '../exit-codes.ts';
import { asUsageError } from '../input-errors.ts';
import { collect, positiveInt } from '../option-parsers.ts';
import { progressRenderer, RunControl } from '../run-control.ts';
import { recapLines, type Verbosity } from '../render/results.ts';
import { makeStyle } from '../render/style.ts';
import { ansibleContext, engineHosts, extraVarsRecord, inventorySources, listHosts, resolveTargets } from '../targets.ts';
import { version } from '../version.ts';
import { ExitCode } from '../exit-codes.ts';
import { addVaultOptions, type VaultOptions } from '../vault-passwords.ts';

interface PlanOptions extends VaultOptions {
  listHosts?: boolean;
  inventory: string[];
  limit?: string;
  extraVars: string[];
  forks?: number;
  out: string;
  verbose: number;
  quiet?: boolean;
  knownHosts: string;
  acceptNew?: boolean;
}

export function registerPlanCommand(program: Command): void {
  addVaultOptions(program.command('plan'))
    .description('Collect, analyze and plan on every targeted host, send nothing, and write the plan for review')
    .argument('<playbook>', 'playbook file (YAML)')
    .requiredOption('-o, --out <file>', 'where to write the plan (JSON; `runbook show` renders it)')
    .option('-i, --inventory <file>', 'Ansible-style inventory; repeatable (default: the built-in lab)', collect, [])
    .option('-l, --limit <pattern>', 'limit hosts with an Ansible pattern')
    .option('-e, --extra-vars <k=v|@file>', 'set playbook vars; repeatable; recorded in the plan', collect, [])
    .option('-f, --forks <n>', 'hosts in flight at once (default: ansible.cfg forks / ANSIBLE_FORKS, else 5)', positiveInt)
    .option('-v, --verbose', 'more output', (_v: string, n: number) => n + 1, 0)
    .option('-q, --quiet', 'only the recap')
    .option('--known-hosts <file>', 'known_hosts for hosts that do not set runbook_known_hosts', join(homedir(), '.ssh', 'known_hosts'))
    .option('--accept-new', 'trust and record unknown host keys (never changed ones)')
    .option('--list-hosts', 'print the hosts the playbook and --limit select, and exit (nothing is contacted, no plan written)')
    .action(async (playbook: string, opts: PlanOptions) => {
      process.exitCode = await plan(playbook, opts);
    });
}

async function plan(playbookFile: string, opts: PlanOptions): Promise<number> {
  const verbosity: Verbosity = opts.quiet ? 0 : (Math.min(3, 1 + opts.verbose) as Verbosity);
  const style = makeStyle(process.stdout);
  const { settings, vault } = await ansibleContext(opts);
  const inventoryFiles = inventorySources(opts.inventory, settings);
  const forks = opts.forks ?? settings.forks ?? 5;
  const playbook = await asUsageError(() => loadPlaybook(playbookFile));
  if (opts.listHosts) {
    process.stdout.write(await listHosts(playbook, { inventoryFiles, vault, ...(opts.limit !== undefined ? { limit: opts.limit } : {}) }));
    return ExitCode.Ok;
  }
  const targets = await resolveTargets(playbook, {
    inventoryFiles,
    extraVars: opts.extraVars,
    knownHosts: opts.knownHosts,
    vault,
    ansible: settings,
    ...(opts.sshConfig !== undefined ? { sshConfig: opts.sshConfig } : {}),
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
    ...(opts.acceptNew ? { acceptNew: true } : {}),
  });
  // Planning never acts, whatever the vars say.
  const { hosts, lab } = await engineHosts(targets, () => true);
  const names = hosts.map((h) => h.name);
  const meta = { version, inventory: targets.inventory.files, extraVars: extraVarsRecord(targets.extra), targets: names, ...(opts.limit ? { limit: opts.limit } : {}) };
  const write = async (run: RunResult) => {
    const tmp = `${opts.out}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(planFromRun(run, playbook, meta), null, 2) + '\n');
    await rename(tmp, opts.out);
  };

  const renderer = progressRenderer(names, forks, verbosity, style);
  // A second Ctrl-C stops at once, still writing the hosts planned so far: the plan lists the others as targets only.
  const control = new RunControl(playbook, names, (partial) => write(partial));
  const emit = (e: RunEvent) => {
    renderer.sink(e);
    control.observe(e);
  };
  let run: RunResult;
  try {
    run = await runPlaybook(playbook, hosts, { forks, signal: control.signal }, emit);
  } finally {
    control.dispose();
    await renderer.end();
    await lab?.stop();
  }
  await write(run);
  process.stdout.write(recapLines(run, style).join('\n') + '\n');
  const planned = run.hosts.filter((h) => h.plan.length > 0).length;
  process.stdout.write(`plan written to ${opts.out}: ${planned} of ${names.length} hosts have statements to review. Render it with \`runbook show ${opts.out} --format md\`.\n`);
  return exitCodeOf(run);
}
