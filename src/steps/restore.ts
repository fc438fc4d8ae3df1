import type { ChangeAudit } from '../contracts/audit.ts';
import type { BackupRef, ConfigBackup } from '../contracts/backup.ts';
import { failureOf } from '../contracts/failure.ts';
import type { ConfigOutcome, Failure } from '../contracts/results.ts';
import type { RpcSession } from '../contracts/session.ts';
import { CONFIG_RPC, configurationOutput } from '../junos/config.ts';
import { backUp } from './backup.ts';
import { runConfigChange } from './config-change.ts';

export interface RestoreOptions {
  /** Check only: load override, compare, `commit check`, discard. */
  readonly dryRun: boolean;
  readonly confirmMinutes: number;
  readonly comment: string;
  /** Names the backup in the trail and the audit (`load override FILE`). */
  readonly source: string;
  readonly audit: ChangeAudit;
  /** Keeps the configuration being replaced first; not in a dry run. */
  readonly backup?: ConfigBackup;
}

export interface RestoreOutcome {
  readonly config?: ConfigOutcome;
  readonly failure?: Failure;
  /** The configuration the restore replaced, kept before it was sent. */
  readonly backup?: BackupRef;
}

/**
 * Puts a backed-up text configuration back through the same change as a playbook's:
 * lock → load override → show | compare → commit confirmed → verify → commit → unlock
 * (a dry run: commit check and discard). Verify reads the running configuration and
 * passes only when it is the backup's, line for line below the `## Last commit` header;
 * otherwise the change is rolled back. The configuration it replaces is backed up first.
 */
export async function runRestore(text: string, session: RpcSession, opts: RestoreOptions): Promise<RestoreOutcome> {
  let backup: BackupRef | undefined;
  if (!opts.dryRun && opts.backup) {
    try {
      backup = await backUp(session, opts.backup);
    } catch (err) {
      return { failure: failureOf('act', err) };
    }
  }
  const verify = async (): Promise<string | undefined> => {
    const out = configurationOutput();
    await session.rpc(CONFIG_RPC.runningText, { handler: out });
    return differenceFrom(text, out.result());
  };
  const change = await runConfigChange([], session, {
    dryRun: opts.dryRun,
    confirmMinutes: opts.confirmMinutes,
    comment: opts.comment,
    verify,
    audit: opts.audit,
    override: { text, source: opts.source },
  });
  return { config: change.outcome, ...(change.failure ? { failure: change.failure } : {}), ...(backup ? { backup } : {}) };
}

/** Why the running configuration is not the backup's (its first differing line), or undefined when it is. */
export function differenceFrom(backup: string, running: string): string | undefined {
  const want = body(backup);
  const got = body(running);
  if (want.join('\n') === got.join('\n')) return undefined;
  const i = want.findIndex((line, n) => line !== got[n]);
  const at = i === -1 ? want.length : i;
  return `the running configuration is not the backup's: line ${at + 1} of the backup is ${JSON.stringify(want[at] ?? '(end)')}, the device has ${JSON.stringify(got[at] ?? '(end)')}`;
}

/** A text configuration without the `## Last commit` / `## Last changed` header lines (they name the commit, not the configuration) and blank edges. */
function body(text: string): string[] {
  const lines = text.split(/\r?\n/).map((l) => l.replace(/\s+$/, ''));
  let start = 0;
  while (start < lines.length && (lines[start] === '' || lines[start]!.startsWith('## '))) start++;
  let end = lines.length;
  while (end > start && lines[end - 1] === '') end--;
  return lines.slice(start, end);
}
