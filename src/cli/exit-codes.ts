import type { StreamedRun } from '../contracts/results.ts';

/**
 * Exit codes, distinct so a scheduler or CI job can tell outcomes apart.
 * Documented in the README's "Exit codes" section.
 */
export const ExitCode = {
  /** Everything ran; no host failed. */
  Ok: 0,
  /** A bug or an unexpected error in runbook itself. */
  Internal: 1,
  /** Bad command line, playbook or inventory: nothing was contacted. */
  InvalidInput: 2,
  /** At least one host failed (rpc-error, bad reply, failed action). */
  HostsFailed: 3,
  /** At least one host could not be reached (refused, auth, host key, timeout), none failed otherwise. */
  HostsUnreachable: 4,
  /** Another run holds the lock for the same inventory (a scheduled run overlapping the last). */
  Locked: 5,
  /** The rollout stopped at its failure budget (max_fail_percentage, any_errors_fatal): some hosts were not run. */
  RolloutStopped: 6,
  /** Nothing to do: the playbook's inputs ask for nothing on any host (decided before connecting; nothing was contacted). */
  NothingToDo: 7,
  /** Not done: work that was asked for was not done, though nothing failed (apply --plan skipped a reviewed host that drifted). */
  NotDone: 8,
  /** The run was interrupted (Ctrl-C, SIGTERM, SIGHUP), whatever its hosts did; the report says what each got. */
  Interrupted: 130,
  /** stdout's reader went away (`| head`, a quit pager) during a run: handled as an interrupt. */
  OutputClosed: 141,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Interrupted first (someone stopped it: what the hosts did is in the report), then a
 * stopped rollout (hosts were left out), failed, unreachable, then `notDone`: hosts whose
 * asked-for work was not done although nothing failed.
 */
export function exitCodeOf(run: StreamedRun, notDone: readonly string[] = []): ExitCode {
  if (run.interrupted) return ExitCode.Interrupted;
  if (run.stopped) return ExitCode.RolloutStopped;
  if (run.recap.failed > 0) return ExitCode.HostsFailed;
  if (run.recap.unreachable > 0) return ExitCode.HostsUnreachable;
  if (run.notRun.length > 0) return ExitCode.Interrupted;
  if (notDone.length > 0) return ExitCode.NotDone;
  return ExitCode.Ok;
}
