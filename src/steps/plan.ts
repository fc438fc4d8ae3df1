import { cliForm, rpcSpec, wideEffect } from '../junos/catalog.ts';
import { buildRpc, RpcBuildError } from '../junos/rpc.ts';
import type { PlannedAction } from '../contracts/results.ts';
import type { ConfigActionTemplate, PlanStep } from '../playbook/types.ts';
import { checkStatement } from '../junos/config.ts';
import { renderArgs } from './args.ts';
import { asList, extend, type Scope } from './scope.ts';
import type { StepContext, StepResult } from './step-result.ts';

export interface PlanOutcome {
  readonly actions: PlannedAction[];
  readonly evidence: Record<string, unknown>;
}

/**
 * Pure: turns analysis into an ordered list of RPCs. Every action is built once here,
 * so a value read from a device that is not a valid argument (an address with markup in
 * it, say) fails the plan instead of reaching the device.
 */
export async function runPlan(step: PlanStep, scope: Scope): Promise<PlanOutcome> {
  const actions: PlannedAction[] = [];
  const items = step.forEach ? asList(await step.forEach.evaluate(scope)) : [undefined];
  for (const item of items) {
    const itemScope = step.forEach ? extend(scope, { [step.as]: item }) : scope;
    for (const template of step.actions) {
      if (template.kind === 'config') {
        actions.push(...(await configActions(template, itemScope)));
        continue;
      }
      const inner = template.forEach ? asList(await template.forEach.evaluate(itemScope)) : [undefined];
      for (const value of inner) {
        const s = template.forEach ? extend(itemScope, { [template.as]: value }) : itemScope;
        const args = await renderArgs(template.args, s, { rpc: template.rpc, step: step.name });
        // Refuses a clear that none of its arguments narrows, unless the playbook says all: true.
        buildRpc(template.rpc, args, { wide: template.wide });
        const text: Record<string, string> = {};
        for (const [k, v] of Object.entries(args)) text[k] = v === true ? '' : v;
        const wide = wideEffect(template.rpc, args);
        actions.push({ rpc: template.rpc, args: text, cli: cliForm(template.rpc, args), changesState: rpcSpec(template.rpc)?.changesState ?? true, ...(wide !== undefined ? { wide } : {}) });
      }
    }
  }
  const evidence: Record<string, unknown> = {};
  for (const [name, expr] of Object.entries(step.evidence)) evidence[name] = await expr.evaluate(scope);
  return { actions, evidence };
}

/** The plan step: its actions (registered too) and its evidence. */
export async function planStep(step: PlanStep, ctx: Pick<StepContext, 'scope'>): Promise<StepResult> {
  const { actions, evidence } = await runPlan(step, ctx.scope);
  return { status: 'done', count: actions.length, plan: { actions }, evidence, ...(step.register ? { bind: { [step.register]: actions } } : {}), log: [] };
}

/** Each line that renders non-empty, checked, as one planned statement. */
async function configActions(template: ConfigActionTemplate, scope: Scope): Promise<PlannedAction[]> {
  const out: PlannedAction[] = [];
  for (const line of template.lines) {
    const text = String(await line.render(scope)).trim().replace(/\s+/g, ' ');
    if (text === '') continue;
    const problem = checkStatement(text);
    if (problem) throw new RpcBuildError('load-configuration', undefined, `configuration statement ${problem}`);
    out.push({ rpc: 'load-configuration', args: {}, cli: text, changesState: true, config: text });
  }
  return out;
}

/** Planned args back to the builder's form: '' marks a flag. */
export function argsForCall(action: PlannedAction): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (const [k, v] of Object.entries(action.args)) out[k] = v === '' ? true : v;
  return out;
}
