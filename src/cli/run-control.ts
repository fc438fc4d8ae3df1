import { writeSync } from 'node:fs';
import type { ChalkInstance } from 'chalk';
import type { RunEvent } from '../engine/events.ts';
import { recapOf, type ActionResult, type HostResult, type HostResults, type HostStatus, type Phase, type StreamedRun } from '../contracts/results.ts';
import type { AuditEntry } from '../report/audit-log.ts';
import { ExitCode, exitCodeOf } from './exit-codes.ts';
import { listrRenderer } from './render/listr.ts';
import { plainRenderer } from './render/plain.ts';
import type { ProgressRenderer } from './render/renderer.ts';
import type { Verbosity } from './render/results.ts';
import { summaryRenderer } from './render/summary.ts';

/** Above this many hosts, one live line per host no longer fits a screen: the summary view is used. */
export const LISTR_MAX_HOSTS = 50;

export type RendererKind = 'listr' | 'summary' | 'plain';

/**
 * Which view a run gets. A live view needs a terminal, no CI, and something to show
 * (verbosity above 0): listr2's line per host for fleets a screen can show, the
 * two-line summary above that. Plain lines otherwise.
 */
export function rendererKind(where: { tty: boolean; ci: boolean; verbosity: Verbosity; hosts: number }): RendererKind {
  if (!where.tty || where.ci || where.verbosity === 0) return 'plain';
  return where.hosts <= LISTR_MAX_HOSTS ? 'listr' : 'summary';
}

export function progressRenderer(hosts: readonly string[], forks: number, verbosity: Verbosity, style: ChalkInstance): ProgressRenderer {
  const out = process.stdout;
  switch (rendererKind({ tty: out.isTTY === true, ci: Boolean(process.env.CI), verbosity, hosts: hosts.length })) {
    case 'listr':
      return listrRenderer(hosts, forks);
    case 'summary':
      return summaryRenderer(out, hosts, style);
    case 'plain':
      return plainRenderer(out, verbosity, style);
  }
}

/** Signals that interrupt a run: Ctrl-C (from a terminal or not), a polite kill; a second one stops at once. */
const INTERRUPTS = ['SIGINT', 'SIGTERM'] as const;

/**
 * A signal within this long of the one that interrupted the run is the same interrupt:
 * a supervisor that forwards the Ctrl-C it got to its child (npm's run-script does, to
 * its direct child), when the terminal already sent it to the child's process group too,
 * would turn one keystroke into two and stop the run at once.
 */
export const SAME_INTERRUPT_MS = 1000;

/** What stopped a run early: a signal, or the reader of stdout going away. */
export type InterruptCause = 'signal' | 'output-closed';

/** A host as the run control needs it to describe a run stopped at once. */
export interface ControlledHost {
  readonly name: string;
  readonly dryRun: boolean;
  readonly vars: Readonly<Record<string, string | number | boolean>>;
}

/** What is known, when a run stops at once, of the state-changing RPCs a host was sent. */
export type SentRecord = (host: string) => readonly AuditEntry[];

/** Where the finished hosts' results are kept (the run's spool), by the host's index. */
export interface FinishedResults {
  /** Cheap: no read from disk. */
  has(index: number): boolean;
  get(index: number): HostResult | undefined;
}

let active: RunControl | undefined;

/**
 * stdout's reader went away (EPIPE: `| head`, a quit pager; EIO: the terminal is gone). During a run this is an
 * interrupt; otherwise there is nothing left to say, and the process ends.
 */
export function outputClosed(): void {
  // Before any run (at the banner, the question, the lab's start) nothing was done: not a success.
  if (!active) return process.exit(typeof process.exitCode === 'number' ? process.exitCode : ExitCode.OutputClosed);
  // After the run (the recap met the closed pipe), the run's own exit code stands.
  if (!active.disposed) active.outputClosed();
}

/**
 * Interrupts during a run: Ctrl-C, SIGTERM, SIGHUP, and a closed stdout. The first: no
 * new host starts, hosts in flight finish (the engine sees `signal`), and the caller
 * writes the report as usual. A second signal: stop at once, after `onStop` has written
 * what is known (hosts finished, hosts in flight with the RPCs they were sent, seen
 * through `observe` and `sent`), then exit 130. A closed stdout or a hang-up is only ever
 * a first interrupt.
 */
