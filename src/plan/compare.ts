import type { HostStatus, PlannedAction } from '../contracts/results.ts';
import type { PlannedHost } from './artifact.ts';

/** How a host's fresh plan stands against the one a reviewer approved. */
export type PlanComparison =
  /** The same actions, in the same order: apply may act. */
  | { readonly verdict: 'same' }
  /** The reviewed actions with some gone and the order kept (a peer that cleared itself). */
  | { readonly verdict: 'subset'; readonly missing: readonly PlannedAction[] }
  /** Anything else: apply must not act on this host. */
  | {
      readonly verdict: 'drifted';
      /** Fresh actions the reviewer never saw. */
      readonly added: readonly PlannedAction[];
      /** Reviewed actions the fresh plan no longer has. */
      readonly removed: readonly PlannedAction[];
      /** True when the actions both plans share come in another order. */
      readonly reordered: boolean;
      /** One line for a person: why this host drifted. */
      readonly summary: string;
    };

export interface CompareOptions {
  /** Accept a fresh plan that is the reviewed one with actions gone; otherwise that is drift too. */
  readonly allowSubset: boolean;
}

/**
 * Pure. Actions are the same when their RPC, arguments and CLI form are: the CLI form is
 * what the reviewer read, so a change to it alone is drift too. Whether an action changes
 * state follows from the RPC and is not compared.
 */
export function comparePlans(reviewed: PlannedHost, fresh: { readonly status: HostStatus; readonly actions: readonly PlannedAction[] }, opts: CompareOptions): PlanComparison {
  if (fresh.status === 'failed' || fresh.status === 'unreachable') {
    // No fresh plan was made, so nothing confirms the reviewed one; an empty list here
    // must not read as "every action gone".
    return { verdict: 'drifted', added: [], removed: [], reordered: false, summary: `no fresh plan to compare with the reviewed one: the host is ${fresh.status} now` };
  }
  const before = reviewed.actions.map(actionKey);
  const after = fresh.actions.map(actionKey);
  if (before.length === after.length && before.every((k, i) => k === after[i])) return { verdict: 'same' };

  const gone = unmatched(before, after);
  const extra = unmatched(after, before);
  const removed = reviewed.actions.filter((_, i) => gone.has(i));
  const added = fresh.actions.filter((_, i) => extra.has(i));
  const keptBefore = before.filter((_, i) => !gone.has(i));
  const keptAfter = after.filter((_, i) => !extra.has(i));
  const reordered = keptBefore.some((k, i) => k !== keptAfter[i]);

  if (added.length === 0 && !reordered) {
    if (opts.allowSubset) return { verdict: 'subset', missing: removed };
    return {
      verdict: 'drifted',
      added,
      removed,
      reordered,
      summary: `${removed.length} of the ${reviewed.actions.length} reviewed ${plural(reviewed.actions.length, 'action is', 'actions are')} no longer in the fresh plan, and a smaller plan is not allowed here`,
    };
  }
  return { verdict: 'drifted', added, removed, reordered, summary: driftSummary(added, removed, reordered, reviewed.actions.length) };
}

/**
 * The comparison as diff lines: "- CLI" for a reviewed action that is gone, "+ CLI" for
 * one the reviewer never saw. A reordering alone changes no line, so it gets its own.
 */
export function diffLines(comparison: PlanComparison): string[] {
  switch (comparison.verdict) {
    case 'same':
      return [];
    case 'subset':
      return comparison.missing.map((a) => `- ${actionLabel(a)}`);
    case 'drifted':
      return [
        ...comparison.removed.map((a) => `- ${actionLabel(a)}`),
        ...comparison.added.map((a) => `+ ${actionLabel(a)}`),
        ...(comparison.reordered ? ['~ the actions both plans share are in a different order'] : []),
      ];
  }
}

/** What identifies an action: RPC, arguments (in any order) and CLI form. */
export function actionKey(a: PlannedAction): string {
  const args = Object.entries(a.args).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return JSON.stringify([a.rpc, args, a.cli]);
}

/** The CLI form a reviewer knows an action by; the RPC and arguments when there is none. */
export function actionLabel(a: PlannedAction): string {
  if (a.cli !== '') return a.cli;
  return [a.rpc, ...Object.entries(a.args).map(([k, v]) => (v === '' ? k : `${k}=${v}`))].join(' ');
}

/**
 * Positions in `keys` the other side has no counterpart for. Repeats count: an action
 * planned twice where it was reviewed once is one action added.
 */
function unmatched(keys: readonly string[], otherKeys: readonly string[]): Set<number> {
  const available = new Map<string, number>();
  for (const k of otherKeys) available.set(k, (available.get(k) ?? 0) + 1);
  const out = new Set<number>();
  for (const [i, k] of keys.entries()) {
    const n = available.get(k) ?? 0;
    if (n > 0) available.set(k, n - 1);
    else out.add(i);
  }
  return out;
}

function driftSummary(added: readonly PlannedAction[], removed: readonly PlannedAction[], reordered: boolean, reviewedCount: number): string {
  const parts: string[] = [];
  if (added.length > 0) parts.push(`${added.length} ${plural(added.length, 'action', 'actions')} the review did not see${added.length === 1 ? ` (${actionLabel(added[0])})` : ''}`);
  if (removed.length > 0) parts.push(`${removed.length} of the ${reviewedCount} reviewed ${plural(reviewedCount, 'action', 'actions')} gone${removed.length === 1 ? ` (${actionLabel(removed[0])})` : ''}`);
  const changes = parts.length > 0 ? `the fresh plan has ${parts.join(' and ')}` : 'the fresh plan has the reviewed actions';
  if (!reordered) return changes;
  return parts.length > 0 ? `${changes}, and the rest in a different order` : `${changes} in a different order`;
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}
