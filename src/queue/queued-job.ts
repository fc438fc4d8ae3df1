/**
 * A host job as it travels through Redis: the job (engine/job.ts) without the playbook's
 * text (stored once per rollout under its sha256, keys.playbook) and with every secret a
 * reference the worker resolves from its own environment or files. A secret only this
 * process holds (a vault-decrypted password, a password written in the inventory) cannot
 * travel: such a job is refused before anything is enqueued.
 */
import type { SecretRef } from '../contracts/secrets.ts';
import type { HostJob } from '../engine/job.ts';
import { badQueueName, DEFAULT_QUEUE, QUEUE_VAR } from './keys.ts';

/** The data of one BullMQ job. `v` changes when the shape does, so an old worker refuses a new job rather than misread it. */
export interface QueuedJob {
  readonly v: 1;
  readonly runId: string;
  /** The host's place in the rollout (the job id is runId-index). */
  readonly index: number;
  readonly queue: string;
  readonly job: HostJob;
}

export const QUEUED_JOB_VERSION = 1;

/** A job that cannot go on the queue, and why; names the host and the field, never a value. */
export class UnqueueableJobError extends Error {
  override readonly name = 'UnqueueableJobError';
  constructor(
    readonly host: string,
    why: string,
  ) {
    super(`host ${host}: ${why}`);
  }
}

/** The queue a host's job goes to: its runbook_queue var, else the default queue. */
export function queueOf(job: HostJob): string {
  const value = job.queue;
  if (value === undefined) return DEFAULT_QUEUE;
  const bad = badQueueName(String(value));
  if (bad) throw new UnqueueableJobError(job.host.name, `${QUEUE_VAR}: ${bad}`);
  return String(value);
}

/** The job as it goes on the queue: no playbook text, no held secret (UnqueueableJobError otherwise). */
export function queuedJob(runId: string, index: number, job: HostJob): QueuedJob {
  const { text: _text, ...playbook } = job.playbook;
  for (const [field, ref] of secretRefs(job)) {
    if ('secret' in ref) {
      throw new UnqueueableJobError(
        job.host.name,
        `its ${field} is known only to this process (from a vault, the inventory's text or the built-in lab), and a worker elsewhere cannot read it; ` +
          `with --redis give it to the workers as an environment variable (ansible_password: "{{ lookup('env', 'NAME') }}") or a key file (ansible_ssh_private_key_file)`,
      );
    }
  }
  return { v: QUEUED_JOB_VERSION, runId, index, queue: queueOf(job), job: { ...job, playbook } };
}

/** Every secret reference in a job, with the field it is in. */
export function secretRefs(job: HostJob): [string, SecretRef][] {
  const out: [string, SecretRef][] = [];
  const c = job.connection;
  for (const field of ['password', 'privateKey', 'passphrase'] as const) {
    const ref = c[field];
    if (ref) out.push([field, ref]);
  }
  for (const [i, jump] of (c.jumps ?? []).entries()) {
    for (const field of ['privateKey', 'passphrase'] as const) {
      const ref = jump[field];
      if (ref) out.push([`jump ${i + 1} ${field}`, ref]);
    }
  }
  return out;
}

/** Reads a job's data back, refusing a shape this worker does not know. */
export function readQueuedJob(data: unknown): QueuedJob {
  const d = data as Partial<QueuedJob> | null;
  if (!d || typeof d !== 'object' || d.v !== QUEUED_JOB_VERSION || typeof d.runId !== 'string' || typeof d.index !== 'number' || !d.job || typeof d.job !== 'object') {
    throw new Error(`a job this worker cannot read (version ${JSON.stringify(d?.v)}, this worker reads ${QUEUED_JOB_VERSION}): run the same runbook version on the coordinator and the workers`);
  }
  return d as QueuedJob;
}
