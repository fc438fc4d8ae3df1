import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { failureOf } from '../../contracts/failure.ts';
import { connectionFor } from '../../inventory/connection.ts';
import { formatIssue } from '../../inventory/errors.ts';
import { resolveSelection } from '../../inventory/limit.ts';
import { loadInventory } from '../../inventory/load.ts';
import { AuditLog } from '../../report/audit-log.ts';
import { BackupFolder } from '../../report/config-backup.ts';
import { buildReport, writeReport } from '../../report/json-report.ts';
import { openSyslog, parseSyslogTarget, type SyslogTarget } from '../../report/syslog.ts';
import { configLines } from '../../steps/config-lines.ts';
import { runRestore, type RestoreOutcome } from '../../steps/restore.ts';
import { isTransportPhase } from '../../transport/errors.ts';
import type { ConnectOptions } from '../../transport/options.ts';
import type { InventoryHost } from '../../inventory/types.ts';
import { NetconfSession } from '../../transport/session.ts';
import { backupDirOf } from '../backup-dir.ts';
import { confirmOnTerminal } from '../confirm.ts';
import { UsageError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import { asUsageError } from '../input-errors.ts';
import { startInventoryLab } from '../lab-wiring.ts';
import { addLimitOptions, limitsGiven, type LimitCliOptions } from '../limit-options.ts';
import { collect, positiveInt, positiveNumber } from '../option-parsers.ts';
import { checkOutputPaths } from '../output-paths.ts';
import { acquireRunLock, NO_LOCK, RunLockedError, type RunLock } from '../run-lock.ts';
import { ansibleContext, connectionDefaults, inventorySources } from '../targets.ts';
import { idsLine, runIdsFor } from '../run-ids.ts';
import { commitLog } from '../../steps/commit-log.ts';
import { restoreRunResult, restoreSyslogLine, type RestoreRun } from '../restore-result.ts';
import { version } from '../version.ts';
import { addVaultOptions, type VaultOptions } from '../vault-passwords.ts';

interface RestoreCliOptions extends LimitCliOptions, VaultOptions {
  from: string;
  inventory: string[];
  check?: boolean;
  yes?: boolean;
  confirmMinutes: number;
  auditLog: string;
  backupDir?: string;
  lockDir?: string;
  knownHosts: string;
  acceptNew?: boolean;
  connectTimeout?: number;
  rpcTimeout?: number;
  ticket?: string;
  report?: string;
  syslog?: string;
}

export function registerRestoreCommand(program: Command): void {
  const command = addVaultOptions(program.command('restore'))
    .description('Put a configuration backup back on one host: lock, load override, show | compare, commit confirmed, verify, commit, unlock')
    .argument('<host>', 'the inventory host (the pattern must select exactly one)')
    .requiredOption('--from <file>', 'the backup to restore: its text form (the .conf file a run kept)')
    .option('-i, --inventory <file>', 'Ansible inventory; repeatable (default: ansible.cfg inventory / ANSIBLE_INVENTORY, else the built-in lab)', collect, [])
    .option('-C, --check', 'dry run: load, show the diff, commit check, discard')
    .option('--ticket <id>', 'the change ticket: in the commit comment and every audit line (default: the inventory\'s runbook_ticket)')
    .option('-y, --yes', 'do not ask before changing the configuration (needed when not on a terminal)')
    .option('--confirm-minutes <n>', 'commit confirmed N: the device rolls back by itself unless confirmed within N minutes', positiveInt, 5)
    .option('--audit-log <file>', 'append one JSON line per state-changing RPC sent', '.runbook/audit.jsonl')
    .option('--report <file>', 'write the JSON report (as apply\'s: one host, its configuration change and backup)')
    .option('--syslog <target>', 'also log one line at the end to syslog: local, udp://HOST[:PORT] or tcp://HOST[:PORT] (RFC 5424)')
    .option('--backup-dir <dir>', 'keep the configuration being replaced here (DIR/HOST/) first (default: backups/ beside the audit log)')
    .option('--lock-dir <dir>', 'where the per-inventory run lock lives, as for apply (default: the system temp dir)')
    .option('--known-hosts <file>', 'known_hosts for hosts that do not set runbook_known_hosts', join(homedir(), '.ssh', 'known_hosts'))
    .option('--accept-new', 'trust and record an unknown host key (never a changed one)')
    .option('--connect-timeout <seconds>', 'connect, authenticate and exchange hellos within', positiveNumber)
    .option('--rpc-timeout <seconds>', 'longest wait for reply data on one RPC', positiveNumber)
    .action(async (host: string, opts: RestoreCliOptions) => {
      process.exitCode = await restore(host, opts);
    });
  addLimitOptions(command, { hostDeadline: false });
}

async function restore(pattern: string, opts: RestoreCliOptions): Promise<number> {
  const source = resolve(opts.from);
  const text = await readBackup(opts.from);
  const { settings, vault } = await ansibleContext(opts);
  const files = inventorySources(opts.inventory, settings);
  const target = await asUsageError(async () => {
    const inventory = await loadInventory([...files], { vault });
    for (const w of inventory.warnings) process.stderr.write(`warning: ${formatIssue(w)}\n`);
    const { hosts } = resolveSelection(inventory, pattern, undefined);
    if (hosts.length !== 1) throw new UsageError(`restore HOST: '${pattern}' selects ${hosts.length} hosts${hosts.length > 1 ? ` (${hosts.map((h) => h.name).join(', ')})` : ''}; name exactly one`);
    const host = hosts[0]!;
    const defaults = connectionDefaults({ inventoryFiles: files, extraVars: [], knownHosts: opts.knownHosts, ...(opts.acceptNew ? { acceptNew: true } : {}), ansible: settings, ...(opts.sshConfig !== undefined ? { sshConfig: opts.sshConfig } : {}) });
    return { host, files: inventory.files, connect: host.lab ? undefined : await connectionFor(host, process.env, defaults) };
  });
  const name = target.host.name;
  const backupDir = backupDirOf(opts);
  const syslogTarget = opts.syslog !== undefined ? await asUsageError(async () => parseSyslogTarget(opts.syslog!)) : undefined;
  checkOutputPaths([
    { option: '--audit-log', path: opts.auditLog, kind: 'created-file' },
    ...(opts.report !== undefined ? [{ option: '--report', path: opts.report, kind: 'created-file' } as const] : []),
    ...(opts.check ? [] : [{ option: '--backup-dir', path: backupDir, kind: 'created-dir' } as const]),
  ]);
  if (!opts.check && !opts.yes) {
    const what = `This replaces the configuration of ${name} with ${opts.from} (load override, commit confirmed ${opts.confirmMinutes}).`;
    if (!(await confirmOnTerminal(what, `${what} Not on a terminal, so nothing can ask: add --yes to go ahead, or --check for a dry run`))) {
      process.stderr.write('runbook: interrupted at the question: nothing was sent\n');
      return ExitCode.Interrupted;
    }
  }

  // As apply: one acting run per inventory at a time; a check changes nothing and takes no lock.
  let lock: RunLock = NO_LOCK;
  try {
    if (!opts.check) lock = acquireRunLock(target.files, opts.lockDir, (w) => process.stderr.write(`runbook: ${w}\n`));
  } catch (err) {
    if (!(err instanceof RunLockedError)) throw new UsageError(`--lock-dir ${opts.lockDir ?? '(the system temp dir)'}: cannot take the run lock: ${(err as Error).message}; nothing was contacted`);
    process.stderr.write(`runbook: ${err.message}\n`);
    return ExitCode.Locked;
  }
  try {
    return await restoreLocked(name, text, source, { ...target, syslogTarget }, backupDir, opts);
  } finally {
    lock.release();
  }
}

interface RestoreTarget {
  readonly host: InventoryHost;
  readonly files: readonly string[];
  readonly connect: ConnectOptions | undefined;
  readonly syslogTarget: SyslogTarget | undefined;
}

async function restoreLocked(name: string, text: string, source: string, target: RestoreTarget, backupDir: string, opts: RestoreCliOptions): Promise<number> {
  const ids = runIdsFor(opts.ticket, {}, [target.host]);
  process.stdout.write(`${idsLine(ids)}\n`);
  const startedAt = new Date();
  const syslog = target.syslogTarget ? openSyslog(target.syslogTarget, 'runbook', (why) => process.stderr.write(`runbook: warning: --syslog ${opts.syslog}: ${why}; syslog lines are not delivered\n`), ids) : undefined;
  // What is left behind once the host's outcome is known: the report and the syslog line, as apply leaves.
  const leave = (outcome: RestoreRun['outcome']): void => {
    const run: RestoreRun = { host: name, from: opts.from, text, dryRun: opts.check === true, startedAt, outcome };
    if (opts.report !== undefined) writeReport(opts.report, buildReport(restoreRunResult(run), { version, ids, inventory: target.files }));
    syslog?.send(name, restoreSyslogLine(run));
  };
  const audit = new AuditLog(opts.auditLog, { id: ids.runId, ...(ids.ticket !== undefined ? { ticket: ids.ticket } : {}), playbook: `restore ${source}` });
  const lab = await startInventoryLab([target.host]);
  let session: NetconfSession | undefined;
  try {
    const base = target.connect ?? lab!.connections.get(name)!;
    const connect: ConnectOptions = Object.assign(Object.create(base) as ConnectOptions, {
      ...(opts.connectTimeout !== undefined ? { connectTimeoutMs: opts.connectTimeout * 1000 } : {}),
      ...(opts.rpcTimeout !== undefined ? { rpcTimeoutMs: opts.rpcTimeout * 1000 } : {}),
      ...(opts.rpcDeadline !== undefined ? { rpcDeadlineMs: opts.rpcDeadline * 1000 } : {}),
      ...limitsGiven(opts),
    });
    try {
      session = await NetconfSession.connect(connect);
    } catch (err) {
      const failure = failureOf('connect', err);
      process.stdout.write(`${name} | UNREACHABLE\n  ${failure.message}\n`);
      leave({ failure });
      return ExitCode.HostsUnreachable;
    }
    const out = await runRestore(text, session, {
      dryRun: opts.check === true,
      confirmMinutes: opts.confirmMinutes,
      // As every commit runbook makes: `runbook <run-id> <ticket> restore | <backup file>`.
      comment: commitLog(ids, 'restore', basename(opts.from)),
      source,
      audit: audit.forHost(name),
      backup: new BackupFolder({ dir: backupDir, runId: ids.runId, ...(ids.ticket !== undefined ? { ticket: ids.ticket } : {}) }).forHost(name),
    });
    process.stdout.write(outcomeLines(name, out, opts.check === true).join('\n') + '\n');
    leave(out);
    if (opts.report !== undefined) process.stdout.write(`report written to ${opts.report}\n`);
    if (!out.failure) return ExitCode.Ok;
    return isTransportPhase(out.failure.kind) ? ExitCode.HostsUnreachable : ExitCode.HostsFailed;
  } finally {
    audit.close();
    await syslog?.close();
    await session?.close().catch(() => undefined);
    await lab?.stop();
  }
}

/** The backup's text form; a set form or an unreadable file is bad input (exit 2). */
async function readBackup(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--from ${file}: cannot read the backup: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; nothing was contacted`);
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  if (lines.length === 0) throw new UsageError(`--from ${file}: the backup is empty; nothing was contacted`);
  if (lines.every((l) => /^(set|delete) /.test(l))) throw new UsageError(`--from ${file}: this is a set form; restore loads the text form (the .conf file beside it); nothing was contacted`);
  return text;
}

function outcomeLines(host: string, out: RestoreOutcome, dryRun: boolean): string[] {
  const status = out.failure ? 'FAILED' : out.config?.result === 'unchanged' ? 'OK' : dryRun ? 'CHANGED (dry run)' : 'CHANGED';
  const lines = [`${host} | ${status}`];
  if (out.backup) lines.push(`  backup of the configuration replaced: ${out.backup.text}${out.backup.git !== undefined ? ` (git commit ${out.backup.git.slice(0, 12)})` : ''}`);
  if (out.config) {
    lines.push(...configLines(out.config, dryRun).map((l) => `  ${l.replace('the statements are already in the running configuration', 'the running configuration is the backup')}`));
    lines.push(`  sent: ${out.config.trail.join(' → ')}`);
  }
  if (out.failure && out.config?.reason !== out.failure.message) lines.push(`  ${out.failure.message}`);
  return lines;
}
