import type { XmlNode } from '../xml/node.ts';
import type { Extractor } from './extractor.ts';
import { NodeTracker } from './node-context.ts';
import { SpuTracker } from './spu.ts';
import { parseUint, prune } from './values.ts';

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
  /** "FPC0 PIC1"; undefined on single-SPU devices and where the shape names none. */
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

const SUMMARY_FIELDS = new Map<string, CountKey>([
  ['active-unicast-sessions', 'unicast'],
  ['active-multicast-sessions', 'multicast'],
  ['active-services-offload-sessions', 'servicesOffload'],
  ['failed-sessions', 'failed'],
  ['active-sessions', 'active'],
  ['active-session-valid', 'valid'],
  ['active-session-pending', 'pending'],
  ['active-session-invalidated', 'invalidated'],
  ['active-session-other', 'other'],
  ['max-sessions', 'max'],
]);

const DISPLAYED_FIELDS = new Map<string, CountKey>([
  ['valid', 'valid'],
  ['pending', 'pending'],
  ['invalidated', 'invalidated'],
  ['other', 'other'],
  ['count', 'active'],
].flatMap(([suffix, key]): [string, CountKey][] => [
  [`displayed-session-${suffix}`, key as CountKey],
  [`dcp-displayed-session-${suffix}`, key as CountKey],
]));

type MutableCounts = { -readonly [K in CountKey]?: number };

export function flowSummary(): Extractor<FlowSummaryResult> {
  return new FlowSummaryExtractor();
}

class FlowSummaryExtractor implements Extractor<FlowSummaryResult> {
  readonly items: ReadonlySet<string> = new Set([
    'flow-session-summary-information',
    'dcp-flow-session-summary-information',
    // Filtered shape: loose counters in <flow-session-information>, gathered until it closes.
    ...[...DISPLAYED_FIELDS.keys()].filter((k) => !k.startsWith('dcp-')),
    ...NodeTracker.ITEMS,
    ...SpuTracker.ITEMS,
  ]);
  private readonly nodes = new NodeTracker();
  private readonly spus = new SpuTracker();
  private readonly entries: SpuSummary[] = [];
  private loose: MutableCounts | undefined;

  onOpen(name: string): void {
    this.nodes.open(name);
    this.spus.open(name);
  }

  onClose(name: string): void {
    if (name === 'flow-session-information' && this.loose) {
      this.add(this.loose, true);
      this.loose = undefined;
    }
    this.nodes.close(name);
  }

  onElement(el: XmlNode): void {
    if (this.nodes.take(el) || this.spus.take(el)) return;
    if (el.name === 'flow-session-summary-information') {
      this.add(readCounts(el, SUMMARY_FIELDS), false);
    } else if (el.name === 'dcp-flow-session-summary-information') {
      this.add(readCounts(el, DISPLAYED_FIELDS), true);
    } else {
      const key = DISPLAYED_FIELDS.get(el.name);
      const n = parseUint(el.text);
      if (key !== undefined && n !== undefined) (this.loose ??= {})[key] = n;
    }
  }

  private add(counts: MutableCounts, filtered: boolean): void {
    this.entries.push(prune({ node: this.nodes.node, spu: this.spus.spu, ...withUtilisation(counts), filtered }));
  }

  result(): FlowSummaryResult {
    const perNode = new Map<string, SpuSummary[]>();
    for (const e of this.entries) {
      if (e.node === undefined) continue;
      const list = perNode.get(e.node) ?? [];
      list.push(e);
      perNode.set(e.node, list);
    }
    return {
      spus: this.entries,
      totals: sum(this.entries),
      byNode: Object.fromEntries([...perNode].map(([node, list]) => [node, sum(list)])),
    };
  }
}

function readCounts(el: XmlNode, fields: ReadonlyMap<string, CountKey>): MutableCounts {
  const counts: MutableCounts = {};
  for (const c of el.children) {
    const key = fields.get(c.name);
    const n = parseUint(c.text);
    if (key !== undefined && n !== undefined) counts[key] = n;
  }
  return counts;
}

function sum(list: readonly SessionCounts[]): SessionCounts {
  const total: MutableCounts = {};
  for (const entry of list) {
    for (const key of COUNT_KEYS) {
      const n = entry[key];
      if (n !== undefined) total[key] = (total[key] ?? 0) + n;
    }
  }
  return withUtilisation(total);
}

function withUtilisation(counts: MutableCounts): SessionCounts {
  const { active, max } = counts;
  return active !== undefined && max !== undefined && max > 0 ? { ...counts, utilisation: active / max } : { ...counts };
}
