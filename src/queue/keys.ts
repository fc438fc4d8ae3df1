/**
 * Names in Redis. BullMQ keeps each queue under `runbook:<queue>:…` (its prefix is
 * `runbook`); runbook's own keys (the playbooks, the run and device locks, the delivery
 * marks, the audit mirror) are under `runbook:_:…`, and `_` is not a queue name.
 */
export const PREFIX = 'runbook';
export const DEFAULT_QUEUE = 'default';
/** The inventory var that picks a host's queue (a region's workers serve its queue). */
export const QUEUE_VAR = 'runbook_queue';

const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Why a queue name cannot be used, or undefined (BullMQ refuses ':'; `_` holds runbook's own keys). */
export function badQueueName(name: string): string | undefined {
  return QUEUE_NAME.test(name) ? undefined : `a queue name is 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit (got ${JSON.stringify(name)})`;
}

export const keys = {
  /** The playbook text by sha256: stored once per rollout, not in every job. */
  playbook: (sha256: string) => `${PREFIX}:_:playbook:${sha256}`,
  /** The queues workers have served (for `runbook queue status`). */
  queues: () => `${PREFIX}:_:queues`,
  /** The run lock of an inventory (acting runs), as the file lock is without Redis. */
  runLock: (inventoryKey: string) => `${PREFIX}:_:lock:${inventoryKey}`,
  /** Held by the worker acting on a device: one change at a time per device, whatever the run. */
  device: (host: string) => `${PREFIX}:_:device:${host}`,
  /** Set by the first delivery of a job: a second delivery finds it and knows it is one. */
  delivery: (runId: string, index: number) => `${PREFIX}:_:delivery:${runId}:${index}`,
  /** Present while the run's coordinator lives (renewed, expiring): a worker runs no job of a run whose coordinator is gone. */
  run: (runId: string) => `${PREFIX}:_:run:${runId}`,
  /** BullMQ's lock on an active job, renewed by the worker running it: gone, that worker is lost. */
  jobLock: (queue: string, jobId: string) => `${PREFIX}:${queue}:${jobId}:lock`,
  /** The workers' audit lines for a run, drained by its coordinator into its audit log. */
  audit: (runId: string) => `${PREFIX}:_:audit:${runId}`,
};

/** A job's id: the run and the host's place in it (BullMQ ids cannot contain ':'). */
export function jobIdOf(runId: string, index: number): string {
  return `${runId}-${index}`;
}
