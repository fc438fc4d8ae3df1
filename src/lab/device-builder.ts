import type { IkeSa, Peer, Tunnel } from './device-model.ts';
import { formatIpv4, parseIpv4 } from './ipv4.ts';
import { unpinnedCounts } from './peer-sessions.ts';
import { interfacePlan, type InterfacePlan, type Platform, type SpuBlock } from './platform.ts';
import { Rng, deriveSeed } from './rng.ts';
import { totalSessions, type ScenarioSpec } from './scenarios.ts';
import { KIND_PROTOCOL, SessionKind, SessionTable, applicationIndex } from './session-table.ts';

/** Everything generated for a device; DeviceState owns it and changes it. */
export interface BuiltDevice {
  readonly peers: readonly Peer[];
  readonly tunnels: readonly Tunnel[];
  readonly ikeSas: readonly IkeSa[];
  readonly sessions: SessionTable;
  /** Rows of block b are [blockStart[b], blockStart[b + 1]). */
  readonly blockStart: Int32Array;
  readonly interfaces: InterfacePlan;
  /** The device's address that peers terminate on (destination of AH sessions). */
  readonly localGateway: number;
  /** The upstream router: `<gateway>` of wings arriving from the Internet side. */
  readonly upstreamGateway: number;
}

/** Junos numbers IPsec tunnels from 0x4000000 (67108864) up. */
const FIRST_TUNNEL_INDEX = 67108865;
const LOCAL_GATEWAY = parseIpv4('5.0.0.1') ?? 0;
const UPSTREAM_GATEWAY = parseIpv4('5.0.0.254') ?? 0;

/**
 * Builds a device from a checked spec. Each part draws from its own seeded stream
 * (deriveSeed), so the same spec always gives the same device, byte for byte.
 */
export function buildDevice(spec: ScenarioSpec, platform: Platform, blocks: readonly SpuBlock[]): BuiltDevice {
  const seed = spec.seed;
  const peerPlan = planPeers(spec, new Rng(deriveSeed(seed, 'peers')));
  const { tunnels, ikeSas, peers } = buildIpsec(peerPlan, new Rng(deriveSeed(seed, 'ipsec')));
  const interfaces = interfacePlan(platform, spec.cluster);
  const { sessions, blockStart } = buildSessions(spec, blocks, peers, peerPlan, tunnels, interfaces, seed);
  return { peers, tunnels, ikeSas, sessions, blockStart, interfaces, localGateway: LOCAL_GATEWAY, upstreamGateway: UPSTREAM_GATEWAY };
}

interface PlannedPeer {
  readonly address: number;
  readonly sessions: number;
  readonly pinnedIndexes: readonly number[] | undefined;
  readonly minTunnels: number;
  readonly maxTunnels: number;
}

/** Peers in SA-reply order (pinned ones at random places among the others). */
function planPeers(spec: ScenarioSpec, rng: Rng): PlannedPeer[] {
  const counts = unpinnedCounts(spec, rng.fork('counts'));
  const addresses = peerAddresses(spec, counts.counts.length, rng.fork('addresses'));
  const planned: PlannedPeer[] = spec.pinnedPeers.map((p) => ({
    address: parseIpv4(p.address) ?? 0,
    sessions: p.sessions,
    pinnedIndexes: p.tunnelIndexes,
    minTunnels: p.tunnelIndexes.length,
    maxTunnels: p.tunnelIndexes.length,
  }));
  for (let i = 0; i < counts.counts.length; i++) {
    const band = counts.bands[counts.bandOf[i]];
    planned.push({ address: addresses[i], sessions: counts.counts[i], pinnedIndexes: undefined, minTunnels: band.minTunnels, maxTunnels: band.maxTunnels });
  }
  return rng.shuffle(planned);
}

/**
 * Addresses like the seed's peers (1.0.0.x .. 4.0.0.x): /24s taken in the order
 * 1.0.0, 2.0.0, 3.0.0, 4.0.0, 1.0.1, ... with a third to spare, then sampled.
 */
