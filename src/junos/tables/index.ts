import type { RpcArgs } from '../rpc.ts';
import { FLOW_SESSION_SUMMARY } from './flow-session-summary.ts';
import { FLOW_SESSIONS } from './flow-sessions.ts';
import { IKE_SAS } from './ike-sas.ts';
import { IPSEC_SAS } from './ipsec-sas.ts';
import type { NamedTable } from './named-table.ts';
import { SOFTWARE } from './software.ts';

/** The named tables, by the name a playbook's `table:` gives. */
export const NAMED_TABLES: ReadonlyMap<string, NamedTable> = new Map(
  [FLOW_SESSIONS, FLOW_SESSION_SUMMARY, IKE_SAS, IPSEC_SAS, SOFTWARE].map((t) => [t.name, t as NamedTable]),
);

export function namedTable(name: string): NamedTable | undefined {
  return NAMED_TABLES.get(name);
}

/**
 * The table that reads the reply to `rpc` called with `args`: of the tables of that RPC,
 * the one whose selecting arguments (`summary`) the call sets, else the one without any.
 */
export function tableForCall(rpc: string, args: RpcArgs = {}): NamedTable | undefined {
  const set = (name: string) => args[name] !== undefined && args[name] !== false;
  const candidates = [...NAMED_TABLES.values()].filter((t) => t.rpc === rpc);
  return candidates.find((t) => t.args !== undefined && Object.keys(t.args).every(set)) ?? candidates.find((t) => t.args === undefined);
}

export { viewReader, type NamedTable } from './named-table.ts';
export { FLOW_SESSIONS, flowSessions, type FlowSession, type FlowSessionsResult, type FlowWing } from './flow-sessions.ts';
export { FLOW_SESSION_SUMMARY, flowSummary, type FlowSummaryResult, type SessionCounts, type SpuSummary } from './flow-session-summary.ts';
export { IKE_SAS, ikeSas, type IkeSa, type IkeSaResult } from './ike-sas.ts';
export { IPSEC_SAS, ipsecSas, tunnelIndexesByPeer, type IpsecReportedTotals, type IpsecSa, type IpsecSaResult } from './ipsec-sas.ts';
export { SOFTWARE, software, type SoftwareInfo, type SoftwareResult } from './software.ts';
