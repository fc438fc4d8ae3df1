import { ScenarioError } from './errors.ts';
import { parseIpv4 } from './ipv4.ts';
import { isJunosVersion, knownModels, platformFor } from './platform.ts';
import { Rng, deriveSeed } from './rng.ts';

/**
 * Named situations a lab device can be in, as plain data. The first three replay the
 * sample runs of the on-box script runbook replaces (seeds/ah-clear-sa-op-script.md),
 * so the numbers a run prints can be compared with the script's, peer for peer.
 */

/** A peer whose numbers a scenario fixes exactly (the peers the seed's samples name). */
export interface PinnedPeer {
  readonly address: string;
  readonly sessions: number;
  /** Its tunnels, in the order they appear in the IPsec SA reply. */
  readonly tunnelIndexes: readonly number[];
}

/** A group of ordinary peers whose AH session counts are drawn from a range. */
export interface PeerBand {
  readonly peers: number;
  readonly minSessions: number;
  readonly maxSessions: number;
  /** Shape of the draw: 1 is uniform, above 1 favours small counts, below 1 large ones. */
  readonly skew: number;
  readonly minTunnels: number;
  readonly maxTunnels: number;
}

/** Sessions other than AH, so that a collect step that forgets its filters is caught out. */
export interface OtherSessionMix {
  readonly tcp: number;
  /** TCP arriving through a VPN tunnel: `all` leaves these alone (tunnel sessions). */
  readonly tcpViaTunnel: number;
  readonly udp: number;
  readonly icmp: number;
  /** ESP sessions from the AH peers' addresses: same source, other protocol. */
  readonly esp: number;
  /** IKE (udp/500 or 4500, application junos-ike) from the peers: same source, other protocol. */
  readonly ike: number;
  /** TCP still in its 3-way handshake (inbound SYNs): these time out after tcp-initial-timeout. */
  readonly tcpHandshake?: number;
}

export interface ScenarioSpec {
  readonly name: string;
  readonly description: string;
  readonly seed: number;
  readonly model: string;
  /** As `show version` prints it (15.1X49-D170.4); namespaces use its release part. */
  readonly junosVersion: string;
  /** SPUs per node. */
  readonly spus: number;
  readonly cluster: boolean;
  /** Share of sessions on node0 of a cluster. */
  readonly node0Share: number;
  /** AH sessions in total, pinned peers included. */
  readonly ahSessions: number;
  /** Peers with at least one AH session, pinned peers included. */
  readonly peers: number;
  readonly pinnedPeers: readonly PinnedPeer[];
  /** The other peers; their `peers` add up to `peers` minus the pinned ones. */
  readonly peerBands: readonly PeerBand[];
  readonly otherSessions: OtherSessionMix;
  /** Session capacity of one SPU when smaller than the model's (`<max-sessions>`); aggressive aging works against it. */
  readonly maxSessionsPerSpu?: number;
  /**
   * 'wide': TCP to many ports and servers from two inside prefixes, UDP to DNS, NTP,
   * syslog and a multicast group. Without it, the seed samples' narrow mix.
   */
  readonly sessionVariety?: 'wide';
  /** Statements, as set commands, the device's running configuration has besides the defaults. */
  readonly initialConfig?: readonly string[];
}

export interface ScenarioOverrides {
  readonly ahSessions?: number;
  readonly peers?: number;
  readonly spus?: number;
  readonly cluster?: boolean;
  readonly seed?: number;
}

export const DEFAULT_SEED = 1;
export const MAX_AH_SESSIONS = 5_000_000;
export const MAX_TOTAL_SESSIONS = 6_000_000;
/** Peer addresses come from A.0.B.C with A in 1..4: 4 × 256 × 254 of them. */
export const MAX_PEERS = 200_000;
export const MAX_SPUS = 64;

/** What a scenario definition is given: the seed always, the overrides when set. */
interface ScenarioInput {
  readonly seed: number;
  readonly ahSessions?: number;
  readonly peers?: number;
  readonly spus?: number;
  readonly cluster?: boolean;
}

interface ScenarioDefinition {
  readonly name: string;
  readonly description: string;
  build(input: ScenarioInput): ScenarioSpec;
}

