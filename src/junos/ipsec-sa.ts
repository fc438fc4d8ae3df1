import { child, childrenNamed, childText, type XmlNode } from '../xml/node.ts';
import type { Extractor } from './extractor.ts';
import { NodeScopedExtractor } from './node-context.ts';
import { firstUint, nonEmpty, parseUint, prune } from './values.ts';

/**
 * `get-security-associations-information` (show security ipsec security-associations),
 * brief and detail. SAs come in `<ipsec-security-associations-block>`s, one per tunnel,
 * each with an inbound and an outbound SA (more during a rekey). The detail output keeps
 * the tunnel's index, gateway and VPN name on the block, so SA fields fall back to it.
 */

export interface IpsecSa {
  /** `sa-tunnel-index`: what `clear security ipsec security-associations index` takes. */
  readonly tunnelIndex: number;
  /** `sa-remote-gateway`: the peer. */
  readonly remoteGateway: string;
  /** `sa-port`: IKE port (500, or 4500 behind NAT). */
  readonly port?: number;
  /** Brief output writes `<` (inbound) and `>` (outbound), detail the words. */
  readonly direction?: 'inbound' | 'outbound';
  /** `sa-spi`, hex as written. */
  readonly spi?: string;
  /** ESP or AH (brief output's trailing ':' removed). */
  readonly protocol?: string;
  /** `sa-esp-encryption-algorithm` without its trailing '/'. */
  readonly encryption?: string;
  /** `sa-hmac-algorithm`. */
  readonly authentication?: string;
  /** As the CLI shows it: "aes-cbc-192/sha256". */
  readonly algorithm?: string;
  /** Seconds until hard expiry (`sa-hard-lifetime`: "264/", "24979", "Expires in 3538 seconds"). */
  readonly lifetime?: number;
  /** Kilobytes left (`sa-lifesize-remaining`); null when unlimited. */
  readonly lifesize?: number | null;
  /** `sa-vpn-monitoring-state`: "-", "UP", ... */
  readonly monitoring?: string;
  /** `sa-vpn-name` (detail output). */
  readonly vpnName?: string;
  /** `sa-block-state` of the tunnel: "up". */
  readonly tunnelState?: string;
  readonly virtualSystem?: string;
  readonly node?: string;
}

/** What one `<ipsec-security-associations-information>` says about itself. */
export interface IpsecReportedTotals {
  readonly node?: string;
  /** `<total-active-tunnels>`. */
  readonly activeTunnels?: number;
  /** `<total-ipsec-sas>` (18.4+). */
  readonly ipsecSas?: number;
}

export interface IpsecSaResult {
  readonly sas: IpsecSa[];
  /** Totals as each node reported them; empty when the output has none (detail). */
  readonly reported: IpsecReportedTotals[];
  /** Sum of the reported total-active-tunnels, when any was reported. */
  readonly totalActiveTunnels?: number;
  /** Sum of the reported total-ipsec-sas, when any was reported. */
  readonly totalIpsecSas?: number;
  /** SAs without a tunnel index or remote gateway: not reported as records. */
  readonly skipped: number;
}

type MutableTotals = { -readonly [K in keyof IpsecReportedTotals]: IpsecReportedTotals[K] };

export function ipsecSas(): Extractor<IpsecSaResult> {
  return new IpsecSaExtractor();
}

class IpsecSaExtractor extends NodeScopedExtractor<IpsecSaResult> {
  private readonly sas: IpsecSa[] = [];
  private readonly reported: MutableTotals[] = [];
  /** Totals of the `<ipsec-security-associations-information>` being read, once one is seen. */
  private current: MutableTotals | undefined;
  private skipped = 0;

  constructor() {
    super(['ipsec-security-associations-block', 'ipsec-security-associations', 'total-active-tunnels', 'total-ipsec-sas']);
  }

  override onOpen(name: string): void {
    super.onOpen(name);
    if (name === 'ipsec-security-associations-information') this.current = undefined;
  }

