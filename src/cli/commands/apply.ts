import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { runPlaybook } from '../../engine/executor.ts';
import type { EngineHost } from '../../engine/host-run.ts';
import type { RunEvent } from '../../engine/events.ts';
import type { PlannedAction, RunResult } from '../../engine/results.ts';
import { AuditLog } from '../../report/audit-log.ts';
import { writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { acquireRunLock, RunLockedError, type RunLock } from '../run-lock.ts';
import { loadPlaybook, parsePlaybook } from '../../playbook/load.ts';
import type { PlanArtifact } from '../../plan/artifact.ts';
import { planAgeCheck } from '../../plan/age.ts';
import { comparePlans, diffLines } from '../../plan/compare.ts';
import { readPlan } from '../../plan/read.ts';
import { renderPlan } from '../../plan/render.ts';
import type { PlanGate } from '../../engine/host-run.ts';
import type { Playbook } from '../../playbook/types.ts';
import { buildReport, writeReport } from '../../report/json-report.ts';
import { openSyslog, parseSyslogTarget, type SyslogSink } from '../../report/syslog.ts';
import { ExitCode, exitCodeOf } from '../exit-codes.ts';
import { ansibleContext, engineHosts, inventorySources, listHosts, resolveTargets } from '../targets.ts';
import { collect, nonNegativeInt, percentage, positiveInt, positiveNumber } from '../option-parsers.ts';
import { parseSerial } from '../../engine/batches.ts';
import type { RunOptions } from '../../engine/executor.ts';
import { confirmOnTerminal } from '../confirm.ts';
import { UsageError } from '../errors.ts';
import { asUsageError } from '../input-errors.ts';
import { progressRenderer, RunControl } from '../run-control.ts';
import type { ProgressRenderer } from '../render/renderer.ts';
import { hostResultLines, recapLines, type Verbosity } from '../render/results.ts';
import { makeStyle } from '../render/style.ts';
import { version } from '../version.ts';
import { addVaultOptions, type VaultOptions } from '../vault-passwords.ts';


interface ApplyOptions extends VaultOptions {
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
  lockDir?: string;
  plan?: string;
  maxPlanAge: number;
  useEmbeddedPlaybook?: boolean;
  yes?: boolean;
  listHosts?: boolean;
}

export function registerApplyCommand(program: Command): void {
  addVaultOptions(program.command('apply'))
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
    .option('--lock-dir <dir>', 'where the per-inventory run lock lives (default: the system temp dir)')
    .option('--plan <file>', 'act exactly as reviewed: re-collect and re-plan each host, act only where the fresh plan is this one')
    .option('--max-plan-age <hours>', 'refuse a plan older than this', positiveNumber, 24)
    .option('--use-embedded-playbook', "with --plan: run the playbook text the plan carries, even if the file changed since")
    .option('--list-hosts', 'print the hosts the playbook and --limit select, and exit (nothing is contacted)')
    .option('-y, --yes', 'do not ask before sending state-changing RPCs (needed when not on a terminal)')
    .action(async (playbook: string | undefined, opts: ApplyOptions) => {
      process.exitCode = await apply(playbook, opts);
    });
}

async function apply(playbookFile: string | undefined, opts: ApplyOptions): Promise<number> {
  const verbosity: Verbosity = opts.quiet ? 0 : (Math.min(3, 1 + opts.verbose) as Verbosity);
  const style = makeStyle(process.stdout);
  const reviewed = opts.plan !== undefined ? await loadReviewedPlan(opts.plan, playbookFile, opts) : undefined;
  if (!reviewed && playbookFile === undefined) throw new UsageError('name a playbook, or give --plan FILE');
  const { settings, vault } = await ansibleContext(opts);
  const inventoryFiles = inventorySources(opts.inventory, settings, reviewed?.plan.inventory);
  const playbook = reviewed ? reviewed.playbook : await asUsageError(() => loadPlaybook(playbookFile!));
  if (opts.listHosts) {
    process.stdout.write(await listHosts(playbook, { inventoryFiles, vault, ...(opts.limit !== undefined ? { limit: opts.limit } : {}) }));
    return ExitCode.Ok;
  }
  const targets = await resolveTargets(playbook, {
    inventoryFiles,
    // A reviewed plan brings its own vars and hosts: exactly what was reviewed.
    extraVars: reviewed ? (Object.keys(reviewed.plan.extraVars).length > 0 ? [JSON.stringify(reviewed.plan.extraVars)] : []) : opts.extraVars,
    knownHosts: opts.knownHosts,
    vault,
    ansible: settings,
    ...(opts.sshConfig !== undefined ? { sshConfig: opts.sshConfig } : {}),
    ...(reviewed ? { limit: reviewed.plan.targets.join(',') } : opts.limit !== undefined ? { limit: opts.limit } : {}),
    ...(opts.acceptNew ? { acceptNew: true } : {}),
  });
  const dryRunFor = (vars: Record<string, string | number | boolean>) => opts.check === true || (reviewed ? false : vars.dry_run !== false);
  const wouldAct = targets.hosts.filter((t) => !dryRunFor(t.vars)).length;
  if (wouldAct > 0 && !opts.yes) await confirmActing(wouldAct, reviewed?.plan);
  const inventory = targets.inventory;
  const syslog: SyslogSink | undefined = opts.syslog ? openSyslog(await asUsageError(async () => parseSyslogTarget(opts.syslog!)), 'runbook') : undefined;

  let lock: RunLock;
  try {
    lock = acquireRunLock(inventory.files, opts.lockDir);
  } catch (err) {
    if (!(err instanceof RunLockedError)) throw err;
    process.stderr.write(`runbook: ${err.message}\n`);
    return ExitCode.Locked;
  }
  try {
    return await runLocked();
  } finally {
    lock.release();
  }

  async function runLocked(): Promise<number> {
    const { hosts: engineHostList, lab } = await engineHosts(targets, dryRunFor, {
      playbook: { ...opt('connectS', playbook.rollout.connectTimeoutS), ...opt('rpcS', playbook.rollout.rpcTimeoutS) },
      cli: { ...opt('connectS', opts.connectTimeout), ...opt('rpcS', opts.rpcTimeout) },
    });
    const engineHostsToRun: EngineHost[] = engineHostList;
    const rollout = rolloutOptions(playbook.rollout, opts, settings.forks);
    const renderer: ProgressRenderer = progressRenderer(engineHostsToRun.map((h) => h.name), rollout.forks, verbosity, style);
    // A second Ctrl-C stops at once, still writing what is known (the audit log is already on disk).
    const control = new RunControl(playbook, engineHostsToRun.map((h) => h.name), (partial) => {
      if (opts.report) {
        writeFileSync(opts.report, JSON.stringify(buildReport(partial, { version, inventory: inventory.files, ...(opts.limit ? { limit: opts.limit } : {}) }), null, 2) + '\n');
        process.stderr.write(`runbook: stopped; partial report written to ${opts.report}\n`);
      }
      lock.release();
    });
    const emit = (e: RunEvent) => {
      renderer.sink(e);
      control.observe(e);
      if (e.type === 'syslog') syslog?.send(e.host, e.message);
    };
    const audit = engineHostsToRun.some((h) => !h.dryRun) ? new AuditLog(opts.auditLog) : undefined;
    const runId = randomUUID();

    let run: RunResult | undefined;
    try {
      run = await runPlaybook(
        playbook,
        engineHostsToRun,
        { ...rollout, signal: control.signal, ...(reviewed ? { gate: reviewedGate(reviewed.plan) } : {}), ...(audit ? { onAction: (host, r) => audit.record({ id: runId, playbook: playbook.file }, host, r) } : {}) },
        emit,
      );
    } finally {
      audit?.close();
      control.dispose();
      await renderer.end();
      await lab?.stop();
      await syslog?.close();
    }

    if (verbosity > 0) {
      process.stdout.write('\n');
      for (const h of run.hosts) process.stdout.write(hostResultLines(h, verbosity, style).join('\n') + '\n\n');
    }
    process.stdout.write(recapLines(run, style).join('\n') + '\n');
    if (opts.report) {
      await writeReport(opts.report, buildReport(run, { version, inventory: inventory.files, ...(opts.limit ? { limit: opts.limit } : {}) }));
      if (verbosity > 0) process.stdout.write(`report written to ${opts.report}\n`);
    }
    return exitCodeOf(run);
  }
}

/** The reviewed plan, and the playbook to run: the file if it still hashes the same, or the embedded text. */
async function loadReviewedPlan(file: string, playbookFile: string | undefined, opts: ApplyOptions): Promise<{ plan: PlanArtifact; playbook: Playbook }> {
  if (playbookFile !== undefined) throw new UsageError('--plan brings its own playbook: do not name one too');
  if (opts.extraVars.length > 0 || opts.limit !== undefined) throw new UsageError('--plan brings its own vars and hosts: -e and --limit cannot change what was reviewed');
  const plan = await asUsageError(() => readPlan(file));
  const tooOld = planAgeCheck(plan, new Date(), opts.maxPlanAge * 3600_000, file);
  if (tooOld) throw new UsageError(tooOld);
  if (opts.useEmbeddedPlaybook) return { plan, playbook: await asUsageError(async () => parsePlaybook(plan.playbook.text, plan.playbook.file)) };
  let playbook: Playbook;
  try {
    playbook = await loadPlaybook(plan.playbook.file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as Error).name === 'PlaybookError') {
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

/** Acts only where the fresh plan is the reviewed one (or, if the playbook allows, a part of it). */
function reviewedGate(plan: PlanArtifact): PlanGate {
  const byHost = new Map(plan.hosts.map((h) => [h.host, h]));
  return (host, actions, allowSubset) => {
    const reviewed = byHost.get(host);
    if (!reviewed) return { act: false, reason: 'not in the reviewed plan (it was not planned when the plan was made)', lines: [] };
    const c = comparePlans(reviewed, { status: actions.length > 0 ? 'changed' : 'ok', actions: [...actions] }, { allowSubset });
    const statements = (list: readonly PlannedAction[]) => list.filter((a) => a.config !== undefined).map((a) => a.config).join('\n');
    if ((c.verdict === 'same' || c.verdict === 'subset') && statements(actions) !== '') {
      // A configuration change is applied whole and only with the diff the reviewer read.
      if (statements(actions) !== statements(reviewed.actions)) return { act: false, reason: 'drifted since the plan was reviewed: the configuration statements are not all the reviewed ones', lines: diffLines(c) };
      if (!reviewed.config) return { act: false, reason: 'the reviewed plan has configuration statements but no diff from the device: plan again', lines: [] };
      return { act: true, actions, configDiff: reviewed.config.diff };
    }
    if (c.verdict === 'same' || c.verdict === 'subset') return { act: true, actions };
    return { act: false, reason: `drifted since the plan was reviewed: ${c.summary}`, lines: diffLines(c) };
  };
}

/** Acting needs an explicit yes: asked on a terminal, --yes otherwise. */
async function confirmActing(hosts: number, plan: PlanArtifact | undefined): Promise<void> {
  const what = plan
    ? `This applies the reviewed plan (${plan.hosts.reduce((n, h) => n + h.actions.length, 0)} statements on ${plan.hosts.filter((h) => h.actions.length > 0).length} hosts, made ${plan.createdAt}).`
    : `This run will send state-changing RPCs to up to ${hosts} hosts.`;
  const preface = plan ? renderPlan(plan, 'text').split('\n').slice(0, 40).join('\n') + '\n' : undefined;
  await confirmOnTerminal(what, `${what} Not on a terminal, so nothing can ask: add --yes to go ahead, or --check for a dry run`, preface);
}

function opt<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

/** Rollout settings: the command line over the playbook, over Ansible's defaults. */
/** Forks: --forks, else the playbook's, else ansible.cfg's forks / ANSIBLE_FORKS, else 5. */
function rolloutOptions(p: Playbook['rollout'], opts: ApplyOptions, ansibleForks: number | undefined): Omit<RunOptions, 'signal' | 'onAction'> {
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

