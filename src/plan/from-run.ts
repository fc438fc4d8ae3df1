import type { StreamedRun } from '../contracts/results.ts';
import type { RunIds } from '../contracts/run-ids.ts';
import type { Playbook } from '../playbook/types.ts';
import { PLAN_FORMAT, type PlanArtifact } from './artifact.ts';
import type { InventoryBinding } from './binding.ts';
import { planDigest } from './digest.ts';

/** Builds the reviewable artifact from a planning run (collect, analyze and plan; nothing sent). */
export function planFromRun(
  run: StreamedRun,
  playbook: Playbook,
  meta: { version: string; ids?: RunIds; inventory: readonly string[]; binding: InventoryBinding; limit?: string; extraVars: Readonly<Record<string, unknown>>; targets: readonly string[] },
): PlanArtifact {
  const content: Omit<PlanArtifact, 'digest'> = {
    format: PLAN_FORMAT,
    tool: { name: 'runbook', version: meta.version },
    createdAt: run.finishedAt,
    ...(meta.ids ? { runId: meta.ids.runId, ...(meta.ids.ticket !== undefined ? { ticket: meta.ids.ticket } : {}) } : {}),
    playbook: { file: playbook.file, name: playbook.name, sha256: playbook.sha256, text: playbook.text },
    extraVars: meta.extraVars,
    inventory: meta.inventory,
    binding: meta.binding,
    ...(meta.limit !== undefined ? { limit: meta.limit } : {}),
    ...(run.interrupted ? { incomplete: { notPlanned: notPlanned(run, meta.targets) } } : {}),
    targets: meta.targets,
    hosts: Array.from(run.hosts, (h) => ({
      host: h.host,
      status: h.status,
      ...(h.reason !== undefined ? { reason: h.reason } : {}),
      ...(h.error !== undefined ? { error: h.error } : {}),
      vars: h.vars,
      evidence: h.evidence,
      actions: h.plan,
      ...(h.config ? { config: { diff: h.config.diff, result: h.config.result === 'unchanged' || h.config.result === 'checked' ? h.config.result : ('failed' as const) } } : {}),
      log: h.log.map((l) => l.text),
      ...(h.checks?.pre ? { checks: h.checks.pre } : {}),
    })),
  };
  const { format, ...rest } = content;
  return { format, digest: planDigest(content), ...rest };
}

function notPlanned(run: StreamedRun, targets: readonly string[]): string[] {
  const planned = new Set<string>();
  for (const h of run.hosts) planned.add(h.host);
  return targets.filter((t) => !planned.has(t));
}
