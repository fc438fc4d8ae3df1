import type { LoadOutcome } from './edit.ts';
import { isError, type ConfigRpcError } from './errors.ts';
import { cloneConfig, configEquals, type ConfigNode } from './tree.ts';
import { validateConfig } from './validate.ts';

/** The NETCONF session an RPC arrived on (the holder of a lock, the author of a change). */
export interface ConfigSession {
  readonly id: number;
  readonly user: string;
}

/** One committed configuration: rollback 0 is the one running. */
export interface Commit {
  readonly config: ConfigNode;
  /** Seconds since the epoch. */
  readonly seconds: number;
  readonly user: string;
  readonly log?: string;
  /** How the commit came: `show system commit`'s client (netconf; other for the device's own; cli for the lab's initial configuration). */
  readonly client?: 'netconf' | 'other';
  /** A commit confirmed: its minutes, for `show system commit`'s comment. */
  readonly confirmMinutes?: number;
  /** Made by the device itself (a commit confirmed that was not confirmed). */
  readonly automatic?: boolean;
}

export interface ConfigStoreOptions {
  readonly initial: ConfigNode;
  /** When and by whom the initial configuration was committed. */
  readonly initialCommit: { readonly seconds: number; readonly user: string };
  /** How long a "minute" of `confirm-timeout` lasts, so tests can wait 200 ms for one. */
  readonly confirmMinuteMs: number;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** Called after the running configuration changed (commit or automatic rollback). */
  readonly onCommitted: (running: ConfigNode) => void;
}

/** Junos keeps rollback 0 through 49. */
export const MAX_ROLLBACK = 49;
/** `confirm-timeout` when `<confirmed/>` comes without one, in minutes. */
export const DEFAULT_CONFIRM_MINUTES = 10;

interface PendingConfirm {
  readonly timer: NodeJS.Timeout;
  /** The configuration before the first unconfirmed commit: what a timeout restores. */
  readonly restore: ConfigNode;
  /** The session whose commit confirmed is pending (its end rolls back, RFC 6241 8.4). */
  readonly by: number;
  readonly deadline: number;
}

/**
 * The configuration databases of one device: the shared candidate, the committed
 * history (rollback 0..49), the exclusive lock, and the timer of a commit confirmed.
 * Behaves as Junos's NETCONF server does with `<lock>` (= `configure exclusive`):
 * uncommitted changes of a lock holder are discarded when it unlocks or its session
 * ends; nobody may lock a candidate another session has changed.
 */
export class ConfigStore {
  private readonly commits: Commit[];
  private candidateTree: ConfigNode;
  private candidateChangedMs: number;
  private holder: { readonly session: ConfigSession; readonly sinceMs: number } | undefined;
  /** Sessions whose changes are in the candidate and not committed. */
  private readonly editors = new Set<number>();
  private readonly lastActivity = new Map<number, number>();
  private pending: PendingConfirm | undefined;

  constructor(private readonly opts: ConfigStoreOptions) {
    this.commits = [{ config: cloneConfig(opts.initial), seconds: opts.initialCommit.seconds, user: opts.initialCommit.user }];
    this.candidateTree = cloneConfig(opts.initial);
    this.candidateChangedMs = opts.initialCommit.seconds * 1000;
  }

  // --- reads -----------------------------------------------------------------------

  get running(): ConfigNode {
    return this.commits[0].config;
  }

  get candidate(): ConfigNode {
    return this.candidateTree;
  }

  /** Seconds since the epoch when the candidate last changed. */
  get candidateChangedSeconds(): number {
    return Math.floor(this.candidateChangedMs / 1000);
  }

  /** Committed configurations, rollback 0 first. */
  get history(): readonly Commit[] {
    return this.commits;
  }

  rollback(n: number): Commit | undefined {
    return this.commits[n];
  }

  get lockHolder(): ConfigSession | undefined {
    return this.holder?.session;
  }

  /** The deadline (ms since the epoch) of an unconfirmed commit confirmed. */
  get confirmDeadline(): number | undefined {
    return this.pending?.deadline;
  }

  get candidateModified(): boolean {
    return !configEquals(this.candidateTree, this.running);
  }

  /** Notes that a session was active now (the lock-denied message shows the holder's idle time). */
  touch(s: ConfigSession): void {
    this.lastActivity.set(s.id, this.opts.now());
  }

  // --- the lock ----------------------------------------------------------------------

  lock(s: ConfigSession): ConfigRpcError | undefined {
    if (this.holder) return this.lockedError('lock-denied');
    if ([...this.editors].some((id) => id !== s.id)) {
      return { severity: 'error', type: 'protocol', tag: 'lock-denied', message: '\nconfiguration database modified\n' };
    }
    this.holder = { session: s, sinceMs: this.opts.now() };
    return undefined;
  }

  /** Releases the lock; the holder's uncommitted changes are discarded, as Junos documents for `<unlock>`. */
  unlock(s: ConfigSession): ConfigRpcError | undefined {
    if (!this.holder) return { severity: 'error', type: 'protocol', tag: 'operation-failed', message: '\nconfiguration database not locked\n' };
    if (this.holder.session.id !== s.id) return this.lockedError('lock-denied');
    this.release();
    return undefined;
  }

  // --- changes to the candidate ------------------------------------------------------

  /**
   * Applies a load to a copy of the candidate and keeps it only when no statement
   * failed: a load with errors leaves the candidate as it was.
   */
  load(s: ConfigSession, apply: (tree: ConfigNode) => LoadOutcome): LoadOutcome | ConfigRpcError {
    const denied = this.writeDenied(s);
    if (denied) return denied;
    const work = cloneConfig(this.candidateTree);
    const outcome = apply(work);
    if (outcome.failed > 0 || outcome.diagnostics.some(isError)) return outcome;
    this.setCandidate(s, work);
    return outcome;
  }