function peerAddresses(spec: ScenarioSpec, count: number, rng: Rng): Uint32Array {
  const pinned = new Set(spec.pinnedPeers.map((p) => parseIpv4(p.address)));
  const subnets = Math.min(1024, Math.max(4, Math.ceil(((count + pinned.size) * 1.3) / 254)));
  const pool = new Uint32Array(subnets * 254);
  let n = 0;
  for (let s = 0; s < subnets; s++) {
    const first = (s % 4) + 1;
    const third = Math.floor(s / 4);
    for (let host = 1; host <= 254; host++) {
      const a = ((first << 24) | (third << 8) | host) >>> 0;
      if (!pinned.has(a)) pool[n++] = a;
    }
  }
  const candidates = rng.shuffle(pool.subarray(0, n));
  return candidates.slice(0, count);
}

function buildIpsec(plan: readonly PlannedPeer[], rng: Rng): { tunnels: Tunnel[]; ikeSas: IkeSa[]; peers: Peer[] } {
  const reserved = new Set(plan.flatMap((p) => p.pinnedIndexes ?? []));
  let next = FIRST_TUNNEL_INDEX;
  const allocate = (): number => {
    while (reserved.has(next)) next++;
    return next++;
  };
  const tunnels: Tunnel[] = [];
  const ikeSas: IkeSa[] = [];
  const peers: Peer[] = [];
  let ikeIndex = rng.int(1_000_000, 8_000_000);
  plan.forEach((p, slot) => {
    const address = formatIpv4(p.address);
    const indexes = p.pinnedIndexes ?? Array.from({ length: rng.int(p.minTunnels, p.maxTunnels) }, allocate);
    const vpnName = `vpn-${address.replaceAll('.', '-')}`;
    const port = rng.chance(0.15) ? 4500 : 500;
    const tunnelSlots = indexes.map((index) => {
      const t: Tunnel = {
        slot: tunnels.length,
        index,
        peerSlot: slot,
        vpnName,
        spiIn: spi(rng),
        spiOut: spi(rng),
        port,
        hardLifetime: rng.int(600, 28800),
        alive: true,
      };
      tunnels.push(t);
      return t.slot;
    });
    ikeIndex += rng.int(1, 3);
    ikeSas.push({ slot, index: ikeIndex, peerSlot: slot, initiatorCookie: cookie(rng), responderCookie: cookie(rng), alive: true });
    peers.push({ slot, address, addressNumber: p.address, tunnelSlots, ikeSaSlot: slot, pinned: p.pinnedIndexes !== undefined });
  });
  return { tunnels, ikeSas, peers };
}

/** SPIs below 256 are reserved (RFC 4303). */
function spi(rng: Rng): number {
  return (rng.uint32() | 0x1000) >>> 0;
}

function cookie(rng: Rng): string {
  return rng.uint32().toString(16).padStart(8, '0') + rng.uint32().toString(16).padStart(8, '0');
}

