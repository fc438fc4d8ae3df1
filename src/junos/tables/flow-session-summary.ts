import type { TableRow, TableResult } from '../table.ts';
import { contextField, countField, viewReader, withoutNulls, type NamedTable } from './named-table.ts';

/**
 * `get-flow-session-information` with `summary` (show security flow session summary).
 * Junos answers in several shapes depending on release and filters, all read here:
 *  - `<flow-session-summary-information>` per SPU (15.1X49; on multi-SPU boxes the SPU id
 *    sits in an otherwise empty `<flow-session-information>` just before it);
 *  - 19.4+/20.3 `<flow-session-per-pic>` wrapping it, with `<flow-fpc-id>`/`<flow-pic-id>`;
 *  - filtered (`... protocol tcp summary`): `<displayed-session-*>` directly in
 *    `<flow-session-information>`, or `<dcp-flow-session-summary-information>` with
 *    `<dcp-displayed-session-*>` inside a per-pic block (20.3);
 *  - any of these wrapped per cluster node in `<multi-routing-engine-item>`.
 */

export interface SessionCounts {
  /** `active-unicast-sessions`. */
  readonly unicast?: number;
  /** `active-multicast-sessions`. */
  readonly multicast?: number;
  /** `active-services-offload-sessions`. */
  readonly servicesOffload?: number;
  /** `failed-sessions`. */
  readonly failed?: number;
  /**
   * Sessions in use: `active-sessions` ("Sessions-in-use" = valid + pending + invalidated
   * + other), or in the filtered shape `displayed-session-count` ("Total sessions").
   */
  readonly active?: number;
  readonly valid?: number;
  readonly pending?: number;
  readonly invalidated?: number;
  readonly other?: number;
  /** `max-sessions`: the SPU's session capacity. */
  readonly max?: number;
  /** active / max, when both are known and max > 0. */
  readonly utilisation?: number;
}

export interface SpuSummary extends SessionCounts {
  readonly node?: string;
  /** "FPC0 PIC1"; left out on single-SPU devices and where the shape names none. */
  readonly spu?: string;
  /** True for the filtered shapes: counts of matching sessions, without capacity. */
  readonly filtered: boolean;
}

export interface FlowSummaryResult {
  /** One entry per SPU per node, in document order. */
  readonly spus: SpuSummary[];
  /** Every count summed over all SPUs and nodes (a cluster's backup copies included). */
  readonly totals: SessionCounts;
  /** Counts summed per cluster node; empty on a standalone device. */
  readonly byNode: Record<string, SessionCounts>;
}

type CountKey = Exclude<keyof SessionCounts, 'utilisation'>;
const COUNT_KEYS: readonly CountKey[] = ['unicast', 'multicast', 'servicesOffload', 'failed', 'active', 'valid', 'pending', 'invalidated', 'other', 'max'];

/** A counter of the plain shape, or of either filtered shape (`displayed-session-X`, `dcp-displayed-session-X`). */
const counter = (name: CountKey, plain: string, displayed: string) => countField(name, `${plain} | displayed-session-${displayed} | dcp-displayed-session-${displayed}`);

/** `get-flow-session-information summary`: one record per SPU per cluster node. */
export const FLOW_SESSION_SUMMARY: NamedTable<FlowSummaryResult, SpuSummary> = {
  name: 'flow-session-summary',
  description: 'show security flow session summary: one record per SPU per cluster node, in every shape Junos answers in',
  rpc: 'get-flow-session-information',
  args: { summary: true },
  spec: {
    item: 'flow-session-summary-information | dcp-flow-session-summary-information | flow-session-information/*',
    fields: [
      contextField('node', 'node'),
      contextField('spu', 'spu'),
      countField('unicast', 'active-unicast-sessions'),
      countField('multicast', 'active-multicast-sessions'),
      countField('servicesOffload', 'active-services-offload-sessions'),
      countField('failed', 'failed-sessions'),
      // The key: a block without it (the 15.1X49 SPU-id-only block) is no SPU's counts.
      countField('active', 'active-sessions | displayed-session-count | dcp-displayed-session-count', { key: true }),
      counter('valid', 'active-session-valid', 'valid'),
      counter('pending', 'active-session-pending', 'pending'),
      counter('invalidated', 'active-session-invalidated', 'invalidated'),
      counter('other', 'active-session-other', 'other'),
      countField('max', 'max-sessions'),
      contextField('shape', 'item'),
    ],
  },
  view: (r: TableResult<TableRow>): FlowSummaryResult => {
    const spus = r.records.map(spuSummary);
    const perNode = new Map<string, SpuSummary[]>();
    for (const e of spus) if (e.node !== undefined) perNode.set(e.node, [...(perNode.get(e.node) ?? []), e]);
    return { spus, totals: sum(spus), byNode: Object.fromEntries([...perNode].map(([node, list]) => [node, sum(list)])) };
  },
  viewRecord: (r) => spuSummary(r),
};

function spuSummary(record: TableRow): SpuSummary {
  const { shape, ...counts } = withoutNulls<SpuSummary & { shape: string }>(record);
  if (shape === 'flow-session-summary-information') return { ...withUtilisation(counts), filtered: false };
  // The filtered shapes list the total after the states, as the device writes them.
  const { active, ...states } = counts;
  return { ...states, ...(active !== undefined ? { active } : {}), filtered: true };
}

function sum(list: readonly SessionCounts[]): SessionCounts {
  const total: { [K in CountKey]?: number } = {};
  for (const entry of list) {
    for (const key of COUNT_KEYS) {
      const n = entry[key];
      if (n !== undefined) total[key] = (total[key] ?? 0) + n;
    }
  }
  return withUtilisation(total);
}

function withUtilisation<T extends SessionCounts>(counts: T): T {
  const { active, max } = counts;
  return active !== undefined && max !== undefined && max > 0 ? { ...counts, utilisation: active / max } : { ...counts };
}

/** A reader of the summary reply. */
export function flowSummary() {
  return viewReader(FLOW_SESSION_SUMMARY);
}
