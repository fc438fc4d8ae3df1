import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { runAllChecks } from '../../checks/run.ts';
import { snapshotFromData, tablesOf, type Snapshot } from '../../checks/snapshot.ts';
import type { CheckResult } from '../../checks/types.ts';
import { parseJsonText } from '../../plan/json-position.ts';
import { visible } from '../../plan/visible.ts';
import { loadPlaybook } from '../../playbook/load.ts';
import { UsageError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import { asUsageError } from '../input-errors.ts';
import { checkLines } from '../render/checks.ts';

interface CheckOptions {
  pre: string;
  post: string;
  format: 'text' | 'json';
}

export const CHECK_FORMAT = 'runbook-check/1';

export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description("Compare two snapshots offline with the playbook's checks: (exit 0 all passed, 3 a check failed, 2 bad input)")
    .argument('[playbook]', "playbook file whose checks: run (default: the one the pre snapshot was taken with)")
    .requiredOption('--pre <file|dir>', 'the pre snapshot: a file, or a directory of them (runbook snapshot --name pre -o DIR makes DIR/pre)')
    .requiredOption('--post <file|dir>', 'the post snapshot(s), paired with the pre ones by host')
    .option('--format <format>', 'text or json', 'text')
    .action(async (playbook: string | undefined, opts: CheckOptions) => {
      process.exitCode = await check(playbook, opts);
    });
}

async function check(playbookFile: string | undefined, opts: CheckOptions): Promise<number> {
  if (opts.format !== 'text' && opts.format !== 'json') throw new UsageError(`--format ${visible(String(opts.format))}: text or json`);
  const pairs = pairByHost(readSnapshots(opts.pre, '--pre'), readSnapshots(opts.post, '--post'));
  const first = pairs[0]!.pre;
  const playbook = await asUsageError(() => loadPlaybook(playbookFile ?? first.snapshot.playbook.file));
  if (playbook.checks.length === 0) throw new UsageError(`${playbook.file}: the playbook has no checks: to run`);
  // A where reads what the run knew before acting (an analyze's selection): a snapshot does not hold it.
  const checks = playbook.checks.filter((c) => c.where === undefined);
  for (const c of playbook.checks) if (c.where !== undefined) process.stderr.write(`note: check '${visible(c.name)}' is not run offline: its where (${visible(c.where.source)}) is decided only in a run\n`);
  if (checks.length === 0) throw new UsageError(`${playbook.file}: every check has a where, decided only in a run: nothing to check offline`);
  for (const { pre, post } of pairs) {
    for (const s of [pre, post]) {
      if (s.snapshot.playbook.sha256 !== playbook.sha256) process.stderr.write(`warning: ${visible(s.file)} was taken with another version of ${visible(s.snapshot.playbook.file)} (sha256 ${s.snapshot.playbook.sha256.slice(0, 12)}…, now ${playbook.sha256.slice(0, 12)}…)\n`);
    }
  }
  const hosts = pairs.map(({ pre, post }) => {
    const results = runAllChecks(checks, tablesOf(pre.snapshot), tablesOf(post.snapshot));
    return { host: pre.snapshot.host, pre: about(pre), post: about(post), passed: results.every((r) => r.passed), results };
  });
  const passed = hosts.every((h) => h.passed);
  if (opts.format === 'json') {
    process.stdout.write(JSON.stringify({ format: CHECK_FORMAT, playbook: { file: playbook.file, sha256: playbook.sha256 }, passed, hosts }, null, 2) + '\n');
  } else {
    for (const h of hosts) {
      process.stdout.write(`${visible(h.host)}: ${visible(h.pre.name)} (${h.pre.takenAt}) → ${visible(h.post.name)} (${h.post.takenAt})\n`);
      process.stdout.write(checkLines(h.results).join('\n') + '\n');
    }
    process.stdout.write(summary(hosts.flatMap((h) => h.results), hosts.length) + '\n');
  }
  return passed ? ExitCode.Ok : ExitCode.HostsFailed;
}

interface SnapshotFile {
  readonly file: string;
  readonly snapshot: Snapshot;
}

function about(s: SnapshotFile) {
  return { file: s.file, name: s.snapshot.name, takenAt: s.snapshot.takenAt };
}

function summary(results: readonly CheckResult[], hosts: number): string {
  const failed = results.filter((r) => !r.passed).length;
  return `${results.length} ${results.length === 1 ? 'check' : 'checks'} on ${hosts} ${hosts === 1 ? 'host' : 'hosts'}: ${results.length - failed} passed, ${failed} failed`;
}

/** A snapshot file, or every `*.json` in a directory; an unreadable one is an error naming the option, file and place. */
function readSnapshots(path: string, option: string): SnapshotFile[] {
  let files: string[];
  try {
    files = statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => join(path, f))
      : [path];
  } catch (err) {
    throw new UsageError(`${option} ${visible(path)}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
  }
  if (files.length === 0) throw new UsageError(`${option} ${visible(path)}: no snapshot (*.json) in the directory`);
  return files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`${option} ${visible(file)}: ${(err as Error).message}`);
    }
    const parsed = parseJsonText(text);
    if (!parsed.ok) throw new UsageError(`${visible(file)}:${parsed.line}:${parsed.column}: not JSON: ${parsed.reason}`);
    return { file, snapshot: snapshotFromData(parsed.data, file) };
  });
}

/** Pre and post snapshots of the same hosts, in pre's order; a host on one side only is an error. */
function pairByHost(pre: readonly SnapshotFile[], post: readonly SnapshotFile[]): { pre: SnapshotFile; post: SnapshotFile }[] {
  const byHost = (list: readonly SnapshotFile[], option: string) => {
    const map = new Map<string, SnapshotFile>();
    for (const s of list) {
      const other = map.get(s.snapshot.host);
      if (other) throw new UsageError(`${option}: ${visible(other.file)} and ${visible(s.file)} are both snapshots of host ${visible(s.snapshot.host)}`);
      map.set(s.snapshot.host, s);
    }
    return map;
  };
  const before = byHost(pre, '--pre');
  const after = byHost(post, '--post');
  const single = pre.length === 1 && post.length === 1;
  const problems = [
    ...[...before.keys()].filter((h) => !after.has(h)).map((h) => `host ${visible(h)} has a pre snapshot (${visible(before.get(h)!.file)}) and no post snapshot`),
    ...[...after.keys()].filter((h) => !before.has(h)).map((h) => `host ${visible(h)} has a post snapshot (${visible(after.get(h)!.file)}) and no pre snapshot`),
  ];
  if (problems.length > 0) throw new UsageError(single ? `the pre and post snapshots are of different hosts: ${problems.join('; ')}` : problems.join('\n'));
  return [...before.entries()].map(([host, s]) => ({ pre: s, post: after.get(host)! }));
}