function buildSessions(
  spec: ScenarioSpec,
  blocks: readonly SpuBlock[],
  peers: readonly Peer[],
  plan: readonly PlannedPeer[],
  tunnels: readonly Tunnel[],
  ifs: InterfacePlan,
  seed: number,
): { sessions: SessionTable; blockStart: Int32Array } {
  const mix = spec.otherSessions;
  const total = totalSessions(spec);
  const rng = new Rng(deriveSeed(seed, 'sessions'));

  // 1. What each session is, grouped: the AH sessions of each peer, then the rest.
  const itemKind = new Uint8Array(total);
  const itemPeer = new Int32Array(total).fill(-1);
  let k = 0;
  const put = (kind: SessionKind, count: number, peerOf: (i: number) => number) => {
    for (let i = 0; i < count; i++, k++) {
      itemKind[k] = kind;
      itemPeer[k] = peerOf(i);
    }
  };
  plan.forEach((p, slot) => put(SessionKind.ah, p.sessions, () => slot));
  // One IKE session per peer first, so every peer's IKE shows up; extras go to random peers.
  put(SessionKind.ike, mix.ike, (i) => (i < peers.length ? i : rng.int(0, peers.length - 1)));
  put(SessionKind.esp, mix.esp, () => rng.int(0, peers.length - 1));
  put(SessionKind.tcp, mix.tcp, () => -1);
  put(SessionKind.tcpViaTunnel, mix.tcpViaTunnel, () => -1);
  put(SessionKind.udp, mix.udp, () => -1);
  put(SessionKind.icmp, mix.icmp, () => -1);
  put(SessionKind.tcpInit, mix.tcpHandshake ?? 0, () => -1);

  // 2. The order sessions were created in, and the SPU each landed on.
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  rng.shuffle(order);
  const nodes = spec.cluster ? 2 : 1;
  const blockOf = new Uint8Array(total);
  const perBlock = new Int32Array(blocks.length);
  for (let c = 0; c < total; c++) {
    const node = nodes === 2 && rng.next() >= spec.node0Share ? 1 : 0;
    const spu = spec.spus === 1 ? 0 : Math.floor(rng.next() * spec.spus);
    const b = node * spec.spus + spu;
    blockOf[c] = b;
    perBlock[b]++;
  }
  const blockStart = new Int32Array(blocks.length + 1);
  for (let b = 0; b < blocks.length; b++) blockStart[b + 1] = blockStart[b] + perBlock[b];

  // 3. Rows sorted by block; within a block ids grow with creation order, so rows are in id order.
  const t = new SessionTable(total);
  const rowPeer = new Int32Array(total);
  const cursor = blockStart.slice(0, blocks.length);
  const nextId = new Float64Array(blocks.length);
  const maxGap = new Int32Array(blocks.length);
  blocks.forEach((blk, b) => {
    // Ids of one SPU stay below the next SPU's prefix (multi-SPU) or in a small range (branch).
    maxGap[b] = Math.max(1, Math.min(8, Math.floor(8_000_000 / Math.max(1, perBlock[b]))));
    nextId[b] = blk.label === undefined ? rng.int(1000, 60000) : blk.idBase + rng.int(1, 1000);
  });
  for (let c = 0; c < total; c++) {
    const b = blockOf[c];
    const row = cursor[b]++;
    const item = order[c];
    nextId[b] += rng.int(1, maxGap[b]);
    t.id[row] = nextId[b];
    t.kind[row] = itemKind[item];
    rowPeer[row] = itemPeer[item];
    t.block[row] = b;
    t.node[row] = blocks[b].node;
    t.spu[row] = blocks[b].spu;
  }

  orderPinnedFirstSeen(t.kind, rowPeer, pinnedOrder(spec, peers));

  // 4. Addresses, ports, interfaces, tunnels.
  const fill = new Rng(deriveSeed(seed, 'session-fields'));
  const inside = (): number => ((10 << 24) | (1 << 16) | (fill.int(0, 255) << 8) | fill.int(1, 254)) >>> 0;
  const ephemeral = (): number => fill.int(1024, 65535);
  const web = [443, 443, 443, 80, 22];
  const internal = [445, 3389, 443, 22];
  const server = (base: string): number => ((parseIpv4(base) ?? 0) & 0xffffff00) | fill.int(1, 254);
  const wide = spec.sessionVariety === 'wide';
  for (let row = 0; row < total; row++) {
    const kind = t.kind[row] as SessionKind;
    t.protocol[row] = KIND_PROTOCOL[kind];
    switch (kind) {
      case SessionKind.ah:
      case SessionKind.esp: {
        const peer = peers[rowPeer[row]];
        if (kind === SessionKind.ah) t.tunnel[row] = peer.tunnelSlots[fill.int(0, peer.tunnelSlots.length - 1)];
        // Junos shows the SPI of an ESP/AH session split over the two port fields.
        const s = spi(fill);
        t.src[row] = peer.addressNumber;
        t.dst[row] = LOCAL_GATEWAY;
        t.srcPort[row] = s >>> 16;
        t.dstPort[row] = s & 0xffff;
        t.ifIn[row] = ifs.external;
        break;
      }
      case SessionKind.ike: {
        const peer = peers[rowPeer[row]];
        const port = tunnels[peer.tunnelSlots[0]].port;
        t.src[row] = peer.addressNumber;
        t.dst[row] = LOCAL_GATEWAY;
        t.srcPort[row] = port;
        t.dstPort[row] = port;
        t.app[row] = applicationIndex('junos-ike');
        t.ifIn[row] = ifs.external;
        t.ifOut[row] = ifs.local;
        break;
      }
      case SessionKind.tcp: {
        if (wide) {
          wideTcp(t, row, fill, ifs);
          break;
        }
        const port = fill.pick(web);
        t.src[row] = inside();
        t.srcPort[row] = ephemeral();
        t.dst[row] = server(fill.chance(0.5) ? '198.51.100.0' : '203.0.113.0');
        t.dstPort[row] = port;
        t.app[row] = applicationIndex(port === 443 ? 'junos-https' : port === 80 ? 'junos-http' : 'junos-ssh');
        t.ifIn[row] = ifs.internal;
        t.ifOut[row] = ifs.external;
        break;
      }
      case SessionKind.tcpViaTunnel: {
        const slot = fill.int(0, tunnels.length - 1);
        const port = fill.pick(internal);
        t.tunnel[row] = slot;
        t.src[row] = ((192 << 24) | (168 << 16) | ((tunnels[slot].peerSlot % 250) << 8) | fill.int(1, 254)) >>> 0;
        t.srcPort[row] = ephemeral();
        t.dst[row] = inside();
        t.dstPort[row] = port;
        t.app[row] = applicationIndex(port === 445 ? 'junos-smb' : port === 3389 ? 'junos-rdp' : port === 443 ? 'junos-https' : 'junos-ssh');
        t.ifIn[row] = ifs.external;
        t.ifOut[row] = ifs.internal;
        break;
      }
      case SessionKind.udp: {
        if (wide) {
          wideUdp(t, row, fill, ifs);
          break;
        }
        const dns = fill.chance(0.7);
        t.src[row] = inside();
        t.srcPort[row] = ephemeral();
        t.dst[row] = dns ? (parseIpv4('198.51.100.53') ?? 0) : (parseIpv4('203.0.113.123') ?? 0);
        t.dstPort[row] = dns ? 53 : 123;
        t.app[row] = applicationIndex(dns ? 'junos-dns-udp' : 'junos-ntp');
        t.ifIn[row] = ifs.internal;
        t.ifOut[row] = ifs.external;
        break;
      }
      case SessionKind.icmp: {
        // Junos puts the ICMP sequence and identifier in the port fields.
        t.src[row] = inside();
        t.srcPort[row] = fill.int(0, 65535);
        t.dst[row] = server('203.0.113.0');
        t.dstPort[row] = fill.int(0, 65535);
        t.ifIn[row] = ifs.internal;
        t.ifOut[row] = ifs.external;
        break;
      }
      case SessionKind.tcpInit: {
        // A SYN from the Internet to a published server, not answered yet.
        const port = fill.chance(0.6) ? 443 : 80;
        t.src[row] = ((198 << 24) | (18 << 16) | (fill.int(0, 255) << 8) | fill.int(1, 254)) >>> 0;
        t.srcPort[row] = fill.int(1024, 65535);
        t.dst[row] = (parseIpv4(fill.chance(0.5) ? '203.0.113.10' : '203.0.113.11') ?? 0) >>> 0;
        t.dstPort[row] = port;
        t.app[row] = applicationIndex(port === 443 ? 'junos-https' : 'junos-http');
        t.ifIn[row] = ifs.external;
        t.ifOut[row] = ifs.internal;
        break;
      }
    }
  }
  return { sessions: t, blockStart };
}

