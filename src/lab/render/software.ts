import type { DeviceState } from '../device-state.ts';
import { perNode } from './multi-re.ts';
import { el, ind } from './xml.ts';

/**
 * `get-software-information` content, as SRX replies captured in PyEZ-based tests show
 * it: host name, model twice, an empty `<jsr/>`, the release and the junos package. On a
 * cluster, one `<software-information>` per node, each node with its own host name.
 */
export function* renderSoftware(dev: DeviceState): Generator<string> {
  const cluster = dev.spec.cluster;
  yield* perNode(cluster, dev.allNodes(), function* (node, level) {
    const [i0, i1, i2] = [ind(level), ind(level + 1), ind(level + 2)];
    const v = dev.spec.junosVersion;
    yield (
      `${i0}<software-information>\n` +
      el(i1, 'host-name', cluster ? `${dev.hostName}-node${node}` : dev.hostName) +
      el(i1, 'product-model', dev.platform.model) +
      el(i1, 'product-name', dev.platform.model) +
      `${i1}<jsr/>\n` +
      el(i1, 'junos-version', v) +
      `${i1}<package-information>\n` +
      el(i2, 'name', 'junos') +
      el(i2, 'comment', `JUNOS Software Release [${v}]`) +
      `${i1}</package-information>\n` +
      `${i0}</software-information>\n`
    );
  });
}