  /** `<load-configuration rollback="n"/>`: rollback 0 discards the candidate's changes. */
  loadRollback(s: ConfigSession, n: number): ConfigRpcError | undefined {
    const denied = this.writeDenied(s);
    if (denied) return denied;
    const c = this.commits[n];
    if (!c) return { severity: 'error', type: 'protocol', tag: 'operation-failed', message: `\nrollback ${n} does not exist (the device holds 0 to ${this.commits.length - 1})\n`, badElement: String(n) };
    this.setCandidate(s, cloneConfig(c.config));
    return undefined;
  }

  // --- commits -----------------------------------------------------------------------

  /** What `commit check` finds: nothing when the candidate can be committed. */
  check(): ConfigRpcError[] {
    return validateConfig(this.candidateTree);
  }

  /**
   * Commits the candidate. With `confirmMinutes`, the device rolls back by itself unless
   * another commit comes within that many minutes; any commit without it confirms.
   * Returns the errors that stopped it (then nothing changed).
   */
  commit(s: ConfigSession, opts: { confirmMinutes?: number; log?: string } = {}): ConfigRpcError[] {
    const denied = this.writeDenied(s);
    if (denied) return [denied];
    const errors = this.check();
    if (errors.length > 0) return errors;
    const before = this.running;
    this.pushCommit({ config: cloneConfig(this.candidateTree), seconds: Math.floor(this.opts.now() / 1000), user: s.user, client: 'netconf', ...(opts.log !== undefined ? { log: opts.log } : {}), ...(opts.confirmMinutes !== undefined ? { confirmMinutes: opts.confirmMinutes } : {}) });
    this.editors.clear();
    if (opts.confirmMinutes !== undefined) this.armConfirm(s, opts.confirmMinutes, this.pending?.restore ?? before);
    else this.clearConfirm();
    this.opts.onCommitted(this.running);
    return [];
  }

  /** A session closed or dropped: its lock goes, with the changes it made under it, and its pending commit confirmed is undone. */
  sessionEnded(id: number): void {
    this.lastActivity.delete(id);
    if (this.pending?.by === id) this.rollBackUnconfirmed();
    if (this.holder?.session.id === id) this.release();
  }

  /** Stops the confirm timer (the lab is shutting down). */
  dispose(): void {
    this.clearConfirm();
  }

  // --- internals ---------------------------------------------------------------------

  private setCandidate(s: ConfigSession, tree: ConfigNode): void {
    if (!configEquals(tree, this.candidateTree)) this.candidateChangedMs = this.opts.now();
    this.candidateTree = tree;
    if (this.candidateModified) this.editors.add(s.id);
    else this.editors.clear();
  }

  private release(): void {
    this.holder = undefined;
    if (this.candidateModified) this.candidateChangedMs = this.opts.now();
    this.candidateTree = cloneConfig(this.running);
    this.editors.clear();
  }

  private writeDenied(s: ConfigSession): ConfigRpcError | undefined {
    return this.holder && this.holder.session.id !== s.id ? this.lockedError('lock-denied') : undefined;
  }

  private pushCommit(c: Commit): void {
    this.commits.unshift(c);
    if (this.commits.length > MAX_ROLLBACK + 1) this.commits.length = MAX_ROLLBACK + 1;
  }

  private armConfirm(s: ConfigSession, minutes: number, restore: ConfigNode): void {
    this.clearConfirm();
    const ms = minutes * this.opts.confirmMinuteMs;
    const timer = setTimeout(() => this.rollBackUnconfirmed(), ms);
    timer.unref();
    this.pending = { timer, restore, by: s.id, deadline: this.opts.now() + ms };
  }

  private clearConfirm(): void {
    if (this.pending) clearTimeout(this.pending.timer);
    this.pending = undefined;
  }

  /** "commit confirmed will be automatically rolled back": the configuration before it is committed again. */
  private rollBackUnconfirmed(): void {
    const p = this.pending;
    if (!p) return;
    this.clearConfirm();
    this.pushCommit({ config: cloneConfig(p.restore), seconds: Math.floor(this.opts.now() / 1000), user: 'root', client: 'other', log: 'commit confirmed rollback', automatic: true });
    this.candidateTree = cloneConfig(p.restore);
    this.candidateChangedMs = this.opts.now();
    this.editors.clear();
    this.opts.onCommitted(this.running);
  }

  /** Junos's words (NETCONF lock-denied, 15.1X49): who holds the lock, since when, idle how long. */
  private lockedError(tag: string): ConfigRpcError {
    const h = this.holder;
    if (!h) return { severity: 'error', type: 'protocol', tag, message: '\nconfiguration database locked\n' };
    const now = this.opts.now();
    const idle = Math.max(0, Math.floor((now - (this.lastActivity.get(h.session.id) ?? h.sinceMs)) / 1000));
    return {
      severity: 'error',
      type: 'protocol',
      tag,
      message: `\nconfiguration database locked by:\n  ${h.session.user} terminal  (pid ${h.session.id}) on since ${junosTime(h.sinceMs / 1000)}, idle ${hms(idle)}\n      exclusive \n`,
      sessionId: h.session.id,
    };
  }
}

/** `2024-05-06 12:59:49 UTC`, as junos:commit-localtime and CLI banners write times. */
export function junosTime(seconds: number): string {
  return new Date(Math.floor(seconds) * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

function hms(s: number): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(Math.floor(s / 3600))}:${p(Math.floor((s % 3600) / 60))}:${p(s % 60)}`;
}
