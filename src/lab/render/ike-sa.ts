import { SA_NODE, type DeviceState } from '../device-state.ts';
import { perNode } from './multi-re.ts';
import { esc, ind } from './xml.ts';

export interface IkeSelection {
  readonly peerAddress?: string;
  readonly index?: number;
}

/**
 * `get-ike-security-associations-information` content (brief), one
 * `<ike-security-associations>` per live IKE SA, in the shape of ike-sa-brief.xml.
 * On a cluster the SAs are on the primary node; other nodes list none.
 */
export function* renderIkeSas(dev: DeviceState, sel: IkeSelection, nodes: readonly number[]): Generator<string> {
  yield* perNode(dev.spec.cluster, nodes, function* (node, level) {
    const [i0, i1, i2] = [ind(level), ind(level + 1), ind(level + 2)];
    yield `${i0}<ike-security-associations-information junos:style="brief">\n`;
    if (node === SA_NODE) {
      for (const sa of dev.ikeSas) {
        if (!sa.alive) continue;
        const address = dev.peers[sa.peerSlot].address;
        if (sel.peerAddress !== undefined && address !== sel.peerAddress) continue;
        if (sel.index !== undefined && sa.index !== sel.index) continue;
        yield (
          `${i1}<ike-security-associations>\n` +
          `${i2}<ike-sa-remote-address>${esc(address)}</ike-sa-remote-address>\n` +
          `${i2}<ike-sa-index>${sa.index}</ike-sa-index>\n` +
          `${i2}<ike-sa-state>UP</ike-sa-state>\n` +
          `${i2}<ike-sa-initiator-cookie>${esc(sa.initiatorCookie)}</ike-sa-initiator-cookie>\n` +
          `${i2}<ike-sa-responder-cookie>${esc(sa.responderCookie)}</ike-sa-responder-cookie>\n` +
          `${i2}<ike-sa-exchange-type>IKEv2</ike-sa-exchange-type>\n` +
          `${i1}</ike-security-associations>\n`
        );
      }
    }
    yield `${i0}</ike-security-associations-information>\n`;
  });
}
