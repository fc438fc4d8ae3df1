import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { StreamedRun } from '../../contracts/results.ts';
import { acquireRunLock, inventoryKey, NO_LOCK, redactedCommand, RunLockedError, type RunLock } from '../run-lock.ts';
import { addRedisOptions, remoteRollout, withInventory, type RedisCliOptions, type RemoteRollout } from '../queue-run.ts';
import { setExpressionBudget } from '../../expr/budget.ts';
import { loadPlaybook, parsePlaybook } from '../../playbook/load.ts';
import { PlaybookError } from '../../playbook/errors.ts';
import type { PlanArtifact } from '../../plan/artifact.ts';
import { planAgeCheck } from '../../plan/age.ts';
import { readPlan } from '../../plan/read.ts';
import { renderPlan } from '../../plan/render.ts';
import type { Playbook } from '../../playbook/types.ts';
import { buildReport, writeReport } from '../../report/json-report.ts';
import { openSyslog, parseSyslogTarget, type SyslogTarget } from '../../report/syslog.ts';
import { ExitCode } from '../exit-codes.ts';
import { ansibleContext, DEFAULT_INVENTORY, inventorySources, listHosts, resolveTargets, type Targets } from '../targets.ts';
import { collect, nonNegativeInt, percentage, positiveInt, positiveNumber } from '../option-parsers.ts';
import { parseSerial } from '../../engine/batches.ts';
import type { RunOptions } from '../../engine/executor.ts';
import { confirmOnTerminal } from '../confirm.ts';
import { UsageError } from '../errors.ts';
import { asUsageError } from '../input-errors.ts';
import { checkOutputPaths, type OutputPath } from '../output-paths.ts';
import { tell, type RunControl } from '../run-control.ts';
import { hostJobs, localPorts, type JobSettings } from '../host-jobs.ts';
import { runView, runWithProgress, type RunView } from '../run-with-progress.ts';
import { recapLines } from '../render/results.ts';
import { hostSectionLines } from '../render/fleet-table.ts';
import { addLimitOptions, cliSettings, playbookSettings, type LimitCliOptions } from '../limit-options.ts';
import { version } from '../version.ts';
import { hostList, runBanner } from '../banner.ts';
import { nothingToDo } from '../inputs-gate.ts';
import { backupDirOf } from '../backup-dir.ts';
import { idsLine, reviewedRunIds, runIdsFor } from '../run-ids.ts';
import type { RunIds } from '../../contracts/run-ids.ts';
import { bindingOf } from '../plan-binding.ts';
import { bindingDifferences } from '../../plan/binding.ts';
import { reviewedNotDone } from '../../plan/outcome.ts';
import { visible } from '../../plan/visible.ts';
import { addRunOutputOptions, playbookNotifyTargets, writeRunOutputs, type RunOutputOptions } from '../run-outputs.ts';
import { addVaultOptions, type VaultOptions } from '../vault-passwords.ts';


interface ApplyOptions extends RedisCliOptions, LimitCliOptions, RunOutputOptions, VaultOptions {
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
  ticket?: string;
}

export function registerApplyCommand(program: Command): void {
  const command = addRedisOptions(addVaultOptions(addRunOutputOptions(program
    .command('apply'))))
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
    .option('--ticket <id>', 'the change ticket: in every commit comment, audit and syslog line, the report (default: the playbook\'s ticket:, else the inventory\'s runbook_ticket; with --plan, the plan\'s)')
    .option('-y, --yes', 'do not ask before sending state-changing RPCs (needed when not on a terminal)')
    .option('--expr-timeout <seconds>', 'longest one expression evaluation may run (default 30)', positiveNumber)
    .action(async (playbook: string | undefined, opts: ApplyOptions) => {
      process.exitCode = await apply(playbook, opts);
    });
  addLimitOptions(command, { hostDeadline: true });
}

async function apply(playbookFile: string | undefined, opts: ApplyOptions): Promise<number> {
  const view = runView(opts);
  const remote = remoteRollout(opts);
  if (opts.exprTimeout !== undefined) setExpressionBudget({ timeMs: opts.exprTimeout * 1000 });
  const input = await readApplyInput(playbookFile, opts);
  if (input === ExitCode.Ok) return ExitCode.Ok;
  const stop = await beforeActing(input, opts, view);
  if (stop !== undefined) return stop;
  const lock = remote ? await takeRedisRunLock(input, remote, input.ids.runId) : takeRunLock(input, opts);
  if (lock === ExitCode.Locked) return ExitCode.Locked;
  // Opened once the lock is held: a run that never starts leaves no connection open behind it.
  const syslog = input.syslogTarget ? openSyslog(input.syslogTarget, 'runbook', (why) => tell(`runbook: warning: --syslog ${opts.syslog}: ${why}; syslog lines are not delivered\n`), input.ids) : undefined;
  try {
    const { jobs, secrets, lab } = await hostJobs(input.targets, input.playbook, jobSettings(input, opts));
    const stoppedAtOnce = (partial: StreamedRun) => {
      if (opts.report) {
        writeReport(opts.report, reportOf(partial, input, opts));
        tell(`runbook: stopped; partial report written to ${opts.report}\n`);
      }
      lock.release();
    };
    const ports = localPorts(input.playbook, secrets);
    const run = { playbook: input.playbook, ids: input.ids, jobs, ports, rollout: input.rollout, view, auditLog: opts.auditLog, backupDir: backupDirOf(opts), lab, syslog, stoppedAtOnce, remote: withInventory(remote, input.targets) };
    return await runWithProgress(run, (result, control) => writeApplyOutputs(result, control, input, opts, view));
  } finally {
    lock.release();
  }
}

