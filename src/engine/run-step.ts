import { failureOf } from '../contracts/failure.ts';
import type { PlannedHost } from '../plan/artifact.ts';
import { reviewedGate } from '../plan/gate.ts';
import type { Playbook, Step } from '../playbook/types.ts';
import { actStep } from '../steps/act.ts';
import { analyzeStep } from '../steps/analyze.ts';
import { collectStep } from '../steps/collect.ts';
import { renderLog } from '../steps/log.ts';
import { planStep } from '../steps/plan.ts';
import { extend, truthy } from '../steps/scope.ts';
import type { StepContext, StepResult } from '../steps/step-result.ts';

/** apply --plan: the reviewed plan's entry for this host (null: the host was not in it). */
export interface Reviewed {
  readonly entry: PlannedHost | null;
}

/**
 * One step, start to end, as data: skipped when its `when` is false; else `started`, run
 * by its kind's runner, a fresh plan held to the reviewed one, then its log lines and
 * syslog line rendered. Never throws: an error becomes the step's failure, here.
 */
export async function runStep(step: Step, ctx: StepContext, started: () => void, reviewed?: Reviewed): Promise<StepResult> {
  let result: StepResult;
  try {
    if (step.when && !truthy(await step.when.evaluate(ctx.scope))) return { status: 'skipped', log: [] };
    started();
    result = await runnerOf(step, ctx);
  } catch (err) {
    return { status: 'failed', failure: { ...failureOf(step.kind, err), step: step.name }, log: [] };
  }
  if (reviewed && result.plan) result = heldToReview(result, step.name, reviewed.entry, allowsSubset(ctx.playbook));
  if (result.stop) return result;
  try {
    return await withLines(step, result, ctx);
  } catch (err) {
    // The step's work stands (an act's actions were sent); only its lines failed.
    return { ...result, status: 'failed', failure: { ...failureOf(step.kind, err), step: step.name } };
  }
}

function runnerOf(step: Step, ctx: StepContext): Promise<StepResult> {
  switch (step.kind) {
    case 'collect':
      return collectStep(step, ctx);
    case 'analyze':
      return analyzeStep(step, ctx);
    case 'plan':
      return planStep(step, ctx);
    case 'act':
      return actStep(step, ctx);
  }
}

/** The step's log lines, over the names it bound, and its syslog line unless it is an act that sent nothing. */
async function withLines(step: Step, result: StepResult, ctx: StepContext): Promise<StepResult> {
  const scope = result.bind ? extend(ctx.scope, result.bind) : ctx.scope;
  const log = [...result.log, ...(await renderLog(step.log, scope, step.name))];
  const syslog = step.syslog && result.acted !== false ? String(await step.syslog.render(scope)) : undefined;
  return { ...result, log, ...(syslog !== undefined ? { syslog } : {}) };
}

/** A fresh plan acts only as the reviewed plan allows (plan/gate.ts); otherwise the host stops here, skipped, saying why. */
function heldToReview(result: StepResult, step: string, entry: PlannedHost | null, allowSubset: boolean): StepResult {
  const verdict = reviewedGate(entry, result.plan?.actions ?? [], allowSubset);
  if (verdict.act) return { ...result, plan: { actions: verdict.actions, ...(verdict.configDiff !== undefined ? { reviewedDiff: verdict.configDiff } : {}) } };
  const lines = [`skipped: ${verdict.reason}`, ...verdict.lines.map((text) => `  ${text}`)];
  return { ...result, stop: { reason: verdict.reason }, log: [...result.log, ...lines.map((text) => ({ level: 1, text, step }))] };
}

function allowsSubset(playbook: Pick<Playbook, 'steps'>): boolean {
  const act = playbook.steps.find((s) => s.kind === 'act');
  return act?.kind === 'act' && act.allowPlanSubset;
}
