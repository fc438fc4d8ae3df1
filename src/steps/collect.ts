import type { RpcSession } from '../contracts/session.ts';
import { buildRpc } from '../junos/rpc.ts';
import { tableExtractor, TableValueError, type TableResult } from '../junos/table.ts';
import type { CollectStep } from '../playbook/types.ts';
import { renderArgs } from './args.ts';
import type { Scope } from './scope.ts';
import type { StepContext, StepResult } from './step-result.ts';

/** The collect step: its table, registered with its count as evidence. */
export async function collectStep(step: CollectStep, ctx: StepContext): Promise<StepResult> {
  const table = await runCollect(step, ctx.scope, ctx.session, ctx.progress);
  if (!step.register) return { status: 'done', count: table.count, log: [] };
  return { status: 'done', count: table.count, bind: { [step.register]: table }, evidence: { [`${step.register}.count`]: table.count }, log: [] };
}

/**
 * Runs the step's RPC and reads its table as the reply streams in. A record whose value
 * does not fit its field's declared type fails the step, located at the step.
 */
export async function runCollect(step: CollectStep, scope: Scope, session: RpcSession, onProgress: (count: number) => void): Promise<TableResult> {
  const body = buildRpc(step.rpc, await renderArgs(step.args, scope, { rpc: step.rpc, step: step.name }));
  const table = tableExtractor({ item: step.item, fields: step.fields }, { onProgress });
  await session.rpc(body, { handler: table });
  try {
    return table.result();
  } catch (err) {
    if (err instanceof TableValueError) throw err.locate(`${step.at.file}:${step.at.line}:${step.at.column}: step '${step.name}'`);
    throw err;
  }
}
