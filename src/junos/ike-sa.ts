import { childrenNamed, childText, type XmlNode } from '../xml/node.ts';
import type { Extractor } from './extractor.ts';
import { NodeScopedExtractor } from './node-context.ts';
import { firstUint, nonEmpty, parseUint, prune } from './values.ts';

/**
 * `get-ike-security-associations-information` (show security ike security-associations).
 * Brief output lists `<ike-security-associations>` directly; detail output puts index,
 * remote address and gateway name on an `<ike-security-associations-block>` around
 * them, and nests phase-2 data (with its own role and addresses) deeper, which is why
 * only direct children are read.
 */

export interface IkeSa {
  /** `ike-sa-index`. */
  readonly index?: number;
  /** `ike-sa-remote-address`: the peer, what `clear security ike security-associations` takes. */
  readonly remoteAddress: string;
  readonly remotePort?: number;
  readonly localAddress?: string;
  /** `ike-sa-state`: "UP", "DOWN". */
  readonly state?: string;
  readonly initiatorCookie?: string;
  readonly responderCookie?: string;
  /** `ike-sa-exchange-type`: "IKEv2", "Main", "Aggressive". */
  readonly mode?: string;
  /** `ike-sa-role` (detail): "initiator" or "responder". */
  readonly role?: string;
  /** `ike-gw-name` (detail). */
  readonly gateway?: string;
  /** Seconds until expiry (`ike-sa-lifetime`, detail). */
  readonly lifetime?: number;
  readonly node?: string;
}

export interface IkeSaResult {
  readonly sas: IkeSa[];
  /** SAs without a remote address: not reported as records. */
  readonly skipped: number;
}

export function ikeSas(): Extractor<IkeSaResult> {
  return new IkeSaExtractor();
}

class IkeSaExtractor extends NodeScopedExtractor<IkeSaResult> {
  private readonly sas: IkeSa[] = [];
  private skipped = 0;

  constructor() {
    super(['ike-security-associations-block', 'ike-security-associations']);
  }

  protected onItem(el: XmlNode): void {
    const pairs = el.name === 'ike-security-associations-block' ? childrenNamed(el, 'ike-security-associations').map((sa) => [sa, el] as const) : [[el, undefined] as const];
    for (const [sa, block] of pairs) {
      const record = readIkeSa(sa, block, this.nodes.node);
      if (record) this.sas.push(record);
      else this.skipped++;
    }
  }

  result(): IkeSaResult {
    return { sas: this.sas, skipped: this.skipped };
  }
}

function readIkeSa(sa: XmlNode, block: XmlNode | undefined, node: string | undefined): IkeSa | undefined {
  const field = (name: string): string | undefined => nonEmpty(childText(sa, name)) ?? (block && nonEmpty(childText(block, name)));
  const remoteAddress = field('ike-sa-remote-address');
  if (remoteAddress === undefined) return undefined;
  return prune({
    index: parseUint(field('ike-sa-index')),
    remoteAddress,
    remotePort: parseUint(field('ike-sa-remote-port')),
    localAddress: field('ike-sa-local-address'),
    state: field('ike-sa-state'),
    initiatorCookie: field('ike-sa-initiator-cookie'),
    responderCookie: field('ike-sa-responder-cookie'),
    mode: field('ike-sa-exchange-type'),
    role: field('ike-sa-role'),
    gateway: field('ike-gw-name'),
    lifetime: firstUint(field('ike-sa-lifetime')),
    node,
  });
}
