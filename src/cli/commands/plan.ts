import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { StreamedRun } from '../../contracts/results.ts';
import { planFromRun } from '../../plan/from-run.ts';
import { parseExtraVars } from '../../playbook/extra-vars.ts';
import { loadPlaybook } from '../../playbook/load.ts';
import { writeFileAtomic } from '../../report/atomic-write.ts';
import { asUsageError } from '../input-errors.ts';
import { addLimitOptions, cliSettings, playbookSettings, type LimitCliOptions } from '../limit-options.ts';
import { collect, positiveInt, positiveNumber } from '../option-parsers.ts';
import { setExpressionBudget } from '../../expr/budget.ts';
import { checkOutputPaths } from '../output-paths.ts';
import { hostJobs, localPorts } from '../host-jobs.ts';
import { runView, runWithProgress } from '../run-with-progress.ts';
import { addRedisOptions, remoteRollout, withInventory, type RedisCliOptions } from '../queue-run.ts';
import { recapLines } from '../render/results.ts';
import { ansibleContext, DEFAULT_INVENTORY, extraVarsRecord, inventorySources, listHosts, resolveTargets, type Targets } from '../targets.ts';
import type { Playbook } from '../../playbook/types.ts';
import { addVaultOptions, type VaultOptions } from '../vault-passwords.ts';
import { runBanner } from '../banner.ts';
import { bindingOf } from '../plan-binding.ts';
import { inputGateStops } from '../inputs-gate.ts';
import { idsLine, runIdsFor } from '../run-ids.ts';
import type { RunIds } from '../../contracts/run-ids.ts';
import { ExitCode } from '../exit-codes.ts';
import { UsageError } from '../errors.ts';
import { version } from '../version.ts';
import { addRunOutputOptions, playbookNotifyTargets, writeRunOutputs, type RunOutputOptions } from '../run-outputs.ts';

interface PlanOptions extends RedisCliOptions, LimitCliOptions, RunOutputOptions, VaultOptions {
  listHosts?: boolean;
  connectTimeout?: number;
  rpcTimeout?: number;
  inventory: string[];
  limit?: string;
  extraVars: string[];
  forks?: number;
  out: string;
  verbose: number;
  quiet?: boolean;
  knownHosts: string;
  acceptNew?: boolean;
  exprTimeout?: number;
  auditLog: string;
  ticket?: string;
}

export function registerPlanCommand(program: Command): void {
  const command = addRedisOptions(addVaultOptions(addRunOutputOptions(program
    .command('plan'))))
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
    .option('--connect-timeout <seconds>', 'connect, authenticate and exchange hellos within (overrides playbook and inventory)', positiveNumber)
    .option('--rpc-timeout <seconds>', 'longest wait for reply data on one RPC (overrides playbook and inventory)', positiveNumber)
    .option('--expr-timeout <seconds>', 'longest one expression evaluation may run (default 30)', positiveNumber)
    .option('--audit-log <file>', 'audit log for what touches a candidate configuration (a configuration change is loaded, checked and discarded)', '.runbook/audit.jsonl')
    .option('--ticket <id>', 'the change ticket, recorded in the plan: apply --plan runs under it (default: the playbook\'s ticket:, else the inventory\'s runbook_ticket)')
    .option('--list-hosts', 'print the hosts the playbook and --limit select, and exit (nothing is contacted, no plan written)')
    .action(async (playbook: string, opts: PlanOptions) => {
      process.exitCode = await plan(playbook, opts);
    });
  addLimitOptions(command, { hostDeadline: true });
}

