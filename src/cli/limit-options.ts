import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_HOST_DEADLINE_MS } from '../engine/host-deadline.ts';
import { formatLimit, LIMIT_DEFAULTS, parseByteSize, type SessionLimits } from '../transport/limits.ts';
import { DEFAULTS } from '../transport/options.ts';
import type { Playbook } from '../playbook/types.ts';
import { positiveInt, positiveNumber } from './option-parsers.ts';
import type { SessionSettings } from './targets.ts';

/** Deadlines (seconds) and bounds as apply, plan and rpc take them on the command line. */
export interface LimitCliOptions extends SessionLimits {
  rpcDeadline?: number;
  hostDeadline?: number;
}

function byteSize(value: string): number {
  const n = parseByteSize(value);
  if (n === undefined) throw new InvalidArgumentError(`'${value}' is not a number of bytes (a whole number, or with a unit: 64M, 8GiB)`);
  return n;
}

const minutes = (ms: number) => `${ms / 60_000} min`;

/**
 * The deadline and limit flags (README "Limits"). They override the playbook and the
 * inventory, so they have no default here: the defaults apply below the inventory.
 */
export function addLimitOptions(command: Command, opts: { hostDeadline: boolean }): Command {
  command.option('--rpc-deadline <seconds>', `longest time one RPC may take, however steadily its reply comes (default ${minutes(DEFAULTS.rpcDeadlineMs)})`, positiveNumber);
  if (opts.hostDeadline) command.option('--host-deadline <seconds>', `longest time for everything one host does (default ${minutes(DEFAULT_HOST_DEADLINE_MS)})`, positiveNumber);
  return command
    .option('--max-reply-bytes <size>', `largest reply, e.g. 8GiB (default ${formatLimit('maxReplyBytes', LIMIT_DEFAULTS.maxReplyBytes)})`, byteSize)
    .option('--max-records <n>', `most records in one reply (default ${LIMIT_DEFAULTS.maxRecords})`, positiveInt)
    .option('--max-depth <n>', `deepest element nesting in a reply (default ${LIMIT_DEFAULTS.maxDepth})`, positiveInt)
    .option('--max-text-bytes <size>', `largest text node in a reply (default ${formatLimit('maxTextBytes', LIMIT_DEFAULTS.maxTextBytes)})`, byteSize)
    .option('--max-hello-bytes <size>', `largest <hello> from a device (default ${formatLimit('maxHelloBytes', LIMIT_DEFAULTS.maxHelloBytes)})`, byteSize);
}

/** The session bounds given on the command line. */
export function limitsGiven(opts: LimitCliOptions): SessionLimits {
  const out: { -readonly [K in keyof SessionLimits]: number } = {};
  for (const key of ['maxHelloBytes', 'maxReplyBytes', 'maxRecords', 'maxDepth', 'maxTextBytes'] as const) {
    if (opts[key] !== undefined) out[key] = opts[key];
  }
  return out;
}

/** The command line's layer of deadlines and bounds. */
export function cliSettings(opts: LimitCliOptions): SessionSettings {
  return {
    ...(opts.rpcDeadline !== undefined ? { rpcDeadlineS: opts.rpcDeadline } : {}),
    ...(opts.hostDeadline !== undefined ? { hostDeadlineS: opts.hostDeadline } : {}),
    ...limitsGiven(opts),
  };
}

/** The playbook's layer: its `timeouts`. */
export function playbookSettings(playbook: Playbook): SessionSettings {
  const r = playbook.rollout;
  return {
    ...(r.connectTimeoutS !== undefined ? { connectS: r.connectTimeoutS } : {}),
    ...(r.rpcTimeoutS !== undefined ? { rpcS: r.rpcTimeoutS } : {}),
    ...(r.rpcDeadlineS !== undefined ? { rpcDeadlineS: r.rpcDeadlineS } : {}),
    ...(r.hostDeadlineS !== undefined ? { hostDeadlineS: r.hostDeadlineS } : {}),
  };
}
