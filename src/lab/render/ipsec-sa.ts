import { SA_NODE, type DeviceState } from '../device-state.ts';
import type { Tunnel } from '../device-model.ts';
import { versionAtLeast } from '../platform.ts';
import { perNode } from './multi-re.ts';
import { esc, ind } from './xml.ts';

export interface IpsecSelection {
  readonly index?: number;
  readonly vpnName?: string;
}

/**
 * `get-security-associations-information` content (brief): totals, then one
 * `<ipsec-security-associations-block>` per tunnel with its inbound (<) and outbound (>)
 * SA, tunnels in the device's peer order, a peer's tunnels together in its own order.
 * From 18.1 the shape of ipsec-sa-brief-18.4.xml (`<total-ipsec-sas>`, split algorithm
 * fields); before, the older one of ipsec-sa-brief.xml ("AH:", "none/", "264/").
 * Like the Junos replies the fixtures come from, no default namespace is declared.
 * On a cluster the SAs are on the primary node; other nodes list none.
 */
export function* renderIpsecSas(dev: DeviceState, sel: IpsecSelection, nodes: readonly number[]): Generator<string> {
  const modern = versionAtLeast(dev.spec.junosVersion, 18, 1);
  yield* perNode(dev.spec.cluster, nodes, (node, level) => nodeSas(dev, sel, node === SA_NODE, modern, level));
}

function* nodeSas(dev: DeviceState, sel: IpsecSelection, holdsSas: boolean, modern: boolean, level: number): Generator<string> {
  const [i0, i1] = [ind(level), ind(level + 1)];
  const live = holdsSas ? dev.tunnels.filter((t) => t.alive) : [];
  yield `${i0}<ipsec-security-associations-information junos:style="brief">\n`;
  yield `${i1}<total-active-tunnels>${live.length}</total-active-tunnels>\n`;
  if (modern) yield `${i1}<total-ipsec-sas>${live.length * 2}</total-ipsec-sas>\n`;
  for (const t of live) {
    if (sel.index !== undefined && t.index !== sel.index) continue;
    if (sel.vpnName !== undefined && t.vpnName !== sel.vpnName) continue;
    yield tunnelBlock(dev, t, modern, level + 1);
  }
  yield `${i0}</ipsec-security-associations-information>\n`;
}

function tunnelBlock(dev: DeviceState, t: Tunnel, modern: boolean, level: number): string {
  const [i0, i1] = [ind(level), ind(level + 1)];
  const gateway = esc(dev.peers[t.peerSlot].address);
  return (
    `${i0}<ipsec-security-associations-block>\n` +
    `${i1}<sa-block-state>up</sa-block-state>\n` +
    sa('&lt;', t, t.spiIn, gateway, modern, level + 1) +
    sa('&gt;', t, t.spiOut, gateway, modern, level + 1) +
    `${i0}</ipsec-security-associations-block>\n`
  );
}

function sa(direction: string, t: Tunnel, spi: number, gateway: string, modern: boolean, level: number): string {
  const [i0, i1] = [ind(level), ind(level + 1)];
  return (
    `${i0}<ipsec-security-associations>\n` +
    `${i1}<sa-direction>${direction}</sa-direction>\n` +
    `${i1}<sa-tunnel-index>${t.index}</sa-tunnel-index>\n` +
    `${i1}<sa-spi>${spi.toString(16).padStart(8, '0')}</sa-spi>\n` +
    `${i1}<sa-aux-spi>0</sa-aux-spi>\n` +
    `${i1}<sa-remote-gateway>${gateway}</sa-remote-gateway>\n` +
    `${i1}<sa-port>${t.port}</sa-port>\n` +
    `${i1}<sa-vpn-monitoring-state>-</sa-vpn-monitoring-state>\n` +
    `${i1}<sa-protocol>${modern ? 'AH' : 'AH:'}</sa-protocol>\n` +
    `${i1}<sa-esp-encryption-algorithm>${modern ? 'none' : 'none/'}</sa-esp-encryption-algorithm>\n` +
    `${i1}<sa-hmac-algorithm>sha256</sa-hmac-algorithm>\n` +
    `${i1}<sa-hard-lifetime>${t.hardLifetime}${modern ? '' : '/'}</sa-hard-lifetime>\n` +
    `${i1}<sa-lifesize-remaining>unlim</sa-lifesize-remaining>\n` +
    `${i1}<sa-virtual-system>root</sa-virtual-system>\n` +
    `${i0}</ipsec-security-associations>\n`
  );
}
