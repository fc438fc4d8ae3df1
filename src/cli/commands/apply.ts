import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { runPlaybook } from '../../engine/executor.ts';
import type { EngineHost } from '../../engine/host-run.ts';
import type { RunEvent } from '../../engine/events.ts';
import type { RunResult } from '../../contracts/results.ts';
import { AuditLog } from '../../report/audit-log.ts';
import { BackupFolder } from '../../report/config-backup.ts';
import { backupDirOf } from '../backup-dir.ts';
import { randomUUID } from 'node:crypto';
import { acquireRunLock, NO_LOCK, RunLockedError, type RunLock } from '../run-lock.ts';
import { setExpressionBudget } from '../../expr/budget.ts';
import { loadPlaybook, parsePlaybook } from '../../playbook/load.ts';
import { PlaybookError } from '../../playbook/errors.ts';
import type { PlanArtifact } from '../../plan/artifact.ts';
import { planAgeCheck } from '../../plan/age.ts';
import { readPlan } from '../../plan/read.ts';
import { renderPlan } from '../../plan/render.ts';
import type { Playbook } from '../../playbook/types.ts';
import { buildReport, writeReport } from '../../report/json-report.ts';
import { openSyslog, parseSyslogTarget, type SyslogSink } from '../../report/syslog.ts';
import { ExitCode } from '../exit-codes.ts';
import { ansibleContext, DEFAULT_INVENTORY, engineHosts, inventorySources, listHosts, resolveTargets } from '../targets.ts';
import { collect, nonNegativeInt, percentage, positiveInt, positiveNumber } from '../option-parsers.ts';
import { parseSerial } from '../../engine/batches.ts';
import type { RunOptions } from '../../engine/executor.ts';
import { confirmOnTerminal } from '../confirm.ts';
import { UsageError } from '../errors.ts';
import { asUsageError } from '../input-errors.ts';
import { checkOutputPaths, type OutputPath } from '../output-paths.ts';
import { progressRenderer, RunControl, tell } from '../run-control.ts';
import type { ProgressRenderer } from '../render/renderer.ts';
import { recapLines, type Verbosity } from '../render/results.ts';
import { hostSectionLines } from '../render/fleet-table.ts';
import { makeStyle } from '../render/style.ts';
import { addLimitOptions, cliSettings, playbookSettings, type LimitCliOptions } from '../limit-options.ts';
import { version } from '../version.ts';
import { hostList, runBanner } from '../banner.ts';
import { nothingToDo } from '../inputs-gate.ts';
import { bindingOf } from '../plan-binding.ts';
import { bindingDifferences } from '../../plan/binding.ts';
import { reviewedNotDone } from '../../plan/outcome.ts';
import { visible } from '../../plan/visible.ts';
import { addRunOutputOptions, playbookNotifyTargets, writeRunOutputs, type RunOutputOptions } from '../run-outputs.ts';


import { addVaultOptions, type VaultOptions } from '../vault-passwords.ts';


interface ApplyOptions extends LimitCliOptions, RunOutputOptions, VaultOptions {
  inventory: string[];
  limit?: string;
  extraVars: string[];
  check?: boolean;
  forks?: number;
  serial?: string;
  maxFailPercentage?: number;
  anyErrorsFatal?: boolean;
  retries?: number;
  connectTimeout?: number;
  rpcTimeout?: number;
  report?: string;
  verbose: number;
  quiet?: boolean;
  syslog?: string;
  knownHosts: string;
  acceptNew?: boolean;
  auditLog: string;
  backupDir?: string;
  lockDir?: string;
  plan?: string;
  maxPlanAge: number;
  useEmbeddedPlaybook?: boolean;
  yes?: boolean;
  exprTimeout?: number;
  listHosts?: boolean;
}