/** Inside hosts of the `wide` mix: two prefixes, so source-prefix filters have a choice. */
function wideInside(fill: Rng): number {
  const second = fill.chance(0.3) ? 2 : 1;
  return ((10 << 24) | (second << 16) | (fill.int(0, 255) << 8) | fill.int(1, 254)) >>> 0;
}

const WIDE_TCP: readonly { port: number; app: string }[] = [
  { port: 443, app: 'junos-https' },
  { port: 443, app: 'junos-https' },
  { port: 443, app: 'junos-https' },
  { port: 80, app: 'junos-http' },
  { port: 80, app: 'junos-http' },
  { port: 22, app: 'junos-ssh' },
  { port: 25, app: 'junos-smtp' },
  { port: 3389, app: 'junos-rdp' },
  { port: 8080, app: '' },
  { port: 5432, app: '' },
  { port: 993, app: '' },
];

const WIDE_SERVERS = ['198.51.100.0', '203.0.113.0', '192.0.2.0'];

function wideTcp(t: SessionTable, row: number, fill: Rng, ifs: InterfacePlan): void {
  const pick = fill.pick(WIDE_TCP);
  t.src[row] = wideInside(fill);
  t.srcPort[row] = fill.int(1024, 65535);
  t.dst[row] = (((parseIpv4(fill.pick(WIDE_SERVERS)) ?? 0) & 0xffffff00) | fill.int(1, 254)) >>> 0;
  t.dstPort[row] = pick.port;
  t.app[row] = pick.app === '' ? 0 : applicationIndex(pick.app);
  t.ifIn[row] = ifs.internal;
  t.ifOut[row] = ifs.external;
}