/** What apply runs: fresh (a playbook, the command line's vars and hosts) or reviewed (the plan's), checked before anything is asked or started. */
interface ApplyInput {
  readonly playbook: Playbook;
  readonly reviewed?: PlanArtifact;
  readonly targets: Targets;
  /** The run id, and the ticket it runs under. */
  readonly ids: RunIds;
  readonly defaultInventory: boolean;
  readonly dryRunFor: (vars: Record<string, string | number | boolean>) => boolean;
  /** The hosts that will be sent state-changing RPCs. */
  readonly acting: readonly string[];
  readonly rollout: Omit<RunOptions, 'signal' | 'audit' | 'backup'>;
  readonly syslogTarget: SyslogTarget | undefined;
  readonly playbookNotify: ReturnType<typeof playbookNotifyTargets>;
}

/** Reads and checks every input; ExitCode.Ok when --list-hosts has said all there is to say. */
async function readApplyInput(playbookFile: string | undefined, opts: ApplyOptions): Promise<ApplyInput | typeof ExitCode.Ok> {
  const loaded = opts.plan !== undefined ? await loadReviewedPlan(opts.plan, playbookFile, opts) : undefined;
  if (!loaded && playbookFile === undefined) throw new UsageError('name a playbook, or give --plan FILE');
  const reviewed = loaded?.plan;
  const { settings, vault } = await ansibleContext(opts);
  const inventoryFiles = inventorySources(opts.inventory, settings, reviewed?.inventory);
  const playbook = loaded ? loaded.playbook : await asUsageError(() => loadPlaybook(playbookFile!));
  if (opts.listHosts) {
    process.stdout.write(await listHosts(playbook, { inventoryFiles, vault, ...(opts.limit !== undefined ? { limit: opts.limit } : {}) }));
    return ExitCode.Ok;
  }
  const playbookNotify = playbookNotifyTargets(playbook);
  const { extraVars, limit } = selectionOf(opts, reviewed);
  const targets = await resolveTargets(playbook, {
    inventoryFiles,
    // --check makes dry_run true, so the vars, the log lines and the report say what is done.
    extraVars: [...extraVars, ...(opts.check && playbook.vars.some((v) => v.name === 'dry_run') ? [JSON.stringify({ dry_run: true })] : [])],
    knownHosts: opts.knownHosts,
    vault,
    ansible: settings,
    ...(opts.sshConfig !== undefined ? { sshConfig: opts.sshConfig } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(opts.acceptNew ? { acceptNew: true } : {}),
  });
  if (reviewed) checkBinding(reviewed, targets, opts.plan!);
  const ids = reviewed ? reviewedRunIds(opts.ticket, reviewed.ticket, opts.plan!) : runIdsFor(opts.ticket, playbook, targets.hosts.map((t) => t.host));
  const dryRunFor = (vars: Record<string, string | number | boolean>) => opts.check === true || (reviewed ? false : vars.dry_run !== false);
  // Every file the run writes, and the rollout options, are checked before anyone is asked or anything started.
  checkOutputPaths(applyOutputs(playbook, opts));
  const rollout = rolloutOptions(playbook.rollout, opts, settings.forks);
  const syslogTarget = opts.syslog ? await asUsageError(async () => parseSyslogTarget(opts.syslog!)) : undefined;
  const acting = targets.hosts.filter((t) => !dryRunFor(t.vars)).map((t) => t.host.name);
  const defaultInventory = inventoryFiles.length === 1 && inventoryFiles[0] === DEFAULT_INVENTORY;
  return { playbook, ...(reviewed ? { reviewed } : {}), targets, ids, defaultInventory, dryRunFor, acting, rollout, syslogTarget, playbookNotify };
}

/**
 * What selects the hosts and sets their vars: the command line's, or the reviewed plan's
 * own (exactly what was reviewed; its selection, so a host the inventory gained since
 * shows as a difference).
 */
function selectionOf(opts: ApplyOptions, reviewed: PlanArtifact | undefined): { extraVars: string[]; limit: string | undefined } {
  if (!reviewed) return { extraVars: opts.extraVars, limit: opts.limit };
  return { extraVars: Object.keys(reviewed.extraVars).length > 0 ? [JSON.stringify(reviewed.extraVars)] : [], limit: reviewed.limit };
}

/** The banner, then a stop if there is nothing to do or the question was not answered yes. */
async function beforeActing(input: ApplyInput, opts: ApplyOptions, view: RunView): Promise<ExitCode | undefined> {
  const { targets, reviewed, acting } = input;
  const mode = opts.check ? 'CHECK' : acting.length > 0 ? 'ACTING' : 'DRY RUN';
  const banner = runBanner(targets, mode, { defaultInventory: input.defaultInventory, acting: acting.length });
  process.stdout.write(`${banner}\n${idsLine(input.ids)}\n`);
  if (reviewed) process.stdout.write(`runbook: applying plan ${visible(opts.plan!)}, digest ${reviewed.digest} (the ticket shows the digest it was reviewed with)\n`);
  if (await nothingToDo(input.playbook, targets, input.dryRunFor, { style: view.style, ids: input.ids, ...(opts.report ? { report: opts.report } : {}), ...(opts.limit ? { limit: opts.limit } : {}) })) return ExitCode.NothingToDo;
  if (acting.length > 0 && !opts.yes && !(await confirmActing(acting, banner, reviewed))) {
    process.stderr.write('runbook: interrupted at the question: nothing was sent\n');
    return ExitCode.Interrupted;
  }
  return undefined;
}

/** The lock keeps two runs from acting on the same devices at once; a dry run never acts. */
function takeRunLock(input: ApplyInput, opts: ApplyOptions): RunLock | typeof ExitCode.Locked {
  if (input.acting.length === 0) return NO_LOCK;
  try {
    return acquireRunLock(input.targets.inventory.files, opts.lockDir, (w) => process.stderr.write(`runbook: ${w}\n`));
  } catch (err) {
    if (!(err instanceof RunLockedError)) throw new UsageError(`--lock-dir ${opts.lockDir ?? '(the system temp dir)'}: cannot take the run lock: ${(err as Error).message}; nothing was contacted`);
    process.stderr.write(`runbook: ${err.message}\n`);
    return ExitCode.Locked;
  }
}

/** With --redis the run lock lives in Redis, where every coordinator of the inventory sees it. */
async function takeRedisRunLock(input: ApplyInput, remote: RemoteRollout, runId: string): Promise<RunLock | typeof ExitCode.Locked> {
  if (input.acting.length === 0) return NO_LOCK;
  const { acquireRedisRunLock, RedisRunLockedError } = await import('../../queue/run-lock.ts');
  try {
    const held = await acquireRedisRunLock(remote.target, inventoryKey(input.targets.inventory.files), { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command: redactedCommand(process.argv.slice(2)), runId });
    return { file: held.key, release: () => void held.release() };
  } catch (err) {
    if (err instanceof RedisRunLockedError) {
      process.stderr.write(`runbook: ${err.message}\n`);
      return ExitCode.Locked;
    }
    throw new UsageError(`--redis ${remote.target.shown}: cannot take the run lock: ${(err as Error).message}; nothing was contacted`);
  }
}

/** How each host's job is made: the timeouts' layers, the connect retry, the reviewed entry. */
function jobSettings(input: ApplyInput, opts: ApplyOptions): JobSettings {
  return {
    dryRun: input.dryRunFor,
    ids: input.ids,
    timeouts: { playbook: playbookSettings(input.playbook), cli: { ...opt('connectS', opts.connectTimeout), ...opt('rpcS', opts.rpcTimeout), ...cliSettings(opts) } },
    ...(input.rollout.retries ? { retries: input.rollout.retries } : {}),
    ...(input.reviewed ? { reviewed: input.reviewed.hosts } : {}),
  };
}

function reportOf(run: StreamedRun, input: ApplyInput, opts: ApplyOptions): ReturnType<typeof buildReport> {
  return buildReport(run, { version, ids: input.ids, inventory: input.targets.inventory.files, ...(opts.limit ? { limit: opts.limit } : {}) });
}

/** After the run: the hosts' sections, the recap, what a reviewed plan left undone, the report and the other outputs. */
async function writeApplyOutputs(run: StreamedRun, control: RunControl, input: ApplyInput, opts: ApplyOptions, { verbosity, style }: RunView): Promise<number> {
  if (verbosity > 0) {
    process.stdout.write('\n');
    // Above the live view's limit, without -v: a compact table of what changed or failed instead of a block per host.
    for (const line of hostSectionLines(run, verbosity, style, { ...(opts.report ? { report: opts.report } : {}), ...(opts.html ? { html: opts.html } : {}) })) process.stdout.write(line + '\n');
  }
  process.stdout.write(recapLines(run, style, { failuresAbove: verbosity > 0 }).join('\n') + '\n');
  const notDone = input.reviewed && !opts.check ? reviewedNotDone(input.reviewed, run) : [];
  if (notDone.length > 0) process.stdout.write(`NOT DONE: reviewed statements were not sent to ${hostList(notDone)}\n`);
  if (opts.report) {
    writeReport(opts.report, reportOf(run, input, opts));
    if (verbosity > 0) process.stdout.write(`report written to ${opts.report}\n`);
  }
  const code = control.exitCode(run, notDone);
  await writeRunOutputs(run, code, { ...opts, playbookNotify: input.playbookNotify, ids: input.ids }, {
    say: (line) => verbosity > 0 && process.stdout.write(line + '\n'),
    warn: (line) => process.stderr.write(line + '\n'),
  });
  return code;
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