export function registerApplyCommand(program: Command): void {
  const command = addVaultOptions(addRunOutputOptions(program
    .command('apply')))
    .description('Run a playbook: collect, analyze, plan and (unless a dry run) act on every targeted host')
    .argument('[playbook]', 'playbook file (YAML); not with --plan')
    .option('-i, --inventory <file>', 'Ansible-style inventory; repeatable (default: the built-in lab)', collect, [])
    .option('-l, --limit <pattern>', 'limit hosts with an Ansible pattern (names, groups, globs, !exclude, &intersect)')
    .option('-e, --extra-vars <k=v|@file>', 'set playbook vars; repeatable', collect, [])
    .option('-C, --check', 'dry run whatever the playbook and vars say: send nothing that changes state')
    .option('-f, --forks <n>', 'hosts in flight at once (default: the playbook\'s forks, else 5)', positiveInt)
    .option('--serial <sizes>', 'rolling batches: a number, a percentage, or a comma list like 1,5,20% (the last repeats)')
    .option('--max-fail-percentage <pct>', 'stop when more than this % of a batch failed or was unreachable', percentage)
    .option('--any-errors-fatal', 'stop after the first failed or unreachable host')
    .option('--retries <n>', 'extra connection attempts for refused or timed-out connections', nonNegativeInt)
    .option('--connect-timeout <seconds>', 'connect, authenticate and exchange hellos within (overrides playbook and inventory)', positiveNumber)
    .option('--rpc-timeout <seconds>', 'longest wait for reply data on one RPC (overrides playbook and inventory)', positiveNumber)
    .option('--report <file>', 'write the JSON report (schemas/report.schema.json)')
    .option('-v, --verbose', 'more output: -v verbose, -vv debug (the seed\'s levels 2 and 3)', (_v: string, n: number) => n + 1, 0)
    .option('-q, --quiet', 'only the recap (the seed\'s level 0)')
    .option('--syslog <target>', 'also log to syslog: local, udp://HOST[:PORT] or tcp://HOST[:PORT] (RFC 5424)')
    .option('--known-hosts <file>', 'known_hosts for hosts that do not set runbook_known_hosts', join(homedir(), '.ssh', 'known_hosts'))
    .option('--accept-new', 'trust and record unknown host keys (never changed ones)')
    .option('--audit-log <file>', 'append one JSON line per state-changing RPC sent', '.runbook/audit.jsonl')
    .option('--backup-dir <dir>', 'keep each host\'s running configuration here (DIR/HOST/) before changing it (default: backups/ beside the audit log)')
    .option('--lock-dir <dir>', 'where the per-inventory run lock lives (default: the system temp dir)')
    .option('--plan <file>', 'act exactly as reviewed: re-collect and re-plan each host, act only where the fresh plan is this one')
    .option('--max-plan-age <hours>', 'refuse a plan older than this', positiveNumber, 24)
    .option('--use-embedded-playbook', "with --plan: run the playbook text the plan carries, even if the file changed since")
    .option('--list-hosts', 'print the hosts the playbook and --limit select, and exit (nothing is contacted)')
    .option('-y, --yes', 'do not ask before sending state-changing RPCs (needed when not on a terminal)')
    .option('--expr-timeout <seconds>', 'longest one expression evaluation may run (default 30)', positiveNumber)
    .action(async (playbook: string | undefined, opts: ApplyOptions) => {
      process.exitCode = await apply(playbook, opts);
    });
  addLimitOptions(command, { hostDeadline: true });
}