  protected onItem(el: XmlNode): void {
    switch (el.name) {
      case 'total-active-tunnels':
        this.totals().activeTunnels = parseUint(el.text);
        return;
      case 'total-ipsec-sas':
        this.totals().ipsecSas = parseUint(el.text);
        return;
      case 'ipsec-security-associations-block':
        for (const sa of childrenNamed(el, 'ipsec-security-associations')) this.add(sa, el);
        return;
      default:
        // An SA outside any block: not seen in captures, read the same way.
        this.add(el, undefined);
    }
  }

  private totals(): MutableTotals {
    if (!this.current) {
      this.current = { node: this.nodes.node };
      this.reported.push(this.current);
    }
    return this.current;
  }

  private add(sa: XmlNode, block: XmlNode | undefined): void {
    const record = readSa(sa, block, this.nodes.node);
    if (record) this.sas.push(record);
    else this.skipped++;
  }

  result(): IpsecSaResult {
    return prune({
      sas: this.sas,
      reported: this.reported.map((r) => prune({ ...r })),
      totalActiveTunnels: sumDefined(this.reported.map((r) => r.activeTunnels)),
      totalIpsecSas: sumDefined(this.reported.map((r) => r.ipsecSas)),
      skipped: this.skipped,
    });
  }
}

function readSa(sa: XmlNode, block: XmlNode | undefined, node: string | undefined): IpsecSa | undefined {
  const field = (name: string): string | undefined => nonEmpty(childText(sa, name)) ?? (block && nonEmpty(childText(block, name)));
  const tunnelIndex = parseUint(field('sa-tunnel-index'));
  const remoteGateway = field('sa-remote-gateway');
  if (tunnelIndex === undefined || remoteGateway === undefined) return undefined;
  const encryption = nonEmpty(childText(sa, 'sa-esp-encryption-algorithm')?.replace(/\/$/, ''));
  const authentication = nonEmpty(childText(sa, 'sa-hmac-algorithm'));
  const lifesize = childText(sa, 'sa-lifesize-remaining');
  // Detail output also repeats the port in the block's <sa-dev-info>.
  const devInfo = block && child(block, 'sa-dev-info');
  return prune({
    tunnelIndex,
    remoteGateway,
    port: parseUint(field('sa-port')) ?? parseUint(devInfo && childText(devInfo, 'sa-port')),
    direction: direction(childText(sa, 'sa-direction')),
    spi: nonEmpty(childText(sa, 'sa-spi')),
    protocol: nonEmpty(childText(sa, 'sa-protocol')?.replace(/:$/, '')),
    encryption,
    authentication,
    algorithm: encryption && authentication ? `${encryption}/${authentication}` : (encryption ?? authentication),
    lifetime: firstUint(childText(sa, 'sa-hard-lifetime')),
    lifesize: lifesize !== undefined && /^unlim/i.test(lifesize.trim()) ? null : parseUint(lifesize),
    monitoring: nonEmpty(childText(sa, 'sa-vpn-monitoring-state')),
    vpnName: field('sa-vpn-name'),
    tunnelState: block && nonEmpty(childText(block, 'sa-block-state')),
    virtualSystem: field('sa-virtual-system'),
    node,
  });
}

function direction(text: string | undefined): 'inbound' | 'outbound' | undefined {
  switch (text?.trim().toLowerCase()) {
    case '<':
    case 'inbound':
      return 'inbound';
    case '>':
    case 'outbound':
      return 'outbound';
    default:
      return undefined;
  }
}

function sumDefined(values: readonly (number | undefined)[]): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length ? known.reduce((a, b) => a + b, 0) : undefined;
}

/**
 * Distinct tunnel indexes per peer (remote gateway), in order of first appearance: what
 * to clear, index by index, to drop a peer's IPsec SAs. A tunnel appears once per SA
 * (two or more per tunnel, on each cluster node), hence the de-duplication.
 */
export function tunnelIndexesByPeer(records: Iterable<IpsecSa>): Map<string, number[]> {
  const seen = new Map<string, Set<number>>();
  for (const sa of records) {
    const set = seen.get(sa.remoteGateway) ?? new Set<number>();
    set.add(sa.tunnelIndex);
    seen.set(sa.remoteGateway, set);
  }
  return new Map([...seen].map(([peer, set]) => [peer, [...set]]));
}
