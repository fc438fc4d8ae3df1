import { failureOf } from '../contracts/failure.ts';
import type { RpcSession, RpcReply } from '../contracts/session.ts';
import type { ConfigOutcome, ConfigResult, Failure } from '../contracts/results.ts';
import { CONFIG_RPC, commitConfirmedRpc, commitResults, commitRpc, configurationOutput, loadSetRpc, normaliseDiff, rollbackRpc } from '../junos/config.ts';
import { describeRpcError, isTransportPhase, RpcError, TransportError } from '../transport/errors.ts';
import { endOf, type AuditedRpc, type ChangeAudit } from '../contracts/audit.ts';

export interface ConfigChangeOptions {
  /** Check only: load, compare, `commit check`, discard. */
  readonly dryRun: boolean;
  readonly confirmMinutes: number;
  readonly comment: string;
  /** Runs between commit confirmed and the confirming commit; says why the change must be rolled back, or nothing. */
  readonly verify: () => Promise<string | undefined>;
  /** apply --plan: the diff the reviewer read; any other diff is not committed. */
  readonly reviewedDiff?: string;
  /** Told of each RPC that changes the candidate or the running configuration (load, commit check, commits, rollbacks). */
  readonly audit: ChangeAudit;
}

export interface ConfigChange {
  readonly outcome: ConfigOutcome;
  /** Set when the change failed or was rolled back. */
  readonly failure?: Failure;
}

/** Ends a change early with what became of it. */
class Stop extends Error {
  constructor(
    readonly result: ConfigResult,
    readonly reason: string,
    readonly failure?: Failure,
  ) {
    super(reason);
  }
}

/**
 * One configuration change, as an operator does it in `configure exclusive`:
 *
 *   lock → load set → show | compare → (nothing to do: discard)
 *        → dry run: commit check → discard
 *        → commit confirmed N → verify → commit          (verify failed: rollback 1, commit)
 *   → unlock
 *
 * Whatever happens before the commit, the candidate is discarded and the lock released,
 * so the device's configuration is as it was. If the session breaks after commit
 * confirmed, the device rolls the change back by itself when N minutes pass.
 */