async function apply(playbookFile: string | undefined, opts: ApplyOptions): Promise<number> {
  const verbosity: Verbosity = opts.quiet ? 0 : (Math.min(3, 1 + opts.verbose) as Verbosity);
  const style = makeStyle(process.stdout);
  if (opts.exprTimeout !== undefined) setExpressionBudget({ timeMs: opts.exprTimeout * 1000 });
  const reviewed = opts.plan !== undefined ? await loadReviewedPlan(opts.plan, playbookFile, opts) : undefined;
  if (!reviewed && playbookFile === undefined) throw new UsageError('name a playbook, or give --plan FILE');
  const { settings, vault } = await ansibleContext(opts);
  const inventoryFiles = inventorySources(opts.inventory, settings, reviewed?.plan.inventory);
  const playbook = reviewed ? reviewed.playbook : await asUsageError(() => loadPlaybook(playbookFile!));
  if (opts.listHosts) {
    process.stdout.write(await listHosts(playbook, { inventoryFiles, vault, ...(opts.limit !== undefined ? { limit: opts.limit } : {}) }));
    return ExitCode.Ok;
  }
  const playbookNotify = playbookNotifyTargets(playbook);
  const targets = await resolveTargets(playbook, {
    inventoryFiles,
    // A reviewed plan brings its own vars and hosts: exactly what was reviewed. --check
    // makes dry_run true, so the vars, the log lines and the report say what is done.
    extraVars: [
      ...(reviewed ? (Object.keys(reviewed.plan.extraVars).length > 0 ? [JSON.stringify(reviewed.plan.extraVars)] : []) : opts.extraVars),
      ...(opts.check && playbook.vars.some((v) => v.name === 'dry_run') ? [JSON.stringify({ dry_run: true })] : []),
    ],
    knownHosts: opts.knownHosts,
    vault,
    ansible: settings,
    ...(opts.sshConfig !== undefined ? { sshConfig: opts.sshConfig } : {}),
    // The plan's own selection, so that a host the inventory gained since shows as a difference.
    ...(reviewed ? (reviewed.plan.limit !== undefined ? { limit: reviewed.plan.limit } : {}) : opts.limit !== undefined ? { limit: opts.limit } : {}),
    ...(opts.acceptNew ? { acceptNew: true } : {}),
  });
  if (reviewed) checkBinding(reviewed.plan, targets, opts.plan!);
  const dryRunFor = (vars: Record<string, string | number | boolean>) => opts.check === true || (reviewed ? false : vars.dry_run !== false);
  const acting = targets.hosts.filter((t) => !dryRunFor(t.vars)).map((t) => t.host.name);
  const wouldAct = acting.length;
  // Every file the run writes, and the rollout options, are checked before anyone is asked or anything started.
  checkOutputPaths(applyOutputs(playbook, opts));
  const rollout = rolloutOptions(playbook.rollout, opts, settings.forks);
  const syslogTarget = opts.syslog ? await asUsageError(async () => parseSyslogTarget(opts.syslog!)) : undefined;
  const mode = opts.check ? 'CHECK' : acting.length > 0 ? 'ACTING' : 'DRY RUN';
  const banner = runBanner(targets, mode, { defaultInventory: inventoryFiles.length === 1 && inventoryFiles[0] === DEFAULT_INVENTORY, acting: acting.length });
  process.stdout.write(`${banner}\n`);
  if (reviewed) process.stdout.write(`runbook: applying plan ${visible(opts.plan!)}, digest ${reviewed.plan.digest} (the ticket shows the digest it was reviewed with)\n`);
  if (await nothingToDo(playbook, targets, dryRunFor, { style, ...(opts.report ? { report: opts.report } : {}), ...(opts.limit ? { limit: opts.limit } : {}) })) return ExitCode.NothingToDo;
  if (acting.length > 0 && !opts.yes && !(await confirmActing(acting, banner, reviewed?.plan))) {
    process.stderr.write('runbook: interrupted at the question: nothing was sent\n');
    return ExitCode.Interrupted;
  }
  const inventory = targets.inventory;

  // The lock keeps two runs from acting on the same devices at once; a dry run never acts.
  let lock: RunLock = NO_LOCK;
  try {
    if (wouldAct > 0) lock = acquireRunLock(inventory.files, opts.lockDir, (w) => process.stderr.write(`runbook: ${w}\n`));
  } catch (err) {
    if (!(err instanceof RunLockedError)) throw new UsageError(`--lock-dir ${opts.lockDir ?? '(the system temp dir)'}: cannot take the run lock: ${(err as Error).message}; nothing was contacted`);
    process.stderr.write(`runbook: ${err.message}\n`);
    return ExitCode.Locked;
  }
  // Opened once the lock is held: a run that never starts leaves no connection open behind it.
  const syslog: SyslogSink | undefined = syslogTarget ? openSyslog(syslogTarget, 'runbook', (why) => tell(`runbook: warning: --syslog ${opts.syslog}: ${why}; syslog lines are not delivered\n`)) : undefined;
  try {
    return await runLocked();
  } finally {
    lock.release();
  }

  async function runLocked(): Promise<number> {
    const runId = randomUUID();
    // Opened at its first line: before each state-changing RPC is sent, an intent; when it ends, its outcome.
    const audit = new AuditLog(opts.auditLog, { id: runId, playbook: playbook.file });
    const backups = new BackupFolder({ dir: backupDirOf(opts), runId });
    const { hosts: engineHostList, lab } = await engineHosts(targets, dryRunFor, {
      playbook: playbookSettings(playbook),
      cli: { ...opt('connectS', opts.connectTimeout), ...opt('rpcS', opts.rpcTimeout), ...cliSettings(opts) },
    });
    // apply --plan: each host carries the reviewed plan's entry for it (null: not in it), for the engine's gate.
    const reviewedEntries = new Map(reviewed?.plan.hosts.map((p) => [p.host, p]));
    const engineHostsToRun: EngineHost[] = reviewed ? engineHostList.map((h) => ({ ...h, reviewed: { entry: reviewedEntries.get(h.name) ?? null } })) : engineHostList;
    const renderer: ProgressRenderer = progressRenderer(engineHostsToRun.map((h) => h.name), rollout.forks, verbosity, style);
    const reportOf = (run: RunResult) => buildReport(run, { version, inventory: inventory.files, ...(opts.limit ? { limit: opts.limit } : {}) });
    // A second interrupt stops at once, still writing what is known: each RPC awaiting its answer is audited as outcome unknown.
    const control = new RunControl(
      playbook,
      engineHostsToRun,
      (partial) => {
        audit.endPending('the run was stopped at once before the answer arrived');
        audit.close();
        if (opts.report) {
          writeReport(opts.report, reportOf(partial));
          tell(`runbook: stopped; partial report written to ${opts.report}\n`);
        }
        lock.release();
      },
      (host) => audit.sentTo(host),
    );
    const emit = (e: RunEvent) => {
      renderer.sink(e);
      control.observe(e);
      if (e.type === 'syslog') syslog?.send(e.host, e.message);
    };

    // The control stays on until the report is written: a second interrupt meanwhile still writes what is known.
    try {
      let run: RunResult;
      try {
        run = await runPlaybook(
          playbook,
          engineHostsToRun,
          { ...rollout, signal: control.signal, audit: (host) => audit.forHost(host), backup: (host) => backups.forHost(host) },
          emit,
        );
      } finally {
        audit.close();
        await renderer.end();
        await lab?.stop();
        await syslog?.close();
      }

      if (verbosity > 0) {
        process.stdout.write('\n');
        // Above the live view's limit, without -v: a compact table of what changed or failed instead of a block per host.
        const section = hostSectionLines(run, verbosity, style, { ...(opts.report ? { report: opts.report } : {}), ...(opts.html ? { html: opts.html } : {}) });
        if (section.length > 0) process.stdout.write(section.join('\n') + '\n');
      }
      process.stdout.write(recapLines(run, style, { failuresAbove: verbosity > 0 }).join('\n') + '\n');
      const notDone = reviewed && !opts.check ? reviewedNotDone(reviewed.plan, run) : [];
      if (notDone.length > 0) process.stdout.write(`NOT DONE: reviewed statements were not sent to ${hostList(notDone)}\n`);
      if (opts.report) {
        writeReport(opts.report, reportOf(run));
        if (verbosity > 0) process.stdout.write(`report written to ${opts.report}\n`);
      }
      const code = control.exitCode(run, notDone);
      await writeRunOutputs(run, code, { ...opts, playbookNotify }, {
        say: (line) => verbosity > 0 && process.stdout.write(line + '\n'),
        warn: (line) => process.stderr.write(line + '\n'),
      });
      return code;
    } finally {
      control.dispose();
    }
  }
}

