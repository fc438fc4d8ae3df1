/**
 * The IPsec side of a simulated device: peers, their tunnels (IPsec SA pairs) and their
 * IKE SAs. Small next to the session table (thousands of rows), so plain objects.
 */

export interface Peer {
  /** Position in the device's peer list, which is also the order of the SA replies. */
  readonly slot: number;
  readonly address: string;
  readonly addressNumber: number;
  /** Tunnel slots, in the order the SA reply lists them. */
  readonly tunnelSlots: readonly number[];
  readonly ikeSaSlot: number;
  /** Named in the scenario (the seed's sample peers). */
  readonly pinned: boolean;
}

/** One IPsec tunnel: an inbound (<) and an outbound (>) SA under one index. */
export interface Tunnel {
  readonly slot: number;
  /** sa-tunnel-index, Junos style: 67108864 + n. */
  readonly index: number;
  readonly peerSlot: number;
  readonly vpnName: string;
  readonly spiIn: number;
  readonly spiOut: number;
  /** sa-port: 500, or 4500 behind NAT. */
  readonly port: number;
  /** Seconds left, frozen: the lab's clock does not move. */
  readonly hardLifetime: number;
  alive: boolean;
}

export interface IkeSa {
  readonly slot: number;
  readonly index: number;
  readonly peerSlot: number;
  readonly initiatorCookie: string;
  readonly responderCookie: string;
  alive: boolean;
}