async function plan(playbookFile: string, opts: PlanOptions): Promise<number> {
  const view = runView(opts);
  const remote = remoteRollout(opts);
  if (opts.exprTimeout !== undefined) setExpressionBudget({ timeMs: opts.exprTimeout * 1000 });
  const input = await readPlanInput(playbookFile, opts);
  if (input === ExitCode.Ok) return ExitCode.Ok;
  const { playbook, targets, ids } = input;
  process.stdout.write(`${runBanner(targets, 'PLAN', { defaultInventory: input.defaultInventory })}\n${idsLine(ids)}\n`);
  const nothing = await inputGateStops(playbook, targets.hosts.map((t) => ({ name: t.host.name, groups: t.host.groups, vars: t.vars })));
  if (nothing.size > 0 && nothing.size === targets.hosts.length) {
    process.stdout.write(`nothing to do: ${[...new Set(nothing.values())].join('; ')}. No host was contacted and no plan was written.\n`);
    return ExitCode.NothingToDo;
  }
  // Planning never acts, whatever the vars say.
  const { jobs, secrets, lab } = await hostJobs(targets, playbook, {
    dryRun: () => true,
    ids,
    timeouts: {
      playbook: playbookSettings(playbook),
      cli: { ...(opts.connectTimeout !== undefined ? { connectS: opts.connectTimeout } : {}), ...(opts.rpcTimeout !== undefined ? { rpcS: opts.rpcTimeout } : {}), ...cliSettings(opts) },
    },
  });
  const names = jobs.map((j) => j.host.name);
  const meta = { version, ids, inventory: targets.inventory.files, binding: bindingOf(targets), extraVars: extraVarsRecord(targets.extra), targets: names, ...(opts.limit ? { limit: opts.limit } : {}) };
  const write = (run: StreamedRun): string => {
    const artifact = planFromRun(run, playbook, meta);
    writeFileAtomic(opts.out, JSON.stringify(artifact, null, 2) + '\n');
    return artifact.digest;
  };
  // A second Ctrl-C stops at once, still writing the hosts planned so far: the plan lists the others as targets only.
  const run = { playbook, ids, jobs, ports: localPorts(playbook, secrets), rollout: { forks: input.forks }, view, auditLog: opts.auditLog, lab, stoppedAtOnce: write, remote: withInventory(remote, targets) };
  return runWithProgress(run, async (result, control) => {
    const digest = write(result);
    process.stdout.write(recapLines(result, view.style).join('\n') + '\n');
    let planned = 0;
    for (const h of result.hosts) if (h.plan.length > 0) planned++;
    process.stdout.write(`plan written to ${opts.out}: ${planned} of ${names.length} ${names.length === 1 ? 'host has' : 'hosts have'} statements to review; digest ${digest}. Render it with \`runbook show ${opts.out} --format md\`.\n`);
    const code = control.exitCode(result);
    await writeRunOutputs(result, code, { ...opts, playbookNotify: input.playbookNotify, ids: input.ids }, { say: (line) => process.stdout.write(line + '\n'), warn: (line) => process.stderr.write(line + '\n') });
    return code;
  });
}

interface PlanInput {
  readonly playbook: Playbook;
  readonly targets: Targets;
  readonly ids: RunIds;
  readonly forks: number;
  readonly defaultInventory: boolean;
  readonly playbookNotify: ReturnType<typeof playbookNotifyTargets>;
}

/** Reads and checks every input; ExitCode.Ok when --list-hosts has said all there is to say. */
async function readPlanInput(playbookFile: string, opts: PlanOptions): Promise<PlanInput | typeof ExitCode.Ok> {
  const { settings, vault } = await ansibleContext(opts);
  const inventoryFiles = inventorySources(opts.inventory, settings);
  const playbook = await asUsageError(() => loadPlaybook(playbookFile));
  if (opts.listHosts) {
    process.stdout.write(await listHosts(playbook, { inventoryFiles, vault, ...(opts.limit !== undefined ? { limit: opts.limit } : {}) }));
    return ExitCode.Ok;
  }
  // apply --plan acts: the plan is made with the vars it will act with, so its vars, its
  // log lines ("top 3 are cleared") and the ticket say what apply --plan will do.
  const acts = playbook.vars.some((v) => v.name === 'dry_run');
  if (acts && opts.extraVars.length > 0 && (await extraVarsGiven(opts.extraVars)).includes('dry_run')) {
    throw new UsageError('a plan is what `apply --plan` will do, and apply --plan acts: -e dry_run cannot be given to plan (apply --plan --check runs a reviewed plan dry)');
  }
  const playbookNotify = playbookNotifyTargets(playbook);
  const targets = await resolveTargets(playbook, {
    inventoryFiles,
    extraVars: acts ? [...opts.extraVars, JSON.stringify({ dry_run: false })] : opts.extraVars,
    knownHosts: opts.knownHosts,
    vault,
    ansible: settings,
    ...(opts.sshConfig !== undefined ? { sshConfig: opts.sshConfig } : {}),
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
    ...(opts.acceptNew ? { acceptNew: true } : {}),
  });
  checkOutputPaths([
    { option: '--out', path: opts.out, kind: 'file' },
    ...(playbook.steps.some((s) => s.kind === 'act') ? [{ option: '--audit-log', path: opts.auditLog, kind: 'created-file' } as const] : []),
  ]);
  const ids = runIdsFor(opts.ticket, playbook, targets.hosts.map((t) => t.host));
  const defaultInventory = inventoryFiles.length === 1 && inventoryFiles[0] === DEFAULT_INVENTORY;
  return { playbook, targets, ids, forks: opts.forks ?? settings.forks ?? 5, defaultInventory, playbookNotify };
}

/** The names the -e arguments set. */
async function extraVarsGiven(list: readonly string[]): Promise<string[]> {
  return (await asUsageError(() => parseExtraVars(list))).map((e) => e.name);
}

