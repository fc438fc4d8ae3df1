import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ActionResult } from '../engine/results.ts';

/**
 * Append-only JSON lines, one per state-changing RPC sent, written synchronously as each
 * answer arrives: a crash or a kill loses nothing already done. Arguments are RPC
 * arguments (addresses, indexes), never credentials.
 */
export class AuditLog {
  private readonly fd: number;

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    this.fd = openSync(file, 'a', 0o600);
  }

  record(run: { id: string; playbook: string }, host: string, result: ActionResult): void {
    if (!result.action.changesState || (result.status !== 'sent' && result.status !== 'failed')) return;
    const line = {
      time: new Date().toISOString(),
      run: run.id,
      playbook: run.playbook,
      host,
      rpc: result.action.rpc,
      args: result.action.args,
      cli: result.action.cli,
      // A clear sent in its wide form (all: true) says what it cleared.
      ...(result.action.wide !== undefined ? { wide: result.action.wide } : {}),
      status: result.status,
      ...(result.reply ? { reply: result.reply } : {}),
      ...(result.error ? { error: { kind: result.error.kind, message: result.error.message, ...(result.error.deviceErrors ? { deviceErrors: result.error.deviceErrors } : {}) } } : {}),
      ...(result.ms !== undefined ? { ms: result.ms } : {}),
    };
    writeSync(this.fd, JSON.stringify(line) + '\n');
  }

  close(): void {
    closeSync(this.fd);
  }
}
