import type { ChalkInstance } from 'chalk';
import type { RunEvent } from '../../engine/events.ts';
import type { HostResult, HostStatus, Phase } from '../../contracts/results.ts';
import type { ProgressRenderer } from './renderer.ts';
import { failureText, statusColour } from './results.ts';
import { visible } from '../../plan/visible.ts';

/** Where the live lines go: a terminal, or a fake one in tests. */
export interface LiveStream {
  write(text: string): unknown;
  /** Terminal width; lines are cut to it so that a redraw can erase exactly what it drew. */
  readonly columns?: number;
}

/** The clock and timer the renderer throttles with; tests pass their own. */
export interface FrameTimer {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SummaryOptions {
  /** Shortest time between two frames (default 100 ms: at most ~10 redraws a second). */
  readonly frameMs?: number;
  readonly timer?: FrameTimer;
  /** Hosts in flight named on the live line before "+N more". */
  readonly namesShown?: number;
}

const STATUSES: readonly HostStatus[] = ['ok', 'changed', 'skipped', 'failed', 'unreachable'];
const PHASES: readonly Phase[] = ['connect', 'collect', 'analyze', 'plan', 'act', 'verify'];
const ERASE_LINE_ABOVE = '\x1b[1A\x1b[2K';

const realTimer: FrameTimer = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * Live view for fleets too big for one line per host: two lines, redrawn at most once
 * per frame whatever the event rate (a thousand hosts send tens of thousands of events),
 * with counts per status, hosts done, and the hosts in flight. Failures and rollout
 * stops become permanent lines above the live ones, written with the next frame.
 */
export function summaryRenderer(out: LiveStream, hosts: readonly string[], style: ChalkInstance, options: SummaryOptions = {}): ProgressRenderer {
  const timer = options.timer ?? realTimer;
  const frameMs = options.frameMs ?? 100;
  const namesShown = options.namesShown ?? 3;
  const counts = new Map<HostStatus, number>(STATUSES.map((s) => [s, 0]));
  // Insertion order is start order, so the names shown are the longest in flight.
  const inFlight = new Map<string, Phase>();
  const permanent: string[] = [];
  const started = timer.now();
  let total = hosts.length;
  let done = 0;
  let drawnLines = 0;
  let lastFrame = -Infinity;
  let pending: unknown;
  let ended = false;

  const frame = () => {
    pending = undefined;
    lastFrame = timer.now();
    const live = ended ? [] : liveLines();
    let text = ERASE_LINE_ABOVE.repeat(drawnLines);
    for (const line of permanent.splice(0)) text += line + '\n';
    for (const line of live) text += line + '\n';
    drawnLines = live.length;
    out.write(text);
  };

  /** Events only mark the view stale; the next frame draws it. */
  const stale = () => {
    if (pending !== undefined || ended) return;
    pending = timer.setTimeout(frame, Math.max(0, lastFrame + frameMs - timer.now()));
  };

  const liveLines = (): string[] => {
    // A terminal that does not know its size says 0: assume the classic 80 columns.
    const width = Math.max(20, (out.columns || 80) - 1);
    const elapsed = `${((timer.now() - started) / 1000).toFixed(1)} s`;
    const parts = STATUSES.map((s) => ({ plain: `${s} ${counts.get(s)}`, shown: countText(s) }));
    const head = `${done}/${total} done`;
    const first = `${head}  ${parts.map((p) => p.plain).join('  ')}  ${elapsed}`;
    const line1 = first.length <= width ? `${style.bold(head)}  ${parts.map((p) => p.shown).join('  ')}  ${style.dim(elapsed)}` : cut(first, width);
    if (inFlight.size === 0) return [line1];
    return [line1, style.dim(cut(flightText(), width))];
  };

  const countText = (s: HostStatus): string => {
    const n = counts.get(s)!;
    return n === 0 ? style.dim(`${s} 0`) : statusColour(style, s)(`${s} ${n}`);
  };

  const flightText = (): string => {
    const byPhase = new Map<Phase, number>();
    for (const p of inFlight.values()) byPhase.set(p, (byPhase.get(p) ?? 0) + 1);
    const phases = PHASES.filter((p) => byPhase.has(p))
      .map((p) => `${p} ${byPhase.get(p)}`)
      .join(', ');
    const names = [...inFlight.keys()].slice(0, namesShown).map(visible);
    const more = inFlight.size - names.length;
    return `in flight ${inFlight.size} (${phases}): ${names.join(', ')}${more > 0 ? ` +${more} more` : ''}`;
  };

  const hostDone = (r: HostResult) => {
    inFlight.delete(r.host);
    done++;
    counts.set(r.status, counts.get(r.status)! + 1);
    if (r.status === 'failed' || r.status === 'unreachable') {
      const why = r.error ? visible(`${r.error.step ? `${r.error.step}: ` : ''}${failureText(r.host, r.error)}`) : '';
      permanent.push(`${statusColour(style, r.status)(`${r.status.toUpperCase()} ${visible(r.host)}`)}${why ? `: ${why}` : ''}`);
    }
  };

  return {
    sink(e: RunEvent) {
      switch (e.type) {
        case 'run-start':
          total = e.hosts.length;
          break;
        case 'batch-start':
          if (e.hosts.length < total) permanent.push(style.dim(`batch ${e.index}: ${e.hosts.length} ${e.hosts.length === 1 ? 'host' : 'hosts'}`));
          break;
        case 'host-start':
          inFlight.set(e.host, 'connect');
          break;
        case 'step-start':
          if (!inFlight.has(e.host)) return;
          inFlight.set(e.host, e.phase);
          break;
        case 'host-done':
          hostDone(e.result);
          break;
        case 'run-stopped':
          permanent.push(style.red(`STOPPED after batch ${e.afterBatch}: ${visible(e.reason)}`));
          break;
        default:
          // Logs, syslog lines and record counts change nothing on these two lines.
          return;
      }
      stale();
    },
    end: async () => {
      if (pending !== undefined) timer.clearTimeout(pending);
      // The last frame erases the live lines and leaves the counts as a permanent line.
      const summary = `${done}/${total} done  ${STATUSES.map((s) => countText(s)).join('  ')}  ${style.dim(`${((timer.now() - started) / 1000).toFixed(1)} s`)}`;
      ended = true;
      permanent.push(summary);
      frame();
    },
  };
}

function cut(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, width - 1) + '…';
}
