import type { RpcSession } from '../contracts/session.ts';
import { buildRpc } from '../junos/rpc.ts';
import { tableExtractor, TableValueError, type TableResult } from '../junos/table.ts';
import type { CollectStep } from '../playbook/types.ts';
import { renderArgs } from './args.ts';
import type { Scope } from './scope.ts';

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
