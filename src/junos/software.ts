import { childrenNamed, childText, type XmlNode } from '../xml/node.ts';
import type { Extractor } from './extractor.ts';
import { NodeScopedExtractor } from './node-context.ts';
import { nonEmpty, prune } from './values.ts';

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

export function software(): Extractor<SoftwareResult> {
  return new SoftwareExtractor();
}

class SoftwareExtractor extends NodeScopedExtractor<SoftwareResult> {
  private readonly entries: SoftwareInfo[] = [];

  constructor() {
    super(['software-information']);
  }

  protected onItem(el: XmlNode): void {
    this.entries.push(
      prune({
        node: this.nodes.node,
        hostName: nonEmpty(childText(el, 'host-name')),
        productModel: nonEmpty(childText(el, 'product-model')),
        productName: nonEmpty(childText(el, 'product-name')),
        junosVersion: nonEmpty(childText(el, 'junos-version')) ?? packageVersion(el),
      }),
    );
  }

  result(): SoftwareResult {
    const first = this.entries[0];
    return prune({ entries: this.entries, hostName: first?.hostName, productModel: first?.productModel, junosVersion: first?.junosVersion });
  }
}

function packageVersion(el: XmlNode): string | undefined {
  for (const pkg of childrenNamed(el, 'package-information')) {
    const comment = childText(pkg, 'comment') ?? '';
    if (childText(pkg, 'name') === 'junos' || /^JUNOS Software Release/i.test(comment)) {
      const m = /\[([^\]]+)\]/.exec(comment);
      if (m) return nonEmpty(m[1]);
    }
  }
  return undefined;
}