/** UDP of the `wide` mix: DNS, NTP, syslog, and leaf sessions of a multicast stream (239.1.1.x:5004). */
function wideUdp(t: SessionTable, row: number, fill: Rng, ifs: InterfacePlan): void {
  const r = fill.next();
  const [dst, port, app] =
    r < 0.5 ? ['198.51.100.53', 53, 'junos-dns-udp'] : r < 0.65 ? ['203.0.113.123', 123, 'junos-ntp'] : r < 0.8 ? ['192.0.2.14', 514, 'junos-syslog'] : [`239.1.1.${fill.int(1, 8)}`, 5004, ''];
  t.src[row] = wideInside(fill);
  t.srcPort[row] = fill.int(1024, 65535);
  t.dst[row] = (parseIpv4(dst) ?? 0) >>> 0;
  t.dstPort[row] = port;
  t.app[row] = app === '' ? 0 : applicationIndex(app);
  t.ifIn[row] = ifs.internal;
  t.ifOut[row] = ifs.external;
}

/** Slots of the pinned peers in the scenario's order (the order ties are meant to break in). */
function pinnedOrder(spec: ScenarioSpec, peers: readonly Peer[]): number[] {
  return spec.pinnedPeers.map((p) => peers.find((x) => x.address === p.address)?.slot ?? -1).filter((s) => s >= 0);
}

/**
 * Makes the pinned peers' first AH sessions appear in scenario order: a consumer that
 * breaks ties by first appearance must then rank 2.0.0.146 before 2.0.0.150 as the
 * seed's sample did. Swapping owners of two AH rows keeps every peer's count.
 */
function orderPinnedFirstSeen(kind: Uint8Array, rowPeer: Int32Array, order: readonly number[]): void {
  if (order.length < 2) return;
  for (let k = 0; k < order.length; k++) {
    const remaining = new Set(order.slice(k));
    let firstOfRemaining = -1;
    let firstOfTarget = -1;
    for (let row = 0; row < rowPeer.length; row++) {
      if (kind[row] !== SessionKind.ah || !remaining.has(rowPeer[row])) continue;
      if (firstOfRemaining < 0) firstOfRemaining = row;
      if (rowPeer[row] === order[k]) {
        firstOfTarget = row;
        break;
      }
    }
    if (firstOfRemaining >= 0 && firstOfTarget > firstOfRemaining) {
      rowPeer[firstOfTarget] = rowPeer[firstOfRemaining];
      rowPeer[firstOfRemaining] = order[k];
    }
  }
}

