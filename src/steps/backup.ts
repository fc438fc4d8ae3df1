import type { BackupRef, ConfigBackup, RunningConfig } from '../contracts/backup.ts';
import { FailureError } from '../contracts/failure.ts';
import type { RpcSession } from '../contracts/session.ts';
import { CONFIG_RPC, commitStamp, configurationOutput, configurationSet } from '../junos/config.ts';

/** The running configuration could not be read or kept: nothing is sent to the host. */
export class BackupError extends FailureError {
  readonly kind = 'backup' as const;
}

/**
 * The running configuration, read-only: its text form (as `show configuration` prints
 * it), its set form, and the commit stamp of what was read. Three reads, none of which
 * touches the candidate.
 */
export async function readRunningConfig(session: RpcSession): Promise<RunningConfig> {
  const readAt = new Date().toISOString();
  const text = configurationOutput();
  await session.rpc(CONFIG_RPC.runningText, { handler: text });
  const set = configurationSet();
  await session.rpc(CONFIG_RPC.runningSet, { handler: set });
  const stamp = commitStamp();
  await session.rpc(CONFIG_RPC.commitStamp, { handler: stamp });
  return { text: withoutLeadingNewline(text.result()), set: withoutLeadingNewline(set.result()), commit: stamp.result(), readAt };
}

/** Junos opens `<configuration-text>` and `<configuration-set>` with a newline that is not part of the configuration. */
function withoutLeadingNewline(s: string): string {
  return s.startsWith('\n') ? s.slice(1) : s;
}

/**
 * Reads the running configuration and keeps it through the port. Anything that goes
 * wrong (the read, the write, the git commit) is a BackupError naming what, so the
 * caller sends nothing.
 */
export async function backUp(session: RpcSession, port: ConfigBackup): Promise<BackupRef> {
  let config: RunningConfig;
  try {
    config = await readRunningConfig(session);
  } catch (err) {
    throw new BackupError(`not sent: the running configuration could not be read for the backup: ${messageOf(err)}`);
  }
  if (config.text.trim() === '') throw new BackupError('not sent: the device returned an empty running configuration for the backup');
  try {
    return await port.save(config);
  } catch (err) {
    throw new BackupError(`not sent: the configuration backup could not be kept: ${messageOf(err)}`);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