/** What an apply run writes, for checking before it starts: the audit log only matters when a step can send something. */
function applyOutputs(playbook: Playbook, opts: ApplyOptions): OutputPath[] {
  return [
    ...(opts.report !== undefined ? [{ option: '--report', path: opts.report, kind: 'file' } as const] : []),
    ...(playbook.steps.some((s) => s.kind === 'act') ? [{ option: '--audit-log', path: opts.auditLog, kind: 'created-file' } as const] : []),
    ...(playbook.steps.some((s) => s.kind === 'act') && !opts.check ? [{ option: '--backup-dir', path: backupDirOf(opts), kind: 'created-dir' } as const] : []),
    ...(opts.lockDir !== undefined ? [{ option: '--lock-dir', path: opts.lockDir, kind: 'created-dir' } as const] : []),
  ];
}

/** The reviewed plan, and the playbook to run: the file if it still hashes the same, or the embedded text. */
async function loadReviewedPlan(file: string, playbookFile: string | undefined, opts: ApplyOptions): Promise<{ plan: PlanArtifact; playbook: Playbook }> {
  if (playbookFile !== undefined) throw new UsageError('--plan brings its own playbook: do not name one too');
  if (opts.extraVars.length > 0 || opts.limit !== undefined) throw new UsageError('--plan brings its own vars and hosts: -e and --limit cannot change what was reviewed');
  const plan = await asUsageError(() => readPlan(file));
  if (plan.incomplete) {
    throw new UsageError(`${file} is incomplete: its planning run was interrupted before ${plan.incomplete.notPlanned.length === 0 ? 'it finished' : `it planned ${plan.incomplete.notPlanned.join(', ')}`}; make the plan again`);
  }
  const tooOld = planAgeCheck(plan, new Date(), opts.maxPlanAge * 3600_000, file);
  if (tooOld) throw new UsageError(tooOld);
  if (opts.useEmbeddedPlaybook) return { plan, playbook: await asUsageError(async () => parsePlaybook(plan.playbook.text, plan.playbook.file)) };
  let playbook: Playbook;
  try {
    playbook = await loadPlaybook(plan.playbook.file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || err instanceof PlaybookError) {
      throw new UsageError(`${file}: the reviewed playbook ${plan.playbook.file} cannot be loaded now (${(err as Error).message.split('\n')[0]}); --use-embedded-playbook runs the text the plan carries`);
    }
    throw err;
  }
  if (playbook.sha256 !== plan.playbook.sha256) {
    throw new UsageError(
      `${plan.playbook.file} has changed since the plan was made (sha256 ${playbook.sha256.slice(0, 12)} now, ${plan.playbook.sha256.slice(0, 12)} reviewed): refusing to act on a playbook nobody reviewed. ` +
        `Make a new plan, or use --use-embedded-playbook to run the reviewed text`,
    );
  }
  return { plan, playbook };
}

