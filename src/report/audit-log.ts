import { closeSync, fdatasyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditedRpc, ChangeAudit, RpcEnd } from '../contracts/audit.ts';

/** The run the audit lines belong to. */
export interface AuditRun {
  readonly id: string;
  /** The change ticket, when the run has one. */
  readonly ticket?: string;
  readonly playbook: string;
}

/** One state-changing RPC as the log knows it: sent, and how it ended if it has. */
export interface AuditEntry {
  readonly seq: number;
  readonly host: string;
  readonly rpc: AuditedRpc;
  readonly sentAt: string;
  end?: RpcEnd;
}

/**
 * Append-only JSON lines, two per state-changing RPC: an `intent` line written and
 * fdatasync'd before the RPC is sent, and an `outcome` line (ok, failed, unknown) when
 * it ends. An intent with no outcome line is an RPC that was sent and whose outcome is
 * unknown (the process was killed, or stopped at once, before the answer); an RPC with no
 * intent line was never sent. Outcome lines are written but not synced: losing one to a
 * machine crash only turns a known outcome into "unknown", never into "not sent". The
 * file is opened at the first line, so a run that sends nothing leaves none. Arguments
 * are RPC arguments and configuration statements, never credentials.
 */
export class AuditLog {
  private fd: number | undefined;
  private seq = 0;
  private readonly entries: AuditEntry[] = [];

  /** `mirror`: gets each line once it is written (a queue worker sends them on to its coordinator). */
  constructor(
    readonly file: string,
    private readonly run: AuditRun,
    private readonly mirror?: (line: object) => void,
  ) {}

  /**
   * A line another process wrote first (a queue worker's, relayed through Redis): appended
   * as it is, and its RPC known to sentTo. Not synced: the worker's own file is the one
   * written before the RPC was sent.
   */
  relayed(line: Record<string, unknown>): void {
    const host = typeof line.host === 'string' ? line.host : undefined;
    if (host === undefined) return;
    this.write(line, false);
    const seq = typeof line.seq === 'number' ? line.seq : -1;
    if (line.phase === 'intent') {
      const rpc = { rpc: String(line.rpc), cli: String(line.cli), ...(line.args ? { args: line.args as Record<string, string> } : {}), ...(line.statements ? { statements: line.statements as string[] } : {}), ...(line.wide !== undefined ? { wide: String(line.wide) } : {}) };
      this.entries.push({ seq, host, rpc, sentAt: String(line.time) });
    } else if (line.phase === 'outcome') {
      const entry = this.entries.find((e) => e.host === host && e.seq === seq && !e.end);
      if (entry) entry.end = relayedEnd(line);
    }
  }

  forHost(host: string): ChangeAudit {
    return { sending: (rpc) => this.intent(host, rpc) };
  }

  /** The host's state-changing RPCs sent so far, in order, with their outcomes where known. */
  sentTo(host: string): readonly AuditEntry[] {
    return this.entries.filter((e) => e.host === host);
  }

  /** Stopping at once: each RPC still waiting for its answer gets its outcome line, `unknown`. */
  endPending(why: string): void {
    for (const e of this.entries) {
      if (!e.end) this.ended(e, { outcome: 'unknown', error: { phase: 'act', kind: 'interrupted', message: why } });
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private intent(host: string, rpc: AuditedRpc): (end: RpcEnd) => void {
    const entry: AuditEntry = { seq: ++this.seq, host, rpc, sentAt: new Date().toISOString() };
    this.write({ time: entry.sentAt, ...this.head(entry), phase: 'intent', ...describe(rpc) }, true);
    this.entries.push(entry);
    return (end) => {
      if (!entry.end) this.ended(entry, end);
    };
  }

  private ended(entry: AuditEntry, end: RpcEnd): void {
    entry.end = end;
    const ms = Date.now() - Date.parse(entry.sentAt);
    const detail = end.outcome === 'ok' ? (end.reply ? { reply: end.reply } : {}) : { error: errorOf(end.error) };
    this.write({ time: new Date().toISOString(), ...this.head(entry), phase: 'outcome', rpc: entry.rpc.rpc, cli: entry.rpc.cli, outcome: end.outcome, ...detail, ms }, false);
  }

  private head(entry: AuditEntry) {
    return { run: this.run.id, ...(this.run.ticket !== undefined ? { ticket: this.run.ticket } : {}), playbook: this.run.playbook, host: entry.host, seq: entry.seq };
  }

  private write(line: object, durable: boolean): void {
    if (this.fd === undefined) {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      this.fd = openSync(this.file, 'a', 0o600);
    }
    writeSync(this.fd, JSON.stringify(line) + '\n');
    if (durable) fdatasyncSync(this.fd);
    this.mirror?.(line);
  }
}

function describe(rpc: AuditedRpc) {
  return {
    rpc: rpc.rpc,
    cli: rpc.cli,
    ...(rpc.args && Object.keys(rpc.args).length > 0 ? { args: rpc.args } : {}),
    ...(rpc.statements ? { statements: rpc.statements } : {}),
    ...(rpc.wide !== undefined ? { wide: rpc.wide } : {}),
  };
}

function errorOf(e: Extract<RpcEnd, { error: unknown }>['error']) {
  return { kind: e.kind, message: e.message, ...(e.deviceErrors ? { deviceErrors: e.deviceErrors } : {}) };
}

/** The end a relayed outcome line records; an error's details beyond its message stay in the line. */
function relayedEnd(line: Record<string, unknown>): RpcEnd {
  const error = (line.error ?? { phase: 'act', kind: 'unknown', message: 'see the audit line' }) as Extract<RpcEnd, { error: unknown }>['error'];
  if (line.outcome === 'ok') return { outcome: 'ok' };
  return line.outcome === 'failed' ? { outcome: 'failed', error } : { outcome: 'unknown', error };
}
