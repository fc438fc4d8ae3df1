import type { Extractor } from './extractor.ts';
import { clearReply } from './clear-reply.ts';
import { configurationJson } from './config.ts';
import type { RpcArgs } from './rpc.ts';
import { NAMED_TABLES, tableForCall, viewReader } from './tables/index.ts';

/**
 * Which reader reads the reply of which RPC, for `runbook rpc --format json`: the named
 * table of the RPC (chosen by the call's arguments: get-flow-session-information with
 * `summary` returns counts, not sessions), the clear replies' messages, the configuration.
 */
export type ExtractorFactory = (args?: RpcArgs) => Extractor<unknown>;

const fromTable = (rpc: string): ExtractorFactory => (args) => viewReader(tableForCall(rpc, args)!);

export const EXTRACTORS: Readonly<Record<string, ExtractorFactory>> = {
  // Every RPC a named table reads is read through its tables.
  ...Object.fromEntries([...new Set([...NAMED_TABLES.values()].map((t) => t.rpc))].map((rpc) => [rpc, fromTable(rpc)])),
  'clear-ike-security-association': () => clearReply(),
  'clear-ipsec-security-association': () => clearReply(),
  'clear-flow-session': () => clearReply(),
  'clear-flow-session-all': () => clearReply(),
  'clear-flow-session-by-session-identifier': () => clearReply(),
  'get-configuration': () => configurationJson(),
};

/**
 * A fresh extractor for the reply to `rpc` called with `args` (pass the args: `summary`
 * changes the reply's shape); undefined for RPCs without one.
 */
export function extractorFor(rpc: string, args?: RpcArgs): Extractor<unknown> | undefined {
  return Object.hasOwn(EXTRACTORS, rpc) ? EXTRACTORS[rpc](args) : undefined;
}

export { extractString, type Extractor } from './extractor.ts';
export { buildRpc, parseArgs, RpcBuildError, type RpcArgs, type RpcArgValue } from './rpc.ts';
export * from './tables/index.ts';
export { clearReply, type ClearResult } from './clear-reply.ts';