/** The inventory apply resolved must be the one the plan was reviewed on: the same hosts, reached the same way. */
function checkBinding(plan: PlanArtifact, targets: Parameters<typeof bindingOf>[0], file: string): void {
  const differences = bindingDifferences(plan.binding, bindingOf(targets));
  if (differences.length === 0) return;
  throw new UsageError(
    `${file} was reviewed on another inventory: refusing to act on hosts nobody reviewed.\n${differences.map((d) => `  ${visible(d)}`).join('\n')}\nMake a new plan on this inventory, or apply with the one it was reviewed on (${plan.inventory.map(visible).join(', ')})`,
  );
}

/** Acting needs an explicit yes: asked on a terminal, --yes otherwise. The question names what will be touched. False when Ctrl-C was the answer. */
async function confirmActing(hosts: readonly string[], banner: string, plan: PlanArtifact | undefined): Promise<boolean> {
  const where = banner.replace(/^runbook: /, '');
  const what = plan
    ? `This applies the reviewed plan (digest ${plan.digest.slice(0, 12)}, made ${plan.createdAt}): ${plan.hosts.reduce((n, h) => n + h.actions.length, 0)} statements to ${hostList(plan.hosts.filter((h) => h.actions.length > 0).map((h) => h.host))}; ${where}.`
    : `This run will send state-changing RPCs to ${hosts.length} ${hosts.length === 1 ? 'host' : 'hosts'}: ${hostList(hosts)}; ${where}.`;
  const preface = plan ? renderPlan(plan, 'text').split('\n').slice(0, 40).join('\n') + '\n' : undefined;
  return confirmOnTerminal(what, `${what} Not on a terminal, so nothing can ask: add --yes to go ahead, or --check for a dry run`, preface);
}

function opt<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

/** Rollout settings: the command line over the playbook, over Ansible's defaults. */
/** Forks: --forks, else the playbook's, else ansible.cfg's forks / ANSIBLE_FORKS, else 5. */
function rolloutOptions(p: Playbook['rollout'], opts: ApplyOptions, ansibleForks: number | undefined): Omit<RunOptions, 'signal' | 'audit' | 'backup'> {
  let serial = p.serial;
  if (opts.serial !== undefined) {
    try {
      serial = parseSerial(opts.serial);
    } catch (err) {
      throw new UsageError(`--serial ${opts.serial}: ${(err as Error).message}`);
    }
  }
  const maxFail = opts.maxFailPercentage ?? p.maxFailPercentage;
  const retries = opts.retries ?? p.connectRetries;
  return {
    forks: opts.forks ?? p.forks ?? ansibleForks ?? 5,
    ...(serial !== undefined ? { serial } : {}),
    ...(maxFail !== undefined ? { maxFailPercentage: maxFail } : {}),
    ...(opts.anyErrorsFatal || p.anyErrorsFatal ? { anyErrorsFatal: true } : {}),
    ...(retries ? { retries: { attempts: retries + 1, backoffMs: 1000 } } : {}),
  };
}