/** The model, release and mix of the device in the seed's sample runs (srx1500-r2603). */
const SAMPLE_DEVICE = { model: 'srx1500', junosVersion: '15.1X49-D170.4' } as const;

function sampleMix(peers: number): OtherSessionMix {
  return { tcp: 1500, tcpViaTunnel: 300, udp: 700, icmp: 80, esp: 150, ike: peers };
}

function band(peers: number, minSessions: number, maxSessions: number, skew: number, minTunnels: number, maxTunnels: number): PeerBand {
  return { peers, minSessions, maxSessions, skew, minTunnels, maxTunnels };
}

function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/**
 * The seed's sample runs share a device (a single-SPU SRX1500) and differ in the AH
 * count, the pinned peers and how the other peers' sessions are spread.
 */
function seedSample(
  name: string,
  description: string,
  ahSessions: number,
  pinnedPeers: ScenarioSpec['pinnedPeers'],
  bands: (others: number) => PeerBand[],
): ScenarioDefinition {
  return {
    name,
    description,
    build(i) {
      const peers = i.peers ?? 750;
      return {
        name,
        description,
        seed: i.seed,
        ...SAMPLE_DEVICE,
        spus: i.spus ?? 1,
        cluster: i.cluster ?? false,
        node0Share: 0.5,
        ahSessions: i.ahSessions ?? ahSessions,
        peers,
        pinnedPeers,
        peerBands: bands(peers - pinnedPeers.length),
        otherSessions: sampleMix(peers),
      };
    },
  };
}

const ONE_PEER = seedSample(
  'one-peer',
  "The seed's first sample: 21167 AH sessions from 750 peers, only 4.0.0.2 (54 sessions, 17 tunnels) at 50 or more",
  21167,
  [{ address: '4.0.0.2', sessions: 54, tunnelIndexes: [...range(67111733, 67111742), 67111724, 67111743, 67111725, 67111726, 67111730, 67111731, 67111732] }],
  (others) => [band(others, 1, 49, 1, 1, 6)],
);

const NO_PEER = seedSample(
  'no-peer',
  "The seed's third sample: 21043 AH sessions from 750 peers, none with 50 or more",
  21043,
  [],
  (others) => [band(others, 1, 49, 1, 1, 6)],
);

const THREE_PEERS = seedSample(
  'three-peers',
  "The seed's fourth sample: 25950 AH sessions from 750 peers, 385 with 40 or more; top three 2.0.0.146 (62), 2.0.0.150 (62), 1.0.0.42 (58)",
  25950,
  // Order matters: 2.0.0.146 and 2.0.0.150 tie at 62 and the tie goes to the first seen.
  [
    { address: '2.0.0.146', sessions: 62, tunnelIndexes: range(67109704, 67109708) },
    { address: '2.0.0.150', sessions: 62, tunnelIndexes: range(67109724, 67109728) },
    { address: '1.0.0.42', sessions: 58, tunnelIndexes: range(67109684, 67109687) },
  ],
  (others) => {
    // 382 of the 747 ordinary peers sit at 40..57 in the sample; keep that share when peers is overridden.
    const busy = Math.max(0, Math.round((others * 382) / 747));
    return [band(busy, 40, 57, 1, 1, 6), band(others - busy, 1, 39, 1, 1, 6)];
  },
);

const BUSY: ScenarioDefinition = {
  name: 'busy',
  description:
    'A newcomer default: 12k-30k AH sessions from 150-300 peers with 1-4 heavy peers (1000-4000 sessions); one seed in four is a quiet host below 10000',
  build(i) {
    const r = new Rng(deriveSeed(i.seed, 'busy'));
    // Quiet by seed arithmetic rather than by chance, so hosts seeded 1..4 give exactly one quiet host.
    const quiet = i.seed % 4 === 3;
    const heavy = quiet ? r.int(1, 2) : r.int(1, 4);
    const ahDefault = quiet ? r.int(6000, 9500) : r.int(12000, 30000);
    const peersDefault = r.int(150, 300);
    const peers = i.peers ?? peersDefault;
    const heavyMax = quiet ? 2500 : 4000;
    return {
      name: this.name,
      description: this.description,
      seed: i.seed,
      model: 'srx5400',
      junosVersion: '17.4R3.16',
      spus: i.spus ?? 3,
      cluster: i.cluster ?? false,
      node0Share: 0.5,
      ahSessions: i.ahSessions ?? ahDefault,
      peers,
      pinnedPeers: [],
      peerBands: [band(Math.min(heavy, peers), 1000, heavyMax, 1, 4, 12), band(Math.max(0, peers - heavy), 1, 400, 2.5, 1, 4)],
      otherSessions: { tcp: 2500, tcpViaTunnel: 400, udp: 1200, icmp: 100, esp: 200, ike: peers },
    };
  },
};

