/**
 * The flow sessions of one device, column by column in typed arrays: about 30 bytes a
 * session, so the `large` scenario and a million-session override stay far below
 * 200 MB. Rows never move once built (replies walk them in order, block by block);
 * a cleared session only has its `alive` byte set to 0.
 */

/** What a session is, which decides how it is rendered and which clears reach it. */
export const SessionKind = {
  /** AH from a peer to the device, bound to one of the peer's tunnels. */
  ah: 0,
  esp: 1,
  /** IKE self-traffic (udp 500/4500, junos-ike). */
  ike: 2,
  tcp: 3,
  /** TCP that arrived through a tunnel: a "tunnel session", which `clear ... all` keeps. */
  tcpViaTunnel: 4,
  udp: 5,
  icmp: 6,
  /** TCP still in its 3-way handshake: times out after tcp-initial-timeout. */
  tcpInit: 7,
} as const;
export type SessionKind = (typeof SessionKind)[keyof typeof SessionKind];

/** IP protocol number of each kind, indexed by kind. */
export const KIND_PROTOCOL: readonly number[] = [51, 50, 17, 6, 6, 17, 1, 6];

/**
 * Default timeout in seconds of each kind, indexed by kind; 0 prints N/A (AH and ESP
 * terminate on the device). Configuration can change some (see config/effects.ts).
 */
export const KIND_TIMEOUT: readonly number[] = [0, 0, 60, 1800, 1800, 60, 4, 20];

/** Junos protocol keywords (`show security flow session protocol <name>`) and their numbers. */
export const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  icmp: 1,
  igmp: 2,
  ipip: 4,
  tcp: 6,
  egp: 8,
  udp: 17,
  rsvp: 46,
  gre: 47,
  esp: 50,
  ah: 51,
  icmp6: 58,
  ospf: 89,
  pim: 103,
  sctp: 132,
};

/** Name by number, as `<protocol>` shows it; numbers without a keyword print as numbers. */
const PROTOCOL_NAMES: readonly string[] = Array.from({ length: 256 }, (_, n) => Object.keys(PROTOCOL_NUMBERS).find((k) => PROTOCOL_NUMBERS[k] === n) ?? String(n));

export function protocolName(n: number): string {
  return PROTOCOL_NAMES[n] ?? String(n);
}

/** Application names a session can carry; index 0 is "none" (no `<application-name>`). */
export const APPLICATIONS: readonly { readonly name: string; readonly value: number }[] = [
  { name: '', value: 0 },
  { name: 'junos-ike', value: 54 },
  { name: 'junos-https', value: 58 },
  { name: 'junos-http', value: 6 },
  { name: 'junos-ssh', value: 22 },
  { name: 'junos-dns-udp', value: 16 },
  { name: 'junos-ntp', value: 23 },
  { name: 'junos-smb', value: 45 },
  { name: 'junos-rdp', value: 69 },
  { name: 'junos-smtp', value: 9 },
  { name: 'junos-syslog', value: 44 },
];

export function applicationIndex(name: string): number {
  return APPLICATIONS.findIndex((a) => a.name === name && name !== '');
}

/** No interface (the single wing of AH and ESP sessions has no Out side). */
export const NO_INTERFACE = 255;
/** Not bound to a tunnel. */
export const NO_TUNNEL = -1;

export class SessionTable {
  readonly id: Uint32Array;
  readonly kind: Uint8Array;
  readonly protocol: Uint8Array;
  readonly app: Uint8Array;
  readonly src: Uint32Array;
  readonly dst: Uint32Array;
  readonly srcPort: Uint16Array;
  readonly dstPort: Uint16Array;
  readonly node: Uint8Array;
  readonly spu: Uint8Array;
  /** The row's SPU block (see SpuBlock.ordinal); rows are sorted by it. */
  readonly block: Uint8Array;
  /** Slot in the device's tunnel list, or NO_TUNNEL. */
  readonly tunnel: Int32Array;
  readonly ifIn: Uint8Array;
  readonly ifOut: Uint8Array;
  readonly alive: Uint8Array;
  private live: number;

  constructor(readonly size: number) {
    this.id = new Uint32Array(size);
    this.kind = new Uint8Array(size);
    this.protocol = new Uint8Array(size);
    this.app = new Uint8Array(size);
    this.src = new Uint32Array(size);
    this.dst = new Uint32Array(size);
    this.srcPort = new Uint16Array(size);
    this.dstPort = new Uint16Array(size);
    this.node = new Uint8Array(size);
    this.spu = new Uint8Array(size);
    this.block = new Uint8Array(size);
    this.tunnel = new Int32Array(size).fill(NO_TUNNEL);
    this.ifIn = new Uint8Array(size);
    this.ifOut = new Uint8Array(size).fill(NO_INTERFACE);
    this.alive = new Uint8Array(size).fill(1);
    this.live = size;
  }

  /** Sessions not cleared. */
  get aliveCount(): number {
    return this.live;
  }

  /** Marks a row cleared; false when it already was. */
  remove(row: number): boolean {
    if (this.alive[row] === 0) return false;
    this.alive[row] = 0;
    this.live--;
    return true;
  }

  /** Bytes held by the columns: what a million sessions cost. */
  byteLength(): number {
    return [
      this.id,
      this.kind,
      this.protocol,
      this.app,
      this.src,
      this.dst,
      this.srcPort,
      this.dstPort,
      this.node,
      this.spu,
      this.block,
      this.tunnel,
      this.ifIn,
      this.ifOut,
      this.alive,
    ].reduce((sum, a) => sum + a.byteLength, 0);
  }
}
