import { ind } from './xml.ts';

/**
 * The chassis-cluster wrapper: one `<multi-routing-engine-item>` per node with its
 * `<re-name>`, laid out with the blank lines Junos prints (see the cluster fixtures).
 * On a standalone device the body is rendered bare, at the top level.
 *
 * `body(node, level)` renders one node's content at the nesting level given; level 1 is
 * directly inside `<rpc-reply>`.
 */
export function* perNode(
  cluster: boolean,
  nodes: readonly number[],
  body: (node: number, level: number) => Iterable<string>,
): Generator<string> {
  if (!cluster) {
    yield* body(nodes[0] ?? 0, 1);
    return;
  }
  yield `${ind(1)}<multi-routing-engine-results>\n\n`;
  for (const node of nodes) {
    yield `${ind(2)}<multi-routing-engine-item>\n\n`;
    yield `${ind(3)}<re-name>node${node}</re-name>\n\n`;
    yield* body(node, 3);
    yield `${ind(2)}</multi-routing-engine-item>\n\n`;
  }
  yield `${ind(1)}</multi-routing-engine-results>\n`;
}
