import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildState, type BuildState } from '../../bin/build-state.js';
import { REPO } from '../lib/child.ts';
import type { BenchRow } from '../lib/rows.ts';

/** One command the section times: spawned from the repository root, output discarded. */
interface StartupCommand {
  readonly subject: string;
  readonly role: BenchRow['role'];
  readonly file: string;
  readonly args: readonly string[];
  /** Peak RSS can be read (a node process of its own; npx is two). */
  readonly rss: boolean;
}

export interface StartupSectionOptions {
  /** Rounds: every command once per round, in the same order. */
  readonly runs: number;
  readonly dir: string;
  readonly log?: (line: string) => void;
}

export interface StartupSection {
  readonly rows: BenchRow[];
  /** Whether bin/runbook.js ran dist/ (fresh) or fell back to tsx. */
  readonly build: BuildState;
}

const BIN = join(REPO, 'bin/runbook.js');
const PLAYBOOK = 'playbooks/ah-cleanup.yml';

/**
 * How long a user waits for runbook to start: `runbook --help`, `validate` and `npx runbook
 * --help` beside a bare `node` printing the same help text (the floor), and the TypeScript
 * run through tsx (what a checkout whose build is stale runs). The commands are
 * interleaved, round after round, so that the machine's load falls on all of them alike;
 * each figure is the median of its rounds, spawn to exit. Peak RSS and CPU time (which
 * the load moves less) come from one more, untimed run of each.
 */
export async function startupSection(opts: StartupSectionOptions): Promise<StartupSection> {
  const log = opts.log ?? (() => undefined);
  const build = buildState(REPO);
  const help = await spawnTimed(process.execPath, [BIN, '--help']);
  if (help.code !== 0) throw new Error(`runbook --help exited with ${help.code}`);
  const commands: StartupCommand[] = [
    { subject: 'node printing the same help text (floor)', role: 'floor', file: process.execPath, args: ['-e', `process.stdout.write(${JSON.stringify(help.stdout)})`], rss: true },
    { subject: 'runbook --help', role: 'runbook', file: process.execPath, args: [BIN, '--help'], rss: true },
    { subject: `runbook validate ${PLAYBOOK}`, role: 'runbook', file: process.execPath, args: [BIN, 'validate', PLAYBOOK], rss: true },
    { subject: 'npx runbook --help', role: 'runbook', file: 'npx', args: ['runbook', '--help'], rss: false },
    { subject: 'runbook --help from src/ through tsx', role: 'foil', file: process.execPath, args: ['--import', 'tsx', 'src/cli/main.ts', '--help'], rss: true },
    { subject: `runbook validate from src/ through tsx`, role: 'foil', file: process.execPath, args: ['--import', 'tsx', 'src/cli/main.ts', 'validate', PLAYBOOK], rss: true },
  ];
  // One untimed run of each first: the file cache, npx's lookup and tsx's cache are warm for all alike.
  for (const c of commands) await spawnTimed(c.file, c.args);
  const times: number[][] = commands.map(() => []);
  for (let round = 0; round < opts.runs; round++) {
    log(`startup: round ${round + 1} of ${opts.runs}`);
    for (const [i, c] of commands.entries()) {
      const run = await spawnTimed(c.file, c.args);
      if (run.code !== 0) throw new Error(`${c.subject} exited with ${run.code}: ${run.stderr.trim().split('\n').at(-1) ?? ''}`);
      times[i]!.push(run.ms);
    }
  }
  const floor = median(times[0]!);
  const rows: BenchRow[] = [];
  for (const [i, c] of commands.entries()) {
    const t = times[i]!;
    const measured = c.rss ? await atExit(c, opts.dir) : undefined;
    const half = Math.ceil(t.length / 2);
    rows.push({
      section: 'startup',
      size: t.length,
      subject: c.subject,
      role: c.role,
      ok: true,
      ms: median(t),
      wallMs: median(t),
      ratio: median(t) / floor,
      ...(measured?.peakRssBytes !== undefined ? { peakRssBytes: measured.peakRssBytes } : {}),
      ...(measured?.cpuMs !== undefined ? { cpuMs: measured.cpuMs } : {}),
      spread: { minMs: Math.min(...t), maxMs: Math.max(...t), firstHalfMs: median(t.slice(0, half)), secondHalfMs: median(t.slice(half)) },
    });
  }
  return { rows, build };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface TimedRun {
  readonly ms: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawn to exit, from the repository root, as `npx runbook` would be typed there. */
function spawnTimed(file: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, args, { cwd: REPO, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - started, code, stdout, stderr }));
  });
}

/** The command's peak RSS and CPU time, from the bench's exit preload in a run of its own (the preload is not free). */
async function atExit(c: StartupCommand, dir: string): Promise<{ peakRssBytes?: number; cpuMs?: number } | undefined> {
  const file = join(dir, 'startup-rss.json');
  await rm(file, { force: true });
  await spawnTimed(c.file, ['--import', join(REPO, 'bench/lib/rss-at-exit.mjs'), ...c.args], { BENCH_RSS_FILE: file });
  try {
    return JSON.parse(await readFile(file, 'utf8')) as { peakRssBytes?: number; cpuMs?: number };
  } catch {
    return undefined;
  }
}
