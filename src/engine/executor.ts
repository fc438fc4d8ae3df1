import type { Playbook } from '../playbook/types.ts';
import type { EventSink } from './events.ts';
import { runHost, type EngineHost } from './host-run.ts';
import { recapOf, type ActionResult, type HostResult, type RunResult } from './results.ts';

export interface RunOptions {
  /** Hosts in flight at once. */
  readonly forks: number;
  /** When aborted, no new host starts; hosts in flight finish. */
  readonly signal?: AbortSignal;
  readonly onAction?: (host: string, result: ActionResult) => void;
}

/**
 * Runs a playbook over hosts, `forks` at a time. Host results come back in the order
 * the hosts were given, whatever order they finished in.
 */
export async function runPlaybook(playbook: Playbook, hosts: readonly EngineHost[], opts: RunOptions, emit: EventSink): Promise<RunResult> {
  const startedAt = new Date().toISOString();
  const dryRun = hosts.every((h) => h.dryRun);
  emit({ type: 'run-start', hosts: hosts.map((h) => h.name), dryRun, forks: opts.forks });
  const results: (HostResult | undefined)[] = new Array(hosts.length);
  let next = 0;
  const worker = async () => {
    while (next < hosts.length && !opts.signal?.aborted) {
      const i = next++;
      results[i] = await runHost(playbook, hosts[i], { emit, ...(opts.onAction ? { onAction: opts.onAction } : {}) });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.forks, hosts.length)) }, worker));
  return summarise(playbook, hosts, results, dryRun, startedAt, opts.signal?.aborted ?? false, emit);
}

function summarise(
  playbook: Playbook,
  hosts: readonly EngineHost[],
  results: readonly (HostResult | undefined)[],
  dryRun: boolean,
  startedAt: string,
  interrupted: boolean,
  emit: EventSink,
): RunResult {
  const done = results.filter((r): r is HostResult => r !== undefined);
  const result: RunResult = {
    playbook: { file: playbook.file, name: playbook.name, sha256: playbook.sha256 },
    dryRun,
    startedAt,
    finishedAt: new Date().toISOString(),
    interrupted,
    hosts: done,
    notRun: hosts.filter((_, i) => results[i] === undefined).map((h) => h.name),
    recap: recapOf(done),
  };
  emit({ type: 'run-done', result });
  return result;
}
