import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO, runNode } from '../lib/child.ts';
import type { PeakMemory } from '../lib/probe.ts';

export interface ApplyRun {
  readonly wallMs: number;
  readonly code: number | null;
  readonly memory: (Partial<PeakMemory> & { readonly heapAfterGcBytes?: number; readonly liveHeapPeakBytes?: number }) | undefined;
  /** The recap's counts line: `ok=0 changed=1000 skipped=0 failed=0 unreachable=0`. */
  readonly recap: string | undefined;
  readonly failure?: string;
}

export interface ApplyOptions {
  readonly inventories: readonly string[];
  readonly forks: number;
  /** Where stdout, the peak-RSS file and the run lock go. */
  readonly dir: string;
  /** Extra node flags (`--cpu-prof`, ...). */
  readonly nodeArgs?: readonly string[];
  /** Sample the live heap (full GC) this often: slows the run, so not for timed runs. */
  readonly liveHeapEveryMs?: number;
  readonly timeoutMs?: number;
  /** More options for `runbook apply` (`--redis URL`, ...). */
  readonly applyArgs?: readonly string[];
}

/**
 * `runbook apply playbooks/ah-cleanup.yml` as a user runs it, dry run, plain output to a
 * file. Peak RSS comes from a preload that writes it at exit; the time is spawn to exit.
 */
export async function runApply(opts: ApplyOptions): Promise<ApplyRun> {
  const rssFile = join(opts.dir, 'apply-rss.json');
  const stdoutFile = join(opts.dir, 'apply-stdout.txt');
  await rm(rssFile, { force: true });
  const run = await runNode(
    [
      '--import',
      join(REPO, 'bench/lib/rss-at-exit.mjs'),
      ...(opts.liveHeapEveryMs ? ['--expose-gc'] : []),
      ...(opts.nodeArgs ?? []),
      join(REPO, 'bin/runbook.js'),
      'apply',
      'playbooks/ah-cleanup.yml',
      ...opts.inventories.flatMap((i) => ['-i', i]),
      '--forks',
      String(opts.forks),
      '--check',
      '--lock-dir',
      opts.dir,
      ...(opts.applyArgs ?? []),
    ],
    {
      env: { BENCH_RSS_FILE: rssFile, NO_COLOR: '1', CI: 'true', ...(opts.liveHeapEveryMs ? { BENCH_LIVE_HEAP_MS: String(opts.liveHeapEveryMs) } : {}) },
      stdoutFile,
      timeoutMs: opts.timeoutMs ?? 1_800_000,
    },
  );
  const memory = await readFile(rssFile, 'utf8').then((t) => JSON.parse(t) as NonNullable<ApplyRun['memory']>, () => undefined);
  const out = await readFile(stdoutFile, 'utf8').catch(() => '');
  const recap = out
    .split('\n')
    .filter((l) => /^ok=\d+ changed=\d+/.test(l))
    .at(-1);
  const failure = run.code === 0 ? undefined : (run.failure ?? `exited with code ${run.code}`);
  return { wallMs: run.wallMs, code: run.code, memory, recap, ...(failure ? { failure } : {}) };
}