export async function runConfigChange(statements: readonly string[], session: RpcSession, opts: ConfigChangeOptions): Promise<ConfigChange> {
  const trail: string[] = [];
  const warnings: string[] = [];
  let diff = '';
  let locked = false;
  let loaded = false;
  let confirmed: number | undefined;
  let done: 'committed' | 'rolled-back' | undefined;
  let rolledBackBecause: string | undefined;

  /** Sends one operation; a state-changing one (audited) is recorded before it goes and when it ends, `refused` saying whether an answer is a refusal. */
  const send = async (label: string, body: string, handler?: Parameters<RpcSession['rpc']>[1], audited?: AuditedRpc, refused?: () => string | undefined): Promise<RpcReply> => {
    const ended = audited ? opts.audit.sending(audited) : undefined;
    trail.push(label);
    let reply: RpcReply;
    try {
      reply = await session.rpc(body, handler);
    } catch (err) {
      ended?.(endOf(configFailure(label, err, confirmed)));
      throw err;
    }
    const said = reply.warnings.map(describeRpcError);
    warnings.push(...said);
    const refusal = refused?.();
    if (refusal !== undefined) ended?.({ outcome: 'failed', error: { phase: 'act', kind: 'config', message: refusal } });
    else ended?.({ outcome: 'ok', reply: { messages: [], warnings: said } });
    return reply;
  };
  const outcome = (result: ConfigResult, reason?: string): ConfigOutcome => ({
    statements,
    diff,
    result,
    ...(confirmed !== undefined ? { confirmMinutes: confirmed } : {}),
    ...(reason !== undefined ? { reason } : {}),
    warnings,
    trail,
  });

  try {
    await step('lock', () => send('lock', CONFIG_RPC.lock));
    locked = true;
    loaded = true; // a load that fails half-way may still have changed the candidate
    await step(`load ${statements.length} ${statements.length === 1 ? 'statement' : 'statements'}`, () => send(`load set (${statements.length})`, loadSetRpc(statements), undefined, { rpc: 'load-configuration', cli: 'load set terminal', statements }));
    const out = configurationOutput();
    await step('compare', () => send('show | compare', CONFIG_RPC.compare, { handler: out }));
    diff = normaliseDiff(out.result());
    if (diff === '') {
      await discardAndUnlock();
      return { outcome: outcome('unchanged') };
    }
    if (opts.reviewedDiff !== undefined && diff !== normaliseDiff(opts.reviewedDiff)) {
      throw new Stop('drifted', 'the configuration diff is not the one reviewed: the device changed since the plan was made');
    }
    if (opts.dryRun) {
      await step('commit check', () => commit('commit check', CONFIG_RPC.commitCheck, 'commit check'));
      await discardAndUnlock();
      return { outcome: outcome('checked') };
    }
    await step(`commit confirmed ${opts.confirmMinutes}`, () => commit(`commit confirmed ${opts.confirmMinutes}`, commitConfirmedRpc(opts.confirmMinutes, opts.comment), `commit confirmed ${opts.confirmMinutes}${commentCli(opts.comment)}`));
    confirmed = opts.confirmMinutes;
    loaded = false;
    // A verify that cannot run (the session broke, a collect failed) is a failed verify.
    const verifyProblem = await opts.verify().catch((err: unknown) => `verify could not run: ${err instanceof Error ? err.message : String(err)}`);
    if (verifyProblem !== undefined) {
      // Roll back now rather than wait for the confirm timeout: rollback 1 is the configuration before our commit.
      await step('rollback 1', () => send('rollback 1', rollbackRpc(1), undefined, { rpc: 'load-configuration', cli: 'rollback 1' }));
      await step('commit (rollback)', () => commit('commit (rollback)', commitRpc(`${opts.comment} (rolled back: verify failed)`), `commit${commentCli(`${opts.comment} (rolled back: verify failed)`)}`));
      done = 'rolled-back';
      rolledBackBecause = `verify failed after commit confirmed: ${verifyProblem}; rolled back`;
      await unlock();
      return { outcome: outcome('rolled-back', rolledBackBecause), failure: { phase: 'verify', kind: 'verify', message: rolledBackBecause } };
    }
    await step('commit (confirm)', () => commit('commit', commitRpc(opts.comment), `commit${commentCli(opts.comment)}`));
    done = 'committed';
    await unlock();
    return { outcome: outcome('committed') };
  } catch (err) {
    if (done !== undefined) {
      // Committed (or rolled back) already: only the unlock failed, and the session's end releases the lock.
      warnings.push(`unlock failed after the commit: ${err instanceof Error ? err.message : String(err)}`);
      if (done === 'committed') return { outcome: outcome('committed') };
      return { outcome: outcome('rolled-back', rolledBackBecause), failure: { phase: 'verify', kind: 'verify', message: rolledBackBecause ?? 'rolled back' } };
    }
    const stop = err instanceof Stop ? err : new Stop('failed', err instanceof Error ? err.message : String(err));
    if (!(stop.failure?.kind !== undefined && isTransportPhase(stop.failure.kind))) await discardAndUnlock().catch(() => undefined);
    return { outcome: outcome(stop.result, stop.reason), ...(stop.result === 'failed' || stop.failure ? { failure: stop.failure ?? { phase: 'act', kind: 'config', message: stop.reason } } : {}) };
  }

  async function commit(label: string, body: string, cli: string): Promise<void> {
    const r = commitResults();
    const refusal = () => {
      const { other } = r.result();
      return other.length > 0 ? `${label}: no success reported by ${other.join(', ')}` : undefined;
    };
    await send(label, body, { handler: r }, { rpc: 'commit-configuration', cli }, refusal);
    const refused = refusal();
    if (refused !== undefined) throw new Stop('failed', refused, { phase: 'act', kind: 'config', message: refused });
  }

  async function discardAndUnlock(): Promise<void> {
    if (loaded) {
      loaded = false;
      await send('rollback 0', rollbackRpc(0), undefined, { rpc: 'load-configuration', cli: 'rollback 0' });
    }
    await unlock();
  }

  async function unlock(): Promise<void> {
    if (!locked) return;
    locked = false;
    await send('unlock', CONFIG_RPC.unlock);
  }

  /** Runs one operation; its failure becomes a Stop naming the operation and the device's words. */
  async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof Stop) throw err;
      const failure = configFailure(what, err, confirmed);
      if (err instanceof TransportError) {
        locked = false;
        loaded = false;
      }
      throw new Stop('failed', failure.message, failure);
    }
  }
}

function commentCli(comment: string): string {
  return comment === '' ? '' : ` comment ${JSON.stringify(comment)}`;
}

function configFailure(what: string, err: unknown, confirmedMinutes: number | undefined): Failure {
  const after = confirmedMinutes !== undefined ? ` (after commit confirmed: the device rolls the change back by itself within ${confirmedMinutes} min unless it is confirmed)` : '';
  const failure = failureOf('act', err);
  // The device's own words read better after "commit: " than the error's host-prefixed message.
  const said = err instanceof RpcError ? err.errors.map(describeRpcError).join('; ') : failure.message;
  return { ...failure, message: `${what}: ${said}${after}` };
}
