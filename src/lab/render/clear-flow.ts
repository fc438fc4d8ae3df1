import type { DeviceState } from '../device-state.ts';
import { flowNamespace } from './flow-sessions.ts';
import { perNode } from './multi-re.ts';
import { ind } from './xml.ts';

/**
 * The reply to `clear-flow-session`: how many sessions went, per node on a cluster.
 *
 * No capture of this reply could be found (the fixtures have none; the JUNOS Perl
 * bindings name its root `<clear-flow-session-information>`, Junos documents the CLI
 * output as "N active sessions cleared", per node on clusters). The child element is
 * therefore chosen, not copied: `<active-sessions-cleared>`, named after that CLI text,
 * in the junos-flow namespace like the other flow replies.
 */
export function* renderClearFlow(dev: DeviceState, nodes: readonly number[], clearedPerNode: readonly number[]): Generator<string> {
  const ns = flowNamespace(dev);
  yield* perNode(dev.spec.cluster, nodes, function* (node, level) {
    const n = clearedPerNode[nodes.indexOf(node)] ?? 0;
    yield `${ind(level)}<clear-flow-session-information xmlns="${ns}">\n`;
    yield `${ind(level + 1)}<active-sessions-cleared>${n}</active-sessions-cleared>\n`;
    yield `${ind(level)}</clear-flow-session-information>\n`;
  });
}
