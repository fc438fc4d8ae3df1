import type { HostResult, HostResults, LogEntry, Phase, RunResult } from '../contracts/results.ts';

/**
 * What the engine tells the outside while it runs. Renderers (listr2 on a terminal,
 * plain lines in CI, silence in tests) subscribe; the engine knows nothing of terminals.
 */
export type RunEvent =
  | { readonly type: 'run-start'; readonly hosts: readonly string[]; readonly dryRun: boolean; readonly forks: number }
  /** A batch starts (1-based index); without serial the one batch holds every host. */
  | { readonly type: 'batch-start'; readonly index: number; readonly hosts: readonly string[] }
  | { readonly type: 'host-start'; readonly host: string }
  | { readonly type: 'step-start'; readonly host: string; readonly phase: Phase; readonly step: string }
  /** A long collect reports the items read so far. */
  | { readonly type: 'progress'; readonly host: string; readonly step: string; readonly count: number }
  | { readonly type: 'log'; readonly host: string; readonly entry: LogEntry }
  /** A line for syslog, as the seed's op script wrote it. */
  | { readonly type: 'syslog'; readonly host: string; readonly message: string }
  | { readonly type: 'host-done'; readonly result: HostResult }
  /** The failure policy stopped the run: hosts in flight finished, no new host or batch starts. */
  | { readonly type: 'run-stopped'; readonly reason: string; readonly afterBatch: number }
  | { readonly type: 'run-done'; readonly result: RunResult<HostResults> };

export type EventSink = (event: RunEvent) => void;

export const silent: EventSink = () => undefined;