const CLUSTER: ScenarioDefinition = {
  name: 'cluster',
  description: 'A chassis cluster (node0/node1, 3 SPUs each) with 18000 AH sessions from 240 peers split over nodes and SPUs, 3 heavy peers',
  build(i) {
    const peers = i.peers ?? 240;
    const heavy = Math.min(3, peers);
    return {
      name: this.name,
      description: this.description,
      seed: i.seed,
      model: 'srx5800',
      junosVersion: '15.1X49-D170.4',
      spus: i.spus ?? 3,
      cluster: i.cluster ?? true,
      node0Share: 0.55,
      ahSessions: i.ahSessions ?? 18000,
      peers,
      pinnedPeers: [],
      peerBands: [band(heavy, 1200, 3000, 1, 4, 10), band(peers - heavy, 1, 200, 1.5, 1, 5)],
      otherSessions: { tcp: 3000, tcpViaTunnel: 500, udp: 1500, icmp: 150, esp: 300, ike: peers },
    };
  },
};

const LARGE: ScenarioDefinition = {
  name: 'large',
  description: 'An SRX5800 with 4 SPUs and 400000 AH sessions (one peer per 200 sessions), 3 heavy peers of 5000-20000',
  build(i) {
    const ahSessions = i.ahSessions ?? 400_000;
    // Peers grow with sessions so an override of 1M sessions still fits the per-peer ranges.
    const peers = i.peers ?? Math.max(10, Math.round(ahSessions / 200));
    const heavy = Math.min(3, peers);
    return {
      name: this.name,
      description: this.description,
      seed: i.seed,
      model: 'srx5800',
      junosVersion: '18.4R3.3',
      spus: i.spus ?? 4,
      cluster: i.cluster ?? false,
      node0Share: 0.5,
      ahSessions,
      peers,
      pinnedPeers: [],
      peerBands: [band(heavy, 5000, 20000, 1, 8, 24), band(peers - heavy, 20, 900, 1.3, 1, 6)],
      otherSessions: { tcp: 20000, tcpViaTunnel: 5000, udp: 8000, icmp: 1000, esp: 2000, ike: peers },
    };
  },
};

/** Sessions one SPU of the `full` scenario holds (95 % of FULL_MAX_SESSIONS), and their mix for two SPUs. */
const FULL_MAX_SESSIONS = 20_000;

const FULL: ScenarioDefinition = {
  name: 'full',
  description:
    'A session table near its limit: an SRX5400 with 2 SPUs of 20000 sessions each, both about 95 % full (38000 sessions: TCP to many ports, 3000 half-open, UDP with multicast leaf sessions, ICMP, AH/ESP from 60 peers), for a session-table guard',
  build(i) {
    const spus = i.spus ?? 2;
    const cluster = i.cluster ?? false;
    // The mix is sized for 2 SPUs; more SPUs or a second node keep each SPU about as full.
    const scale = (spus * (cluster ? 2 : 1)) / 2;
    const n = (x: number) => Math.round(x * scale);
    const peers = i.peers ?? 60;
    return {
      name: this.name,
      description: this.description,
      seed: i.seed,
      model: 'srx5400',
      junosVersion: '18.4R3.3',
      spus,
      cluster,
      node0Share: 0.5,
      ahSessions: i.ahSessions ?? n(6000),
      peers,
      pinnedPeers: [],
      peerBands: [band(peers, 20, 200, 1, 1, 4)],
      otherSessions: { tcp: n(18000), tcpViaTunnel: n(2000), udp: n(6440), icmp: n(1500), esp: n(1000), ike: peers, tcpHandshake: n(3000) },
      maxSessionsPerSpu: FULL_MAX_SESSIONS,
      sessionVariety: 'wide',
      initialConfig: [
        'set applications application mcast-video protocol udp destination-port 5004',
        'set security policies from-zone trust to-zone untrust policy mcast-video match source-address any destination-address any application mcast-video',
        'set security policies from-zone trust to-zone untrust policy mcast-video then permit',
      ],
    };
  },
};

