import { rename, writeFile } from 'node:fs/promises';
import { parseExtraVars } from '../../playbook/extra-vars.ts';
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
import { DEFAULT_INVENTORY, engineHosts, extraVarsRecord, resolveTargets } from '../targets.ts';
import { runBanner } from '../banner.ts';
import { bindingOf } from '../plan-binding.ts';
import { inputGateStops } from '../inputs-gate.ts';
import { ExitCode } from '../exit-codes.ts';
import { UsageError } from '../errors.ts';
import { version } from '../version.ts';

interface PlanOptions {
  inventory: string[];
  limit?: string;
  extraVars: string[];
  forks: number;
  out: string;
  verbose: number;
  quiet?: boolean;
  knownHosts: string;
  acceptNew?: boolean;
}

export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description('Collect, analyze and plan on every targeted host, send nothing, and write the plan for review')
    .argument('<playbook>', 'playbook file (YAML)')
    .requiredOption('-o, --out <file>', 'where to write the plan (JSON; `runbook show` renders it)')
    .option('-i, --inventory <file>', 'Ansible-style inventory; repeatable (default: the built-in lab)', collect, [])
    .option('-l, --limit <pattern>', 'limit hosts with an Ansible pattern')
    .option('-e, --extra-vars <k=v|@file>', 'set playbook vars; repeatable; recorded in the plan', collect, [])
    .option('-f, --forks <n>', 'hosts in flight at once', positiveInt, 5)
    .option('-v, --verbose', 'more output', (_v: string, n: number) => n + 1, 0)
    .option('-q, --quiet', 'only the recap')
    .option('--known-hosts <file>', 'known_hosts for hosts that do not set runbook_known_hosts', join(homedir(), '.ssh', 'known_hosts'))
    .option('--accept-new', 'trust and record unknown host keys (never changed ones)')
    .action(async (playbook: string, opts: PlanOptions) => {
      process.exitCode = await plan(playbook, opts);
    });
}

async function plan(playbookFile: string, opts: PlanOptions): Promise<number> {
  const verbosity: Verbosity = opts.quiet ? 0 : (Math.min(3, 1 + opts.verbose) as Verbosity);
  const style = makeStyle(process.stdout);
  const inventoryFiles = opts.inventory.length > 0 ? opts.inventory : [DEFAULT_INVENTORY];
  const playbook = await asUsageError(() => loadPlaybook(playbookFile));
  // apply --plan acts: the plan is made with the vars it will act with, so its vars, its
  // log lines ("top 3 are cleared") and the ticket say what apply --plan will do.
  const acts = playbook.vars.some((v) => v.name === 'dry_run');
  if (acts && opts.extraVars.length > 0 && (await extraVarsGiven(opts.extraVars)).includes('dry_run')) {
    throw new UsageError('a plan is what `apply --plan` will do, and apply --plan acts: -e dry_run cannot be given to plan (apply --plan --check runs a reviewed plan dry)');
  }
  const targets = await resolveTargets(playbook, {
    inventoryFiles,
    extraVars: acts ? [...opts.extraVars, JSON.stringify({ dry_run: false })] : opts.extraVars,
    knownHosts: opts.knownHosts,
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
    ...(opts.acceptNew ? { acceptNew: true } : {}),
  });
  process.stdout.write(`${runBanner(targets, 'PLAN', { defaultInventory: opts.inventory.length === 0 })}\n`);
  const nothing = await inputGateStops(playbook, targets.hosts.map((t) => ({ name: t.host.name, groups: t.host.groups, vars: t.vars })));
  if (nothing.size > 0 && nothing.size === targets.hosts.length) {
    process.stdout.write(`nothing to do: ${[...new Set(nothing.values())].join('; ')}. No host was contacted and no plan was written.\n`);
    return ExitCode.NothingToDo;
  }
  // Planning never acts, whatever the vars say.
  const { hosts, lab } = await engineHosts(targets, () => true);
  const names = hosts.map((h) => h.name);
  const meta = { version, inventory: targets.inventory.files, binding: bindingOf(targets), extraVars: extraVarsRecord(targets.extra), targets: names, ...(opts.limit ? { limit: opts.limit } : {}) };
  const write = async (run: RunResult) => {
    const tmp = `${opts.out}.${process.pid}.tmp`;
    const artifact = planFromRun(run, playbook, meta);
    await writeFile(tmp, JSON.stringify(artifact, null, 2) + '\n');
    await rename(tmp, opts.out);
    return artifact.digest;
  };

  const renderer = progressRenderer(names, opts.forks, verbosity, style);
  // A second Ctrl-C stops at once, still writing the hosts planned so far: the plan lists the others as targets only.
  const control = new RunControl(playbook, names, async (partial) => void (await write(partial)));
  const emit = (e: RunEvent) => {
    renderer.sink(e);
    control.observe(e);
  };
  let run: RunResult;
  try {
    run = await runPlaybook(playbook, hosts, { forks: opts.forks, signal: control.signal }, emit);
  } finally {
    control.dispose();
    await renderer.end();
    await lab?.stop();
  }
  const digest = await write(run);
  process.stdout.write(recapLines(run, style).join('\n') + '\n');
  const planned = run.hosts.filter((h) => h.plan.length > 0).length;
  process.stdout.write(`plan written to ${opts.out}: ${planned} of ${names.length} ${names.length === 1 ? 'host has' : 'hosts have'} statements to review; digest ${digest}. Render it with \`runbook show ${opts.out} --format md\`.\n`);
  return exitCodeOf(run);
}

/** The names the -e arguments set. */
async function extraVarsGiven(list: readonly string[]): Promise<string[]> {
  return (await asUsageError(() => parseExtraVars(list))).map((e) => e.name);
}

