import type { RpcSession } from '../engine/session.ts';
import { buildRpc } from '../junos/rpc.ts';
import { tableExtractor, type TableResult } from '../junos/table.ts';
import type { CollectStep } from '../playbook/types.ts';
import { renderArgs } from './args.ts';
import type { Scope } from './scope.ts';

/** Runs the step's RPC and reads its table as the reply streams in. */
export async function runCollect(step: CollectStep, scope: Scope, session: RpcSession, onProgress: (count: number) => void): Promise<TableResult> {
  const body = buildRpc(step.rpc, await renderArgs(step.args, scope));
  const table = tableExtractor({ item: step.item, fields: step.fields }, { onProgress });
  await session.rpc(body, { handler: table });
  return table.result();
}