const SCENARIOS: readonly ScenarioDefinition[] = [ONE_PEER, NO_PEER, THREE_PEERS, BUSY, CLUSTER, LARGE, FULL];

export function scenarioNames(): string[] {
  return SCENARIOS.map((s) => s.name);
}

/** Name and one line for each scenario, for `runbook lab` help. */
export function scenarioDescriptions(): { name: string; description: string }[] {
  return SCENARIOS.map((s) => ({ name: s.name, description: s.description }));
}

/** The concrete spec of a named scenario with overrides applied; checked, so a device can be built from it. */
export function resolveScenario(name: string, overrides: ScenarioOverrides = {}): ScenarioSpec {
  const def = SCENARIOS.find((s) => s.name === name);
  if (!def) throw new ScenarioError(name, undefined, `unknown scenario (known: ${scenarioNames().join(', ')})`);
  checkOverrides(name, overrides);
  const spec = def.build({ ...overrides, seed: overrides.seed ?? DEFAULT_SEED });
  validateScenarioSpec(spec);
  return spec;
}

const OVERRIDE_KEYS = new Set(['ahSessions', 'peers', 'spus', 'cluster', 'seed']);

function checkOverrides(name: string, o: ScenarioOverrides): void {
  // Overrides arrive from YAML and the CLI as well as from code: check what TypeScript cannot.
  for (const key of Object.keys(o)) {
    if (!OVERRIDE_KEYS.has(key)) throw new ScenarioError(name, key, `unknown override (known: ${[...OVERRIDE_KEYS].join(', ')})`);
  }
  const v: Readonly<Record<string, unknown>> = { ...o };
  intField(name, 'ahSessions', v.ahSessions, 0, MAX_AH_SESSIONS);
  intField(name, 'peers', v.peers, 1, MAX_PEERS);
  intField(name, 'spus', v.spus, 1, MAX_SPUS);
  intField(name, 'seed', v.seed, 0, 0xffffffff);
  if (v.cluster !== undefined && typeof v.cluster !== 'boolean') throw new ScenarioError(name, 'cluster', `must be true or false, not ${show(v.cluster)}`);
}

function intField(scenario: string, field: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ScenarioError(scenario, field, `must be an integer from ${min} to ${max}, not ${show(value)}`);
  }
}

function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : String(v);
}

/**
 * Checks that a spec can be built: known model and release, peer numbers that add up,
 * and an AH total the pinned peers and bands can hold. Hand-made specs (tests) go
 * through this too.
 */
