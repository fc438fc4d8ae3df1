import { relative } from 'node:path';
import { visible } from '../plan/visible.ts';
import type { Targets } from './targets.ts';

/** What a run does to its hosts, as its first line says it. */
export type RunMode =
  /** `runbook plan`: collect, analyze and plan; nothing that changes state is sent. */
  | 'PLAN'
  /** apply --check: a dry run whatever the vars say. */
  | 'CHECK'
  /** apply where no host acts (dry_run is true for every host). */
  | 'DRY RUN'
  /** apply where at least one host sends state-changing RPCs. */
  | 'ACTING';

/**
 * A run's first line: its target and its mode, e.g. "runbook: built-in lab: 5 simulated
 * SRX on 127.0.0.1 · DRY RUN" or "runbook: inventory inventory/prod.yml, 12 hosts ·
 * ACTING". Acting against the simulated lab, or a real fleet by mistake, is then never silent.
 */
export function runBanner(targets: Targets, mode: RunMode, opts: { defaultInventory: boolean; acting?: number }): string {
  const hosts = targets.hosts.map((t) => t.host);
  const lab = hosts.filter((h) => h.lab !== undefined).length;
  const simulated = `${lab} simulated SRX on 127.0.0.1`;
  let target: string;
  if (opts.defaultInventory && lab === hosts.length) target = `built-in lab: ${simulated}`;
  else {
    const files = targets.inventory.files.map((f) => visible(shortPath(f))).join(', ');
    const count = `${hosts.length} ${hosts.length === 1 ? 'host' : 'hosts'}`;
    target = `inventory ${files}, ${count}${lab === 0 ? '' : lab === hosts.length ? ` (lab: ${simulated})` : ` (${simulated})`}`;
  }
  const partly = mode === 'ACTING' && opts.acting !== undefined && opts.acting < hosts.length ? ` on ${opts.acting} of ${hosts.length} hosts (the others dry run)` : '';
  return `runbook: ${target} · ${mode}${partly}`;
}

/** The names to show for hosts a prompt is about: the first few and how many more. */
export function hostList(names: readonly string[], shown = 10): string {
  const first = names.slice(0, shown).map(visible).join(', ');
  return names.length > shown ? `${first} and ${names.length - shown} more` : first;
}

/** Paths under the working directory as given relative to it; others as they are. */
function shortPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') ? rel : file;
}
