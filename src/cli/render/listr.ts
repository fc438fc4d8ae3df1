import { Listr, type ListrTaskWrapper } from 'listr2';
import type { RunEvent } from '../../engine/events.ts';
import type { HostResult } from '../../contracts/results.ts';
import type { ProgressRenderer } from './renderer.ts';
import { visible } from '../../plan/visible.ts';

// listr2's task wrapper is generic over its renderers; the defaults suit us.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Task = ListrTaskWrapper<unknown, any, any>;

interface HostSlot {
  task?: Task;
  title: string;
  result?: HostResult;
  settle?: () => void;
}

/**
 * Live view on a terminal for fleets a screen can show (run-control.ts picks it up to
 * LISTR_MAX_HOSTS, the summary view above): one listr2 task per host showing its current
 * phase and live counts. listr2 runs its tasks on its own schedule, so a host can finish before its
 * task starts: the slot keeps the result until then.
 */
export function listrRenderer(hosts: readonly string[], forks: number): ProgressRenderer {
  const slots = new Map<string, HostSlot>(hosts.map((h) => [h, { title: visible(h) }]));
  let ended = false;
  const finish = (slot: HostSlot, task: Task) => {
    const r = slot.result;
    if (!r) return task.skip(`${slot.title}: not run`);
    const name = visible(r.host);
    task.title = `${name}: ${describe(r)}`;
    if (r.status === 'skipped') task.skip(`${name}: skipped: ${visible(r.reason ?? '')}`);
    // The error itself is told once, in the host's results below the live view.
    if (r.status === 'failed' || r.status === 'unreachable') throw new Error(`${name}: ${r.status}${r.error ? ` in ${r.error.phase}` : ''}`);
  };
  const list = new Listr(
    hosts.map((host) => ({
      title: visible(host),
      task: async (_ctx: unknown, task: Task) => {
        const slot = slots.get(host)!;
        slot.task = task;
        task.title = slot.title;
        // After the run ended (interrupted), a task listr2 starts only now has nothing to wait for.
        if (!slot.result && !ended) await new Promise<void>((resolve) => (slot.settle = resolve));
        finish(slot, task);
      },
    })),
    // listr2's own SIGINT listener exits the process at once (127): interrupts are RunControl's to handle.
    { concurrent: Math.max(1, forks), exitOnError: false, registerSignalListeners: false, rendererOptions: { collapseErrors: false } },
  );
  const running = list.run().catch(() => undefined);
  const setTitle = (host: string, title: string) => {
    const slot = slots.get(host);
    if (!slot) return;
    slot.title = title;
    if (slot.task) slot.task.title = title;
  };
  return {
    sink(e: RunEvent) {
      switch (e.type) {
        case 'step-start':
          return setTitle(e.host, `${visible(e.host)}: ${e.phase} ${e.step === e.phase ? '' : visible(e.step)}`.trimEnd());
        case 'progress':
          return setTitle(e.host, `${visible(e.host)}: collect ${visible(e.step)} (${e.count.toLocaleString('en-US')} records)`);
        case 'host-done': {
          const slot = slots.get(e.result.host);
          if (!slot) return;
          slot.result = e.result;
          slot.settle?.();
          return;
        }
        default:
          return;
      }
    },
    end: async () => {
      // Hosts the run never reached (interrupted) still need their tasks ended, those listr2 has started and those it has not.
      ended = true;
      for (const slot of slots.values()) if (!slot.result) slot.settle?.();
      await running;
    },
  };
}

function describe(r: HostResult): string {
  switch (r.status) {
    case 'changed':
      return r.dryRun ? `would change (${statements(r.plan.length)})` : `changed (${statements(r.actions.filter((a) => a.status === 'sent').length)} sent)`;
    case 'ok':
      return 'ok, nothing to change';
    default:
      return r.status;
  }
}

function statements(n: number): string {
  return `${n} ${n === 1 ? 'statement' : 'statements'}`;
}
