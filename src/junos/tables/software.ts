import type { TableRow, TableResult } from '../table.ts';
import { contextField, pathField, viewReader, withoutNulls, type NamedTable } from './named-table.ts';

/**
 * `get-software-information` (show version): `<software-information>` with host name,
 * model and version; one per node, in `<multi-routing-engine-item>`s, on a cluster.
 * Releases before `<junos-version>` existed (12.x) give the version only in a package
 * comment, "JUNOS Software Release [12.1X46-D25.7]", which is read as a fallback.
 */

export interface SoftwareInfo {
  readonly node?: string;
  readonly hostName?: string;
  readonly productModel?: string;
  readonly productName?: string;
  readonly junosVersion?: string;
}

export interface SoftwareResult {
  /** One entry per `<software-information>` (per node on a cluster). */
  readonly entries: SoftwareInfo[];
  /** From the first entry (node0 on a cluster), for the common single-answer case. */
  readonly hostName?: string;
  readonly productModel?: string;
  readonly junosVersion?: string;
}

const RELEASE_IN_COMMENT = '^JUNOS Software Release.*\\[([^\\]]+)\\]';

export const SOFTWARE: NamedTable<SoftwareResult, SoftwareInfo> = {
  name: 'software',
  description: 'show version: host name, model and Junos version, one record per cluster node',
  rpc: 'get-software-information',
  spec: {
    item: 'software-information',
    fields: [
      contextField('node', 'node'),
      pathField('hostName', 'host-name'),
      pathField('productModel', 'product-model'),
      pathField('productName', 'product-name'),
      pathField('junosVersion', 'junos-version', {
        or: [
          { path: "package-information[name='junos']/comment", pattern: '\\[([^\\]]+)\\]' },
          { path: 'package-information/comment', pattern: RELEASE_IN_COMMENT },
        ],
      }),
    ],
  },
  view: (r: TableResult<TableRow>): SoftwareResult => {
    const entries = r.records.map(softwareInfo);
    const first = entries[0];
    return {
      entries,
      ...(first?.hostName !== undefined ? { hostName: first.hostName } : {}),
      ...(first?.productModel !== undefined ? { productModel: first.productModel } : {}),
      ...(first?.junosVersion !== undefined ? { junosVersion: first.junosVersion } : {}),
    };
  },
  viewRecord: (r) => softwareInfo(r),
};

function softwareInfo(record: TableRow): SoftwareInfo {
  return withoutNulls<SoftwareInfo>(record);
}

export function software() {
  return viewReader(SOFTWARE);
}
