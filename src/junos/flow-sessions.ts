import type { XmlNode } from '../xml/node.ts';
import type { Extractor } from './extractor.ts';
import { readFlowSession, type FlowSession } from './flow-session-record.ts';
import { NodeTracker } from './node-context.ts';
import { SpuTracker } from './spu.ts';
import { parseUint } from './values.ts';

export type { FlowSession, FlowWing } from './flow-session-record.ts';

/**
 * `get-flow-session-information` (show security flow session). The reply has one
 * `<flow-session-information>` block per SPU, and on a chassis cluster one set of blocks
 * per node. Counting only the first block's `<displayed-session-count>` (as PyEZ's
 * findtext and the on-box AH script do) misses every other SPU and node, so sessions
 * are counted here over the whole reply.
 */
export interface FlowSessionsResult {
  /** The records, unless an onRecord callback took them. */
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

export interface FlowSessionsOptions {
  /**
   * Receives each record as it streams by instead of keeping it, so a reply with a
   * million sessions is read in constant memory; `sessions` then stays empty.
   */
  readonly onRecord?: (session: FlowSession) => void;
}

export function flowSessions(options: FlowSessionsOptions = {}): Extractor<FlowSessionsResult> {
  return new FlowSessionsExtractor(options.onRecord);
}

class FlowSessionsExtractor implements Extractor<FlowSessionsResult> {
  readonly items: ReadonlySet<string> = new Set(['flow-session', 'displayed-session-count', ...NodeTracker.ITEMS, ...SpuTracker.ITEMS]);
  private readonly nodes = new NodeTracker();
  private readonly spus = new SpuTracker();
  private readonly sessions: FlowSession[] = [];
  private readonly displayedCounts: number[] = [];
  private total = 0;
  private skipped = 0;
  private blocks = 0;

  constructor(private readonly onRecord: ((session: FlowSession) => void) | undefined) {}

  onOpen(name: string): void {
    this.nodes.open(name);
    this.spus.open(name);
    if (name === 'flow-session-information') this.blocks++;
  }

  onClose(name: string): void {
    this.nodes.close(name);
  }

  onElement(el: XmlNode): void {
    if (this.nodes.take(el) || this.spus.take(el)) return;
    if (el.name === 'displayed-session-count') {
      const n = parseUint(el.text);
      if (n !== undefined) this.displayedCounts.push(n);
      return;
    }
    this.total++;
    const session = readFlowSession(el, this.nodes.node, this.spus.spu);
    if (session === undefined) this.skipped++;
    else if (this.onRecord) this.onRecord(session);
    else this.sessions.push(session);
  }

  result(): FlowSessionsResult {
    return {
      sessions: this.sessions,
      total: this.total,
      skipped: this.skipped,
      displayedCounts: this.displayedCounts,
      displayedTotal: this.displayedCounts.reduce((a, b) => a + b, 0),
      blocks: this.blocks,
      nodes: this.nodes.seen,
    };
  }
}
