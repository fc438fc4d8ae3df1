import type { StreamedRun } from '../contracts/results.ts';
import type { PlanArtifact } from './artifact.ts';

/**
 * Pure. The reviewed hosts with statements that `apply --plan` skipped (drifted, or not
 * planned now): asked-for work that was not done although nothing failed, so the run
 * must not end as if it were done. Failed and unreachable hosts have exit codes of their own.
 */
export function reviewedNotDone(plan: Pick<PlanArtifact, 'hosts'>, run: Pick<StreamedRun, 'hosts'>): string[] {
  const status = new Map<string, string>();
  for (const h of run.hosts) status.set(h.host, h.status);
  return plan.hosts.filter((h) => h.actions.length > 0 && status.get(h.host) === 'skipped').map((h) => h.host);
}
