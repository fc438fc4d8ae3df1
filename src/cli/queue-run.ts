/**
 * `--redis URL` on apply and plan: the rollout's jobs go to Redis queues and `runbook
 * worker`s run them (queue/coordinator.ts). Everything before the run (inputs, outputs,
 * the question) is checked here first, as for a local run; a job that cannot travel (a
 * secret only this process holds) or a Redis that cannot be reached stops the run with
 * exit 2 before anything is enqueued.
 */
import { setFlagsFromString } from 'node:v8';
import type { Command } from 'commander';
import type { HostResult } from '../contracts/results.ts';
import type { RunEvent } from '../engine/events.ts';
import type { HostJob } from '../engine/job.ts';
import { formatSpan } from '../inventory/errors.ts';
import { PASSWORD_VARS } from '../inventory/password-vars.ts';
import type { Playbook } from '../playbook/types.ts';
import { QUEUE_VAR } from '../queue/keys.ts';
import type { UnqueueableJobError } from '../queue/queued-job.ts';
import { parseRedisUrl, RedisUrlError, type RedisTarget } from '../queue/redis-url.ts';
import { UsageError } from './errors.ts';
import { positiveNumber } from './option-parsers.ts';
import type { Targets } from './targets.ts';

export interface RemoteRollout {
  readonly target: RedisTarget;
  readonly queueTimeoutMs: number;
  /** The inventory's hosts, so that a job refused before the run points at the line to change. */
  readonly inventory?: InventoryFacts;
}

/** What the queue needs of a host beyond its job: its queue, where its variables were written, whether it is a lab device run by this process. */
export interface InventoryFacts {
  /** The host's runbook_queue inventory var (group_vars included). */
  queueVar(host: string): unknown;
  where(host: string, field: string): string | undefined;
  isLab(host: string): boolean;
}

/** The inventory variables a job's field comes from, in the order they are looked for. */
const VARS_OF: Readonly<Record<string, readonly string[]>> = {
  password: [...PASSWORD_VARS, 'runbook_password_env'],
  privateKey: ['ansible_ssh_private_key_file', 'ansible_private_key_file'],
  passphrase: ['runbook_key_passphrase_env'],
  [QUEUE_VAR]: [QUEUE_VAR],
};

/** The rollout told the targets' inventory facts: each host's queue, where its variables are written. */
export function withInventory(remote: RemoteRollout | undefined, targets: Targets): RemoteRollout | undefined {
  if (!remote) return undefined;
  const hosts = new Map(targets.hosts.map(({ host }) => [host.name, host]));
  return {
    ...remote,
    inventory: {
      queueVar: (name) => hosts.get(name)?.vars[QUEUE_VAR],
      where(name, field) {
        const host = hosts.get(name);
        if (!host) return undefined;
        const variable = (VARS_OF[field] ?? [field]).find((v) => host.varsAt[v] !== undefined);
        return formatSpan(variable !== undefined ? host.varsAt[variable]! : host.at);
      },
      isLab: (name) => hosts.get(name)?.lab !== undefined,
    },
  };
}

export interface RedisCliOptions {
  redis?: string;
  queueTimeout: number;
}

export function addRedisOptions(command: Command): Command {
  return command
    .option('--redis <url>', 'run the hosts on `runbook worker`s through Redis queues (BullMQ): redis://HOST:PORT[/DB]; hosts pick a queue with the runbook_queue var')
    .option('--queue-timeout <seconds>', 'with --redis: a host whose job no worker takes within this fails', positiveNumber, 300);
}

export function remoteRollout(opts: RedisCliOptions): RemoteRollout | undefined {
  if (opts.redis === undefined) return undefined;
  let remote: RemoteRollout;
  try {
    remote = { target: parseRedisUrl(opts.redis), queueTimeoutMs: opts.queueTimeout * 1000 };
  } catch (err) {
    if (err instanceof RedisUrlError) throw new UsageError(`--redis: ${err.message}`);
    throw err;
  }
  favourMemory();
  return remote;
}

/**
 * A coordinator does little work per host (about 2 ms of CPU) and must hold a 20,000-host
 * rollout: V8 is told to favour memory over speed before the inventory is read. It holds
 * about 3 KiB a host either way; what changes is the garbage V8 lets pile up before it
 * collects: peak RSS grew 19–21 KiB per added host from 1,000 to 5,000 hosts without the
 * flag, 4–7 KiB with it, for about 30% more of the coordinator's CPU (bench queue section).
 * Set here, not on the command line, so `npx runbook` and a cron line need nothing more.
 */
function favourMemory(): void {
  setFlagsFromString('--optimize-for-size');
}

/** A rollout's jobs on the queue: each job's result (undefined: removed before it ran), then close. */
export interface QueuedRollout {
  runOne(index: number, emit: (e: RunEvent) => void, signal: AbortSignal): Promise<HostResult | undefined>;
  /** Relays the last audit lines and removes the run's jobs no worker took. */
  close(): Promise<void>;
}

/** Connects to Redis and checks the jobs; UsageError (exit 2, nothing enqueued) if either fails. */
export async function connectQueue(
  remote: RemoteRollout,
  run: { readonly playbook: Playbook; readonly jobs: readonly HostJob[]; readonly runId: string },
  audit: (line: Record<string, unknown>) => void,
  warn: (line: string) => void,
): Promise<QueuedRollout> {
  // BullMQ and ioredis are loaded only by runs that use them.
  const { QueueRunner } = await import('../queue/coordinator.ts');
  const { RedisUnavailableError } = await import('../queue/connect.ts');
  const { UnqueueableJobError: Unqueueable } = await import('../queue/queued-job.ts');
  try {
    const { runner, queued } = await QueueRunner.connect({ redis: remote.target, runId: run.runId, queueTimeoutMs: remote.queueTimeoutMs, audit, warn }, run.playbook, run.jobs, (host) => remote.inventory?.queueVar(host));
    return { runOne: (index, emit, signal) => runner.run(queued[index]!, emit, signal), close: () => runner.close() };
  } catch (err) {
    if (err instanceof RedisUnavailableError) throw new UsageError(`--redis ${remote.target.shown}: ${err.message}; nothing was enqueued`);
    if (err instanceof Unqueueable) throw new UsageError(refusal(err, remote.inventory));
    throw err;
  }
}

/** Why a host cannot go on the queue, at the inventory line to change; the built-in lab gets the way to serve it instead. */
function refusal(err: UnqueueableJobError, inventory: InventoryFacts | undefined): string {
  if (inventory?.isLab(err.host)) {
    return (
      `${inventory.where(err.host, 'lab_scenario')}: --redis: host ${err.host} is a lab device this process would start (lab_scenario, no ansible_host), which workers cannot reach; ` +
      'start the lab where the workers can reach it with `runbook lab serve --inventory-out lab-hosts.yml` and run with -i lab-hosts.yml; nothing was enqueued'
    );
  }
  const at = inventory?.where(err.host, err.field);
  return `${at !== undefined ? `${at}: ` : ''}--redis: ${err.message}; nothing was enqueued`;
}
