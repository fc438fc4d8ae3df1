import type { Extractor } from './extractor.ts';
import { clearReply } from './clear-reply.ts';
import { configurationJson } from './config.ts';
import { flowSessions } from './flow-sessions.ts';
import { flowSummary } from './flow-summary.ts';
import { ikeSas } from './ike-sa.ts';
import { ipsecSas } from './ipsec-sa.ts';
import type { RpcArgs } from './rpc.ts';
import { software } from './software.ts';

/**
 * Which extractor reads the reply of which RPC, for `runbook rpc --format json` and the
 * steps. A factory takes the call's arguments because one RPC can answer in two shapes:
 * get-flow-session-information with `summary` returns counts, not sessions.
 */
export type ExtractorFactory = (args?: RpcArgs) => Extractor<unknown>;

export const EXTRACTORS: Readonly<Record<string, ExtractorFactory>> = {
  'get-flow-session-information': (args) => (isSet(args?.summary) ? flowSummary() : flowSessions()),
  'get-security-associations-information': () => ipsecSas(),
  'get-ike-security-associations-information': () => ikeSas(),
  'get-software-information': () => software(),
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

function isSet(value: RpcArgs[string] | undefined): boolean {
  return value !== undefined && value !== false;
}

export { extractString, type Extractor } from './extractor.ts';
export { buildRpc, parseArgs, RpcBuildError, type RpcArgs, type RpcArgValue } from './rpc.ts';
export { flowSessions, type FlowSession, type FlowSessionsOptions, type FlowSessionsResult, type FlowWing } from './flow-sessions.ts';
export { flowSummary, type FlowSummaryResult, type SessionCounts, type SpuSummary } from './flow-summary.ts';
export { ipsecSas, tunnelIndexesByPeer, type IpsecReportedTotals, type IpsecSa, type IpsecSaResult } from './ipsec-sa.ts';
export { ikeSas, type IkeSa, type IkeSaResult } from './ike-sa.ts';
export { software, type SoftwareInfo, type SoftwareResult } from './software.ts';
export { clearReply, type ClearResult } from './clear-reply.ts';