export class RunControl {
  readonly startedAt = new Date().toISOString();
  /** Hosts reported done whose results the executor has not yet put in `finished` (it does so in the same turn). */
  private readonly finishing = new Map<string, HostResult>();
  /** How each finished host ended: a second Ctrl-C's partial run needs it at once, without reading every result back. */
  private readonly statusOf = new Map<string, HostStatus>();
  private readonly indexOf: ReadonlyMap<string, number>;
  /** Hosts started and not done, with their start time and the phase they are in. */
  private readonly inFlight = new Map<string, { startedAt: number; phase: Phase }>();
  private readonly abort = new AbortController();
  private firstAt: number | undefined;
  private stopping = false;
  private why: InterruptCause | undefined;
  private readonly onSignal = (signal: NodeJS.Signals) => this.interrupted(signal);
  /**
   * The terminal went away (closed window; under npx, npm exits on Ctrl-C and takes the
   * terminal with it): an interrupt, never a second one, since nobody asked to stop at once.
   */
  private readonly onHangup = () => {
    if (!this.abort.signal.aborted) this.interrupted('SIGHUP');
  };

  constructor(
    private readonly playbook: { readonly file: string; readonly name: string; readonly sha256: string },
    private readonly hosts: readonly ControlledHost[],
    private readonly finished: FinishedResults,
    private readonly onStop: (partial: StreamedRun) => void,
    private readonly sent: SentRecord = () => [],
  ) {
    this.indexOf = new Map(hosts.map((h, i) => [h.name, i]));
    for (const s of INTERRUPTS) process.on(s, this.onSignal);
    process.on('SIGHUP', this.onHangup);
    active = this;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Why the run was interrupted, if it was. */
  get cause(): InterruptCause | undefined {
    return this.why;
  }

  observe(e: RunEvent): void {
    switch (e.type) {
      case 'host-start':
        this.inFlight.set(e.host, { startedAt: Date.now(), phase: 'connect' });
        return;
      case 'step-start': {
        const h = this.inFlight.get(e.host);
        if (h) h.phase = e.phase;
        return;
      }
      case 'host-done':
        this.inFlight.delete(e.result.host);
        for (const name of this.finishing.keys()) if (this.finished.has(this.indexOf.get(name)!)) this.finishing.delete(name);
        this.finishing.set(e.result.host, e.result);
        this.statusOf.set(e.result.host, e.result.status);
        return;
      default:
        return;
    }
  }

  /** Set once the command is past its run: signals are no longer this control's. */
  disposed = false;

  dispose(): void {
    for (const s of INTERRUPTS) process.off(s, this.onSignal);
    process.off('SIGHUP', this.onHangup);
    this.disposed = true;
  }

  /** The exit code of a run that ended: an interrupted run is 130 (141 when stdout closed) whatever its hosts did. */
  exitCode(run: StreamedRun, notDone: readonly string[] = []): ExitCode {
    if (this.why === 'output-closed') return ExitCode.OutputClosed;
    return exitCodeOf(run, notDone);
  }

  /**
   * What is known when a run stops at once: hosts done; hosts in flight, failed as
   * interrupted, with each state-changing RPC they were sent and how it ended (or that
   * its outcome is unknown); the rest not run. The mode is the run's, not the finished hosts'.
   */
  partial(): StreamedRun {
    const stopped = new Map(this.hosts.filter((h) => this.inFlight.has(h.name)).map((h) => [h.name, this.stoppedHost(h)]));
    // Read from the spool again at each pass, as a finished run's results are.
    const resultOf = (h: ControlledHost, i: number) => this.finished.get(i) ?? this.finishing.get(h.name) ?? stopped.get(h.name);
    const statuses = this.hosts.map((h) => this.statusOf.get(h.name) ?? stopped.get(h.name)?.status);
    const hosts: HostResults = { length: statuses.filter((s) => s !== undefined).length, [Symbol.iterator]: () => this.inOrder(resultOf) };
    return {
      playbook: { file: this.playbook.file, name: this.playbook.name, sha256: this.playbook.sha256 },
      dryRun: this.hosts.every((h) => h.dryRun),
      startedAt: this.startedAt,
      finishedAt: new Date().toISOString(),
      interrupted: true,
      hosts,
      notRun: this.hosts.filter((_, i) => statuses[i] === undefined).map((t) => t.name),
      recap: recapOf(statuses.filter((s) => s !== undefined).map((status) => ({ status }))),
    };
  }

  private *inOrder(resultOf: (h: ControlledHost, i: number) => HostResult | undefined): Generator<HostResult> {
    for (const [i, h] of this.hosts.entries()) {
      const r = resultOf(h, i);
      if (r) yield r;
    }
  }

  /** stdout's reader went away: like a first Ctrl-C, and the rest of the output goes nowhere. */
  outputClosed(): void {
    if (this.abort.signal.aborted) return;
    this.why = 'output-closed';
    this.firstAt = Date.now();
    tell('\nrunbook: output closed: finishing hosts in flight, starting no more\n');
    this.abort.abort();
  }

  private stoppedHost(h: ControlledHost): HostResult {
    const flight = this.inFlight.get(h.name)!;
    const actions = this.sent(h.name).map(actionOf);
    const unknown = actions.filter((a) => a.error?.kind === 'unknown').length;
    const message = `stopped at once while in ${flight.phase}: ${actions.length} state-changing RPC${actions.length === 1 ? '' : 's'} sent${unknown > 0 ? `, ${unknown} with outcome unknown` : ''}`;
    return {
      host: h.name,
      status: 'failed',
      error: { phase: flight.phase, kind: 'interrupted', message },
      vars: h.vars,
      dryRun: h.dryRun,
      evidence: {},
      plan: [],
      actions,
      steps: [],
      log: [],
      startedAt: new Date(flight.startedAt).toISOString(),
      ms: Date.now() - flight.startedAt,
    };
  }

  private interrupted(signal: NodeJS.Signals): void {
    if (this.stopping) return;
    if (this.firstAt !== undefined && this.why === 'signal' && Date.now() - this.firstAt < SAME_INTERRUPT_MS) return;
    if (this.abort.signal.aborted) return this.stopNow();
    this.why = 'signal';
    this.firstAt = Date.now();
    tell(`\nrunbook: interrupted (${signal}): finishing hosts in flight, starting no more (Ctrl-C again to stop now)\n`);
    this.abort.abort();
  }

  /** The second interrupt: write what is known, synchronously, and exit. */
  private stopNow(): void {
    this.stopping = true;
    try {
      this.onStop(this.partial());
    } catch (err) {
      tell(`runbook: stopped; could not write what is known: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    // A live view hides the cursor while it draws.
    if (process.stdout.isTTY) process.stdout.write('\x1b[?25h');
    process.exit(ExitCode.Interrupted);
  }
}

/**
 * Says something on stderr at once. The listr view holds back what is written through
 * process.stderr until it ends, and the person who pressed Ctrl-C must see it was heard.
 */
export function tell(text: string): void {
  try {
    writeSync(2, text);
  } catch {
    // stderr is gone (closed pipe): nobody to tell.
  }
}

/** A state-changing RPC from the audit trail, as a report action. */
function actionOf(e: AuditEntry): ActionResult {
  const action = { rpc: e.rpc.rpc, args: e.rpc.args ?? {}, cli: e.rpc.cli, changesState: true, ...(e.rpc.statements ? { config: e.rpc.statements.join('\n') } : {}) };
  const end = e.end;
  if (!end || end.outcome === 'unknown') {
    return { action, status: 'failed', error: { phase: 'act', kind: 'unknown', message: `sent; no answer before the run stopped${end ? ` (${end.error.message})` : ''}: the device may or may not have done it` } };
  }
  if (end.outcome === 'failed') return { action, status: 'failed', error: end.error };
  return { action, status: 'sent', ...(end.reply ? { reply: end.reply } : {}) };
}
