import type { PlannedAction } from '../contracts/results.ts';
import type { PlannedHost } from './artifact.ts';
import { comparePlans, diffLines } from './compare.ts';

/** A reviewed plan's say over a fresh one: act on these actions, or skip the host and say why. */
export type GateVerdict =
  /** Act on these actions; a configuration change must show the reviewed diff (configDiff) or it is not committed. */
  | { readonly act: true; readonly actions: readonly PlannedAction[]; readonly configDiff?: string }
  | { readonly act: false; readonly reason: string; readonly lines: readonly string[] };

/**
 * Pure. apply --plan acts on a host only where its fresh plan is the reviewed one (or, if
 * the playbook allows, a part of it). `reviewed` is the reviewed plan's entry for the
 * host, null when the host was not in it.
 */
export function reviewedGate(reviewed: PlannedHost | null, actions: readonly PlannedAction[], allowSubset: boolean): GateVerdict {
  if (!reviewed) return { act: false, reason: 'not in the reviewed plan (it was not planned when the plan was made)', lines: [] };
  const c = comparePlans(reviewed, { status: actions.length > 0 ? 'changed' : 'ok', actions: [...actions] }, { allowSubset });
  if (c.verdict === 'drifted') return { act: false, reason: `drifted since the plan was reviewed: ${c.summary}`, lines: diffLines(c) };
  if (statements(actions) === '') return { act: true, actions };
  // A configuration change is applied whole and only with the diff the reviewer read.
  if (statements(actions) !== statements(reviewed.actions)) return { act: false, reason: 'drifted since the plan was reviewed: the configuration statements are not all the reviewed ones', lines: diffLines(c) };
  if (!reviewed.config) return { act: false, reason: 'the reviewed plan has configuration statements but no diff from the device: plan again', lines: [] };
  return { act: true, actions, configDiff: reviewed.config.diff };
}

function statements(list: readonly PlannedAction[]): string {
  return list
    .filter((a) => a.config !== undefined)
    .map((a) => a.config)
    .join('\n');
}
