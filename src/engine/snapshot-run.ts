import type { Snapshot, SnapshotTable } from '../checks/snapshot.ts';
import { SNAPSHOT_FORMAT } from '../checks/snapshot.ts';
import { failureOf, reachedDevice } from '../contracts/failure.ts';
import type { Failure } from '../contracts/results.ts';
import type { RpcSession } from '../contracts/session.ts';
import type { CollectStep, Playbook } from '../playbook/types.ts';
import { runCollect } from '../steps/collect.ts';
import { hostScope, truthy } from '../steps/scope.ts';
import type { EngineHost } from './host-run.ts';

/** A host's snapshot, or why it could not be taken (unreachable: the connection failed). */
export type SnapshotOutcome =
  | { readonly ok: true; readonly snapshot: Snapshot }
  | { readonly ok: false; readonly unreachable: boolean; readonly failure: Failure };

/**
 * Runs only the playbook's collect steps on one host (read-only RPCs: the loader lets
 * collect steps call nothing else) and returns what they collected. A collect whose
 * arguments read what only analyze or plan would compute is skipped and said so; a
 * `when` that reads such names is not decided here and the table is collected anyway,
 * being only read. Does not throw.
 */
export async function takeSnapshot(playbook: Playbook, host: EngineHost, meta: { readonly name: string; readonly version: string }): Promise<SnapshotOutcome> {
  const takenAt = new Date().toISOString();
  let session: RpcSession;
  try {
    session = await host.connect();
  } catch (err) {
    const failure = failureOf('connect', err);
    return { ok: false, unreachable: !reachedDevice(failure.kind), failure };
  }
  const scope: Record<string, unknown> = { ...hostScope(host) };
  const tables: Record<string, SnapshotTable> = {};
  const skipped: Record<string, string> = {};
  const collects = playbook.steps.filter((s): s is CollectStep & { register: string } => s.kind === 'collect' && s.register !== undefined);
  try {
    for (const step of collects) {
      const unknown = [...new Set(Object.values(step.args).flatMap((t) => t.names))].filter((n) => !(n in scope));
      if (unknown.length > 0) {
        skipped[step.register] = `its arguments read ${unknown.join(', ')}, which only a full run computes`;
        continue;
      }
      if (step.when && step.when.names.every((n) => n in scope) && !truthy(await step.when.evaluate(scope))) {
        skipped[step.register] = `its when (${step.when.source}) is false`;
        continue;
      }
      const table = await runCollect(step, scope, session, () => undefined);
      scope[step.register] = table;
      tables[step.register] = { rpc: step.rpc, count: table.count, records: table.records };
    }
  } catch (err) {
    return { ok: false, unreachable: false, failure: failureOf('collect', err) };
  } finally {
    await session.close().catch(() => undefined);
  }
  const snapshot: Snapshot = {
    format: SNAPSHOT_FORMAT,
    name: meta.name,
    host: host.name,
    takenAt,
    runbook: meta.version,
    playbook: { file: playbook.file, name: playbook.name, sha256: playbook.sha256 },
    tables,
    skipped,
  };
  return { ok: true, snapshot };
}
