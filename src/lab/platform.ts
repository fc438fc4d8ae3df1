/**
 * What differs between SRX models and Junos releases in the replies the lab renders:
 * how SPU blocks are labelled, how session ids are numbered, interface names, limits,
 * and the release string Junos puts in its XML namespaces.
 */

export interface Platform {
  readonly model: string;
  /**
   * SRX5000-line: one block per SPU labelled ` on FPC0 PIC1:`, session ids carrying the
   * SPU number (20000753 lives on PIC2), and services-offload counters in summaries.
   */
  readonly highEnd: boolean;
  /** The `<max-sessions>` of one SPU in `show security flow session summary`. */
  readonly maxSessionsPerSpu: number;
}

const PLATFORMS: Readonly<Record<string, Platform>> = {
  srx345: { model: 'srx345', highEnd: false, maxSessionsPerSpu: 375_000 },
  srx1500: { model: 'srx1500', highEnd: false, maxSessionsPerSpu: 2_000_000 },
  srx4200: { model: 'srx4200', highEnd: false, maxSessionsPerSpu: 10_000_000 },
  srx5400: { model: 'srx5400', highEnd: true, maxSessionsPerSpu: 6_291_456 },
  srx5600: { model: 'srx5600', highEnd: true, maxSessionsPerSpu: 6_291_456 },
  srx5800: { model: 'srx5800', highEnd: true, maxSessionsPerSpu: 6_291_456 },
};

export function knownModels(): string[] {
  return Object.keys(PLATFORMS);
}

export function platformFor(model: string): Platform | undefined {
  return Object.hasOwn(PLATFORMS, model) ? PLATFORMS[model] : undefined;
}

/** One SPU of one node: a `<flow-session-information>` block in flow replies. */
export interface SpuBlock {
  /** Position in the device's block list (node-major), also the session table's `block`. */
  readonly ordinal: number;
  readonly node: number;
  /** SPU number within its node, from 0. */
  readonly spu: number;
  readonly fpc: number;
  readonly pic: number;
  /** The `<flow-fpc-pic-id>` text, or undefined on single-SPU branch devices, which print none. */
  readonly label: string | undefined;
  /** Session ids on this SPU start above this number. */
  readonly idBase: number;
}

/** Multi-SPU session ids stay below the next SPU's prefix: 10000000 per SPU. */
export const SPU_ID_SPAN = 10_000_000;

/**
 * The SPU blocks of a device. On an SRX5000 the first card's PIC0 is the central point,
 * so flow SPUs are FPC0 PIC1..3, then FPC1 PIC0..3 and so on.
 */
export function spuBlocks(platform: Platform, spusPerNode: number, nodes: number): SpuBlock[] {
  const labelled = platform.highEnd || spusPerNode > 1;
  const blocks: SpuBlock[] = [];
  for (let node = 0; node < nodes; node++) {
    for (let spu = 0; spu < spusPerNode; spu++) {
      const fpc = spu < 3 ? 0 : 1 + Math.floor((spu - 3) / 4);
      const pic = spu < 3 ? spu + 1 : (spu - 3) % 4;
      blocks.push({
        ordinal: blocks.length,
        node,
        spu,
        fpc,
        pic,
        label: labelled ? ` on FPC${fpc} PIC${pic}:` : undefined,
        idBase: labelled ? (spu + 1) * SPU_ID_SPAN : 0,
      });
    }
  }
  return blocks;
}

/** Interface names as they appear in `<interface-name>`; indexes are stored per session. */
export interface InterfacePlan {
  readonly names: readonly string[];
  readonly internal: number;
  readonly external: number;
  readonly local: number;
}

export function interfacePlan(platform: Platform, cluster: boolean): InterfacePlan {
  // Index order matters only within one device; .local..0 is the self-traffic interface.
  if (cluster) return { names: ['reth0.0', 'reth1.0', '.local..0'], internal: 0, external: 1, local: 2 };
  if (platform.highEnd) return { names: ['xe-2/0/0.0', 'xe-2/0/1.0', '.local..0'], internal: 0, external: 1, local: 2 };
  return { names: ['ge-0/0/0.0', 'ge-0/0/1.0', '.local..0'], internal: 0, external: 1, local: 2 };
}

const VERSION = /^(\d+)\.(\d+)((?:[A-Z]\d+)?)/;

export function isJunosVersion(v: string): boolean {
  return VERSION.test(v);
}

/**
 * The release as Junos writes it in namespaces: 15.1X49-D170.4 → 15.1X49,
 * 18.4R3.3 → 18.4R3 (`http://xml.juniper.net/junos/18.4R3/junos`).
 */
export function namespaceVersion(v: string): string {
  const m = VERSION.exec(v);
  return m ? `${m[1]}.${m[2]}${m[3]}` : v;
}

export function versionAtLeast(v: string, major: number, minor: number): boolean {
  const m = VERSION.exec(v);
  if (!m) return false;
  const [ma, mi] = [Number(m[1]), Number(m[2])];
  return ma > major || (ma === major && mi >= minor);
}
