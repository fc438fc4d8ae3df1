import type { RpcSession } from '../engine/session.ts';
import type { ActionResult, Failure, PlannedAction } from '../engine/results.ts';
import { clearReply } from '../junos/clear-reply.ts';
import { buildRpc } from '../junos/rpc.ts';
import type { ActStep } from '../playbook/types.ts';
import { describeRpcError, RpcError, TransportError } from '../transport/errors.ts';
import { argsForCall } from './plan.ts';

/** Called as each state-changing RPC is sent and answered (the audit trail). */
export type ActionObserver = (result: ActionResult) => void;

/**
 * Sends the plan's RPCs in order, unless this is a dry run. A failed action is reported;
 * the rest of the host's plan continues or stops as the playbook says. A broken session
 * stops the rest, whatever the playbook says: nothing more can be sent on it.
 */
export async function runAct(step: ActStep, plan: readonly PlannedAction[], session: RpcSession, dryRun: boolean, observe: ActionObserver): Promise<ActionResult[]> {
  if (dryRun) return plan.map((action) => ({ action, status: 'not-sent' }));
  const results: ActionResult[] = [];
  let stopped = false;
  for (const action of plan) {
    if (stopped) {
      results.push({ action, status: 'skipped' });
      continue;
    }
    const started = Date.now();
    const reader = clearReply();
    let result: ActionResult;
    try {
      const reply = await session.rpc(buildRpc(action.rpc, argsForCall(action)), { handler: reader });
      const r = reader.result();
      result = {
        action,
        status: 'sent',
        reply: { ...(r.cleared !== undefined ? { cleared: r.cleared } : {}), messages: r.messages, warnings: reply.warnings.map(describeRpcError) },
        ms: Date.now() - started,
      };
    } catch (err) {
      result = { action, status: 'failed', error: actionFailure(err), ms: Date.now() - started };
      if (step.onError === 'stop' || err instanceof TransportError) stopped = true;
    }
    results.push(result);
    observe(result);
  }
  return results;
}

export function actionFailure(err: unknown): Failure {
  if (err instanceof RpcError) {
    return { phase: 'act', kind: 'rpc-error', message: err.message, deviceErrors: err.errors.map((e) => ({ ...e })) };
  }
  if (err instanceof TransportError) return { phase: 'act', kind: err.phase, message: err.message };
  return { phase: 'act', kind: 'internal', message: err instanceof Error ? err.message : String(err) };
}
