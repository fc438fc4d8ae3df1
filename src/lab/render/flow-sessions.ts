import type { DeviceState } from '../device-state.ts';
import { sessionMatches, type FlowFilter } from '../flow-filter.ts';
import { perNode } from './multi-re.ts';
import { sessionRenderer } from './flow-session.ts';
import { esc, ind } from './xml.ts';

/** The junos-flow namespace of a release: `http://xml.juniper.net/junos/15.1X49/junos-flow`. */
export function flowNamespace(dev: DeviceState): string {
  return `http://xml.juniper.net/junos/${esc(dev.nsVersion)}/junos-flow`;
}

/**
 * `get-flow-session-information` content: per node on a cluster, one
 * `<flow-session-information>` per SPU (labelled ` on FPC0 PIC1:` on multi-SPU devices)
 * holding the matching sessions and its own `<displayed-session-count>`.
 */
export function* renderFlowSessions(dev: DeviceState, filter: FlowFilter, nodes: readonly number[]): Generator<string> {
  yield* perNode(dev.spec.cluster, nodes, (node, level) => nodeBlocks(dev, filter, node, level));
}

function* nodeBlocks(dev: DeviceState, filter: FlowFilter, node: number, level: number): Generator<string> {
  const ns = flowNamespace(dev);
  const i0 = ind(level);
  const i1 = ind(level + 1);
  const render = sessionRenderer(dev, level + 1);
  const t = dev.sessions;
  for (const block of dev.blocksOfNode(node)) {
    yield `${i0}<flow-session-information xmlns="${ns}">\n`;
    if (block.label !== undefined) yield `${i1}<flow-fpc-pic-id>${esc(block.label)}</flow-fpc-pic-id>\n`;
    let shown = 0;
    const { start, end } = dev.blockRows(block.ordinal);
    for (let row = start; row < end; row++) {
      if (t.alive[row] === 0 || !sessionMatches(t, row, filter)) continue;
      shown++;
      yield render(row);
    }
    yield `${i1}<displayed-session-count>${shown}</displayed-session-count>\n`;
    yield `${i0}</flow-session-information>\n`;
  }
}
