import type { TableRow, TableResult, TableTally } from '../table.ts';
import { contextField, countField, pathField, viewReader, withoutNulls, type NamedTable } from './named-table.ts';

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
  /** Kilobytes left (`sa-lifesize-remaining`); null when unlimited (or not given). */
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

/** The SA's own element, else its block's (detail output keeps some on the block). */
const own = (element: string) => `${element} | ../${element}`;

export const IPSEC_SAS: NamedTable<IpsecSaResult, IpsecSa> = {
  name: 'ipsec-sas',
  description: 'show security ipsec security-associations (brief or detail): one record per IPsec SA (two or more per tunnel)',
  rpc: 'get-security-associations-information',
  spec: {
    item: 'ipsec-security-associations-block/ipsec-security-associations | ipsec-security-associations',
    fields: [
      countField('tunnelIndex', own('sa-tunnel-index'), { lenient: false, key: true }),
      pathField('remoteGateway', own('sa-remote-gateway'), { type: 'address', key: true }),
      // Detail output also repeats the port in the block's <sa-dev-info>.
      countField('port', `${own('sa-port')} | ../sa-dev-info/sa-port`),
      pathField('direction', 'sa-direction', { map: { '<': 'inbound', inbound: 'inbound', '>': 'outbound', outbound: 'outbound' } }),
      pathField('spi', 'sa-spi'),
      pathField('protocol', 'sa-protocol', { pattern: '^(.*?):?$' }),
      pathField('encryption', 'sa-esp-encryption-algorithm', { pattern: '^(.*?)/?$' }),
      pathField('authentication', 'sa-hmac-algorithm'),
      countField('lifetime', 'sa-hard-lifetime', { pattern: '\\d{1,15}' }),
      countField('lifesize', 'sa-lifesize-remaining'),
      pathField('monitoring', 'sa-vpn-monitoring-state'),
      pathField('vpnName', own('sa-vpn-name')),
      pathField('tunnelState', '../sa-block-state'),
      pathField('virtualSystem', own('sa-virtual-system')),
      contextField('node', 'node'),
    ],
    values: ['total-active-tunnels', 'total-ipsec-sas'],
  },
  view: (r: TableResult<TableRow>): IpsecSaResult => {
    const reported = reportedTotals(r.values?.['total-active-tunnels'] ?? [], r.values?.['total-ipsec-sas'] ?? []);
    const total = (key: 'activeTunnels' | 'ipsecSas') => {
      const known = reported.map((t) => t[key]).filter((n): n is number => n !== undefined);
      return known.length > 0 ? known.reduce((a, b) => a + b, 0) : undefined;
    };
    const [totalActiveTunnels, totalIpsecSas] = [total('activeTunnels'), total('ipsecSas')];
    return {
      sas: r.records.map(ipsecSa),
      reported,
      ...(totalActiveTunnels !== undefined ? { totalActiveTunnels } : {}),
      ...(totalIpsecSas !== undefined ? { totalIpsecSas } : {}),
      skipped: r.skipped ?? 0,
    };
  },
  viewRecord: (r) => ipsecSa(r),
};

function ipsecSa(record: TableRow): IpsecSa {
  const sa = withoutNulls<IpsecSa>(record, ['lifesize']);
  const { encryption, authentication } = sa;
  const algorithm = encryption !== undefined && authentication !== undefined ? `${encryption}/${authentication}` : (encryption ?? authentication);
  if (algorithm === undefined) return sa;
  // Right after the algorithms it joins, where the CLI shows it.
  const entries = Object.entries(sa);
  const after = Math.max(entries.findIndex(([k]) => k === 'encryption'), entries.findIndex(([k]) => k === 'authentication'));
  return Object.fromEntries([...entries.slice(0, after + 1), ['algorithm', algorithm], ...entries.slice(after + 1)]) as unknown as IpsecSa;
}

/** The reported totals per node (one `<ipsec-security-associations-information>` each), in order. */
function reportedTotals(tunnels: readonly TableTally[], sas: readonly TableTally[]): IpsecReportedTotals[] {
  const byNode = new Map<string | undefined, { -readonly [K in keyof IpsecReportedTotals]: IpsecReportedTotals[K] }>();
  const entry = (node: string | undefined) => byNode.get(node) ?? byNode.set(node, node === undefined ? {} : { node }).get(node)!;
  for (const t of tunnels) entry(t.node).activeTunnels = t.value;
  for (const t of sas) entry(t.node).ipsecSas = t.value;
  return [...byNode.values()];
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

export function ipsecSas() {
  return viewReader(IPSEC_SAS);
}
