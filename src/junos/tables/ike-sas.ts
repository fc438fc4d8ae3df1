import type { TableRow, TableResult } from '../table.ts';
import { contextField, countField, pathField, viewReader, withoutNulls, type NamedTable } from './named-table.ts';

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

/** The SA's own element, else its block's (detail output keeps some on the block). */
const own = (name: string, element: string) => pathField(name, `${element} | ../${element}`);

export const IKE_SAS: NamedTable<IkeSaResult, IkeSa> = {
  name: 'ike-sas',
  description: 'show security ike security-associations (brief or detail): one record per IKE SA',
  rpc: 'get-ike-security-associations-information',
  spec: {
    item: 'ike-security-associations-block/ike-security-associations | ike-security-associations',
    fields: [
      countField('index', 'ike-sa-index | ../ike-sa-index'),
      pathField('remoteAddress', 'ike-sa-remote-address | ../ike-sa-remote-address', { type: 'address', key: true }),
      countField('remotePort', 'ike-sa-remote-port | ../ike-sa-remote-port'),
      own('localAddress', 'ike-sa-local-address'),
      own('state', 'ike-sa-state'),
      own('initiatorCookie', 'ike-sa-initiator-cookie'),
      own('responderCookie', 'ike-sa-responder-cookie'),
      own('mode', 'ike-sa-exchange-type'),
      own('role', 'ike-sa-role'),
      own('gateway', 'ike-gw-name'),
      // "Expires in 3538 seconds": the first run of digits.
      countField('lifetime', 'ike-sa-lifetime | ../ike-sa-lifetime', { pattern: '\\d{1,15}' }),
      contextField('node', 'node'),
    ],
  },
  view: (r: TableResult<TableRow>): IkeSaResult => ({ sas: r.records.map(ikeSa), skipped: r.skipped ?? 0 }),
  viewRecord: (r) => ikeSa(r),
};

function ikeSa(record: TableRow): IkeSa {
  return withoutNulls<IkeSa>(record);
}

export function ikeSas() {
  return viewReader(IKE_SAS);
}
