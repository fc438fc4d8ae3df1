import type { TableRow, TableResult } from '../table.ts';
import { contextField, countField, listField, pathField, viewReader, withoutNulls, type NamedTable } from './named-table.ts';

/** One direction ("wing") of a flow session: `<flow-information>`. */
export interface FlowWing {
  /** "In" or "Out" as Junos writes it. */
  readonly direction: string;
  readonly sourceAddress?: string;
  readonly sourcePort?: number;
  readonly destinationAddress?: string;
  readonly destinationPort?: number;
  /** Protocol name or number as Junos writes it: tcp, udp, esp, ah, "0" (cp-session). */
  readonly protocol?: string;
  /** `<interface-name>`. */
  readonly interface?: string;
  readonly packets?: number;
  readonly bytes?: number;
}

/**
 * One `<flow-session>`. The convenience fields (protocol, sourceAddress, ...) come from
 * the In wing (the first wing when there is none). For AH and ESP sessions Junos lists
 * only the In wing: there `sourceAddress` is the remote IPsec peer and
 * `destinationAddress` the device's own gateway address.
 */
export interface FlowSession {
  readonly sessionId: number;
  /** `<status>`: "Normal", empty on cp-sessions (then left out). */
  readonly status?: string;
  /** `<session-state>`: "Active" or "Backup"; chassis clusters only. */
  readonly state?: string;
  /** `<sess-state>`: "Valid", "Invalidated", ... */
  readonly validity?: string;
  /** Seconds left; null when Junos says "N/A" (ESP, PIM sessions) or gives none. */
  readonly timeout: number | null;
  readonly application?: string;
  /** `<dynamic-application-name>` (AppID), e.g. "junos:UNKNOWN". */
  readonly dynamicApplication?: string;
  /** `<policy>` as written, e.g. "p1/4", "N/A". */
  readonly policy?: string;
  readonly wings: readonly FlowWing[];
  readonly protocol?: string;
  readonly sourceAddress?: string;
  readonly sourcePort?: number;
  readonly destinationAddress?: string;
  readonly destinationPort?: number;
  readonly interface?: string;
  /** Cluster node (`<re-name>`), left out on a standalone device. */
  readonly node?: string;
  /** SPU ("FPC0 PIC1"), left out on single-SPU devices. */
  readonly spu?: string;
}

/**
 * The sessions, counted over every SPU block and cluster node: counting only the first
 * block's `<displayed-session-count>` (as PyEZ's findtext and the on-box AH script do)
 * misses every other SPU and node.
 */
export interface FlowSessionsResult {
  readonly sessions: FlowSession[];
  /** `<flow-session>` elements seen over all blocks and nodes (skipped ones included). */
  readonly total: number;
  /** Sessions without a numeric session id: counted in total, not reported as records. */
  readonly skipped: number;
  /** Each block's `<displayed-session-count>`, in document order, as the device reported it. */
  readonly displayedCounts: number[];
  /** Sum of displayedCounts: what the device says it listed. */
  readonly displayedTotal: number;
  /** `<flow-session-information>` blocks seen. */
  readonly blocks: number;
  /** Cluster nodes that answered, in order; empty on a standalone device. */
  readonly nodes: string[];
}

/** The In wing's field, or the first wing's when there is no In wing. */
const mainWing = (name: string, element: string, count = false) => (count ? countField : pathField)(name, `flow-information[direction='In']/${element} | flow-information/${element}`);

const wingFields = [
  pathField('direction', 'direction'),
  pathField('sourceAddress', 'source-address'),
  countField('sourcePort', 'source-port'),
  pathField('destinationAddress', 'destination-address'),
  countField('destinationPort', 'destination-port'),
  pathField('protocol', 'protocol'),
  pathField('interface', 'interface-name'),
  countField('packets', 'pkt-cnt'),
  countField('bytes', 'byte-cnt'),
];

/** `get-flow-session-information` (show security flow session): one record per session. */
export const FLOW_SESSIONS: NamedTable<FlowSessionsResult, FlowSession> = {
  name: 'flow-sessions',
  description: 'show security flow session: one record per session, over every SPU and cluster node',
  rpc: 'get-flow-session-information',
  spec: {
    item: 'flow-session',
    fields: [
      countField('sessionId', 'session-identifier', { lenient: false, key: true }),
      pathField('status', 'status'),
      pathField('state', 'session-state'),
      pathField('validity', 'sess-state'),
      countField('timeout', 'timeout'),
      pathField('application', 'application-name'),
      pathField('dynamicApplication', 'dynamic-application-name'),
      pathField('policy', 'policy'),
      listField('wings', 'flow-information', wingFields),
      mainWing('protocol', 'protocol'),
      mainWing('sourceAddress', 'source-address'),
      mainWing('sourcePort', 'source-port', true),
      mainWing('destinationAddress', 'destination-address'),
      mainWing('destinationPort', 'destination-port', true),
      mainWing('interface', 'interface-name'),
      contextField('node', 'node'),
      contextField('spu', 'spu'),
    ],
    values: ['displayed-session-count'],
    opened: ['flow-session-information'],
  },
  view: (r: TableResult<TableRow>): FlowSessionsResult => {
    const displayedCounts = (r.values?.['displayed-session-count'] ?? []).map((t) => t.value);
    return {
      sessions: r.records.map(flowSession),
      total: r.count,
      skipped: r.skipped ?? 0,
      displayedCounts,
      displayedTotal: displayedCounts.reduce((a, b) => a + b, 0),
      blocks: r.opened?.['flow-session-information'] ?? 0,
      nodes: r.nodes,
    };
  },
  viewRecord: (r) => flowSession(r),
};

function flowSession(record: TableRow): FlowSession {
  const wings = (record.wings as TableRow[] | null) ?? [];
  return { ...withoutNulls<FlowSession>(record, ['timeout']), wings: wings.map((w) => ({ ...withoutNulls<FlowWing>(w), direction: (w.direction as string | null) ?? '' })) };
}

/** A reader of the sessions reply; `onRecord` takes each session as it streams by instead of keeping it. */
export function flowSessions(options: { readonly onRecord?: (session: FlowSession) => void } = {}) {
  return viewReader(FLOW_SESSIONS, options);
}