export function validateScenarioSpec(spec: ScenarioSpec): void {
  const fail = (field: string, message: string): never => {
    throw new ScenarioError(spec.name, field, message);
  };
  if (!platformFor(spec.model)) fail('model', `unknown model '${spec.model}' (known: ${knownModels().join(', ')})`);
  if (!isJunosVersion(spec.junosVersion)) fail('junosVersion', `'${spec.junosVersion}' is not a Junos version such as 15.1X49-D170.4`);
  intField(spec.name, 'spus', spec.spus, 1, MAX_SPUS);
  intField(spec.name, 'seed', spec.seed, 0, 0xffffffff);
  intField(spec.name, 'ahSessions', spec.ahSessions, 0, MAX_AH_SESSIONS);
  intField(spec.name, 'peers', spec.peers, 0, MAX_PEERS);
  if (!(spec.node0Share >= 0 && spec.node0Share <= 1)) fail('node0Share', `must be from 0 to 1, not ${spec.node0Share}`);

  const seenAddr = new Set<string>();
  const seenIndex = new Set<number>();
  let pinnedSessions = 0;
  for (const p of spec.pinnedPeers) {
    if (parseIpv4(p.address) === undefined) fail('pinnedPeers', `'${p.address}' is not an IPv4 address`);
    if (seenAddr.has(p.address)) fail('pinnedPeers', `${p.address} is pinned twice`);
    seenAddr.add(p.address);
    intField(spec.name, `pinnedPeers ${p.address} sessions`, p.sessions, 1, MAX_AH_SESSIONS);
    if (p.tunnelIndexes.length === 0) fail('pinnedPeers', `${p.address} needs at least one tunnel index`);
    for (const ix of p.tunnelIndexes) {
      intField(spec.name, `pinnedPeers ${p.address} tunnel index`, ix, 1, 0xffffffff);
      if (seenIndex.has(ix)) fail('pinnedPeers', `tunnel index ${ix} is used twice`);
      seenIndex.add(ix);
    }
    pinnedSessions += p.sessions;
  }
  if (spec.pinnedPeers.length > spec.peers) fail('peers', `${spec.peers} peers cannot hold the ${spec.pinnedPeers.length} pinned ones`);

  let bandPeers = 0;
  let low = pinnedSessions;
  let high = pinnedSessions;
  for (const b of spec.peerBands) {
    if (!Number.isInteger(b.peers) || b.peers < 0) fail('peers', `too few peers for this scenario (a peer group would have ${b.peers})`);
    if (!(b.minSessions >= 1 && b.maxSessions >= b.minSessions)) fail('peerBands', `bad session range ${b.minSessions}..${b.maxSessions}`);
    if (!(b.minTunnels >= 1 && b.maxTunnels >= b.minTunnels && b.maxTunnels <= 64)) fail('peerBands', `bad tunnel range ${b.minTunnels}..${b.maxTunnels}`);
    if (!(b.skew > 0)) fail('peerBands', `skew must be above 0, not ${b.skew}`);
    bandPeers += b.peers;
    low += b.peers * b.minSessions;
    high += b.peers * b.maxSessions;
  }
  if (bandPeers + spec.pinnedPeers.length !== spec.peers) {
    fail('peers', `peer groups hold ${bandPeers + spec.pinnedPeers.length} peers, not ${spec.peers}`);
  }
  if (spec.ahSessions < low || spec.ahSessions > high) {
    fail('ahSessions', `${spec.ahSessions} AH sessions do not fit ${spec.peers} peers here (between ${low} and ${high} do)`);
  }

  const mix = spec.otherSessions;
  for (const [k, n] of Object.entries(mix)) if (n !== undefined) intField(spec.name, `otherSessions.${k}`, n, 0, MAX_TOTAL_SESSIONS);
  if ((mix.esp > 0 || mix.ike > 0) && spec.peers === 0) fail('otherSessions', 'ESP and IKE sessions need at least one peer');
  if (mix.tcpViaTunnel > 0 && spec.peers === 0) fail('otherSessions', 'sessions through tunnels need at least one peer');
  const total = totalSessions(spec);
  if (total > MAX_TOTAL_SESSIONS) fail('ahSessions', `${total} sessions in all is more than the lab holds (${MAX_TOTAL_SESSIONS})`);
  if (spec.maxSessionsPerSpu !== undefined) intField(spec.name, 'maxSessionsPerSpu', spec.maxSessionsPerSpu, 1, 100_000_000);
  if (spec.sessionVariety !== undefined && spec.sessionVariety !== 'wide') fail('sessionVariety', `must be 'wide' when given, not ${show(spec.sessionVariety)}`);
  if (spec.initialConfig !== undefined && !(Array.isArray(spec.initialConfig) && spec.initialConfig.every((l) => typeof l === 'string'))) {
    fail('initialConfig', 'must be a list of set commands');
  }
}

/** Every session a spec builds: AH and the other kinds. */
export function totalSessions(spec: ScenarioSpec): number {
  const m = spec.otherSessions;
  return spec.ahSessions + m.tcp + m.tcpViaTunnel + m.udp + m.icmp + m.esp + m.ike + (m.tcpHandshake ?? 0);
}
