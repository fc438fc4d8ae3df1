import { ageAggressively, flowSettings, type FlowSettings } from './config/effects.ts';
import { initialConfig } from './config/initial.ts';
import { ConfigStore } from './config/store.ts';
import { buildDevice } from './device-builder.ts';
import type { IkeSa, Peer, Tunnel } from './device-model.ts';
import { ScenarioError } from './errors.ts';
import { sessionMatches, type FlowFilter } from './flow-filter.ts';
import { namespaceVersion, platformFor, spuBlocks, type InterfacePlan, type Platform, type SpuBlock } from './platform.ts';
import { deriveSeed } from './rng.ts';
import { validateScenarioSpec, type ScenarioSpec } from './scenarios.ts';
import { SessionKind, type SessionTable } from './session-table.ts';

export interface DeviceOptions {
  /** `<host-name>` in show version; the lab host's name. */
  readonly hostName?: string;
  /**
   * How many milliseconds a minute of `commit confirmed`'s confirm-timeout lasts
   * (default 60000). Tests set about 200 to see an unconfirmed commit roll back.
   */
  readonly confirmMinuteMs?: number;
  /** The `reject-commit` fault: every commit but a check fails with a daemon's rpc-error. */
  readonly rejectCommit?: boolean;
  /** The clock of commits and locks, in ms since the epoch (default Date.now). */
  readonly now?: () => number;
}

/** A minute of confirm-timeout, unless a test shortens it. */
export const DEFAULT_CONFIRM_MINUTE_MS = 60_000;

/** One RPC the device received, for tests ("a dry run sent no clear") and `lab serve` logs. */
export interface RpcLogEntry {
  readonly seq: number;
  readonly rpc: string;
  readonly args: Readonly<Record<string, string | true>>;
  /** The RPCs a dry run must never send: the clears, and commits that change the running configuration. */
  readonly changesState: boolean;
  readonly outcome: 'ok' | 'error';
}

/** On a cluster, IKE and IPsec SAs are kept by the primary node, node0. */
export const SA_NODE = 0;

/**
 * The state of one simulated SRX: built from a scenario and its seed, changed by the
 * clear RPCs and by committed configuration, read by the renderers. Same spec, same
 * seed, same RPCs → identical replies.
 */
export class DeviceState {
  readonly platform: Platform;
  readonly hostName: string;
  /** Release as used in reply namespaces (15.1X49). */
  readonly nsVersion: string;
  readonly blocks: readonly SpuBlock[];
  readonly nodeCount: number;
  readonly peers: readonly Peer[];
  readonly tunnels: readonly Tunnel[];
  readonly ikeSas: readonly IkeSa[];
  readonly sessions: SessionTable;
  readonly interfaces: InterfacePlan;
  readonly localGateway: number;
  readonly upstreamGateway: number;
  /** Seconds since boot; frozen, so start-time and duration never change between reads. */
  readonly uptime: number;
  /** Mixed into per-session cosmetic values (packet counts, timeouts, tokens). */
  readonly salt: number;
  /** The configuration databases: candidate, committed history, lock, commit confirmed. */
  readonly config: ConfigStore;
  /** The `reject-commit` fault. */
  readonly rejectCommit: boolean;
  /** Sessions removed by aggressive aging so far. */
  agedOut = 0;
  private flow: FlowSettings;
  private readonly blockStart: Int32Array;
  private readonly log: RpcLogEntry[] = [];
  private readonly peerIndex: ReadonlyMap<string, Peer>;
  private readonly tunnelIndex: ReadonlyMap<number, Tunnel>;

  constructor(
    readonly spec: ScenarioSpec,
    options: DeviceOptions = {},
  ) {
    validateScenarioSpec(spec);
    const platform = platformFor(spec.model);
    if (!platform) throw new ScenarioError(spec.name, 'model', `unknown model '${spec.model}'`);
    // A scenario may size the session table below the model's own (a full table in a lab-sized device).
    this.platform = spec.maxSessionsPerSpu === undefined ? platform : { ...platform, maxSessionsPerSpu: spec.maxSessionsPerSpu };
    this.hostName = options.hostName ?? `${spec.model}-lab`;
    this.nsVersion = namespaceVersion(spec.junosVersion);
    this.nodeCount = spec.cluster ? 2 : 1;
    this.blocks = spuBlocks(platform, spec.spus, this.nodeCount);
    const built = buildDevice(spec, platform, this.blocks);
    this.peers = built.peers;
    this.tunnels = built.tunnels;
    this.ikeSas = built.ikeSas;
    this.sessions = built.sessions;
    this.blockStart = built.blockStart;
    this.interfaces = built.interfaces;
    this.localGateway = built.localGateway;
    this.upstreamGateway = built.upstreamGateway;
    this.salt = deriveSeed(spec.seed, 'cosmetic');
    this.uptime = 1_000_000 + (this.salt % 500_000);
    this.peerIndex = new Map(this.peers.map((p) => [p.address, p]));
    this.tunnelIndex = new Map(this.tunnels.map((t) => [t.index, t]));
    this.rejectCommit = options.rejectCommit ?? false;
    const boot = initialConfig({ hostName: this.hostName, interfaces: this.interfaces, localGateway: this.localGateway, extra: spec.initialConfig ?? [] });
    if ('problem' in boot) throw new ScenarioError(spec.name, 'initialConfig', boot.problem);
    const initial = boot.tree;
    this.flow = flowSettings(initial);
    this.config = new ConfigStore({
      initial,
      // A fixed day per seed, so a fresh device's configuration reads the same every time.
      initialCommit: { seconds: 1_704_067_200 + (this.salt % 2_592_000), user: 'lab' },
      confirmMinuteMs: options.confirmMinuteMs ?? DEFAULT_CONFIRM_MINUTE_MS,
      now: options.now ?? Date.now,
      onCommitted: (running) => {
        this.flow = flowSettings(running);
        this.ageSessions();
      },
    });
  }

  get cluster(): boolean {
    return this.spec.cluster;
  }

  get junosVersion(): string {
    return this.spec.junosVersion;
  }

  /** What the committed configuration sets for the flow table. */
  get flowSettings(): FlowSettings {
    return this.flow;
  }

  /** Rows of one SPU block, in reply order. */
  blockRows(block: number): { start: number; end: number } {
    return { start: this.blockStart[block], end: this.blockStart[block + 1] };
  }

  blocksOfNode(node: number): SpuBlock[] {
    return this.blocks.filter((b) => b.node === node);
  }

  allNodes(): number[] {
    return this.nodeCount === 2 ? [0, 1] : [0];
  }

  peer(address: string): Peer | undefined {
    return this.peerIndex.get(address);
  }

  tunnelByIndex(index: number): Tunnel | undefined {
    return this.tunnelIndex.get(index);
  }

  // --- the RPC log -------------------------------------------------------------------

  record(rpc: string, args: Readonly<Record<string, string | true>>, changesState: boolean, outcome: 'ok' | 'error'): void {
    this.log.push({ seq: this.log.length + 1, rpc, args, changesState, outcome });
  }

  get rpcLog(): readonly RpcLogEntry[] {
    return this.log;
  }

  /** Every state-changing RPC received, accepted or not: a dry run must leave this empty. */
  stateChangingRpcs(): RpcLogEntry[] {
    return this.log.filter((e) => e.changesState);
  }

  // --- state changes -----------------------------------------------------------------

  /** Removes the IKE SAs selected (all when nothing is given); returns how many went. */
  clearIkeSas(sel: { peerAddress?: string; index?: number }): number {
    let n = 0;
    for (const sa of this.ikeSas) {
      if (!sa.alive) continue;
      if (sel.peerAddress !== undefined && this.peers[sa.peerSlot].address !== sel.peerAddress) continue;
      if (sel.index !== undefined && sa.index !== sel.index) continue;
      sa.alive = false;
      n++;
    }
    return n;
  }

  /**
   * Removes the IPsec SAs of the tunnels selected (all when nothing is given) and the AH
   * sessions bound to those tunnels. Sessions that merely routed through a tunnel stay.
   */
  clearIpsecSas(sel: { index?: number; vpnName?: string }): { tunnels: number; sessions: number } {
    const cleared = new Set<number>();
    for (const t of this.tunnels) {
      if (!t.alive) continue;
      if (sel.index !== undefined && t.index !== sel.index) continue;
      if (sel.vpnName !== undefined && t.vpnName !== sel.vpnName) continue;
      t.alive = false;
      cleared.add(t.slot);
    }
    let sessions = 0;
    if (cleared.size > 0) {
      const s = this.sessions;
      for (let row = 0; row < s.size; row++) {
        if (s.kind[row] === SessionKind.ah && cleared.has(s.tunnel[row]) && s.remove(row)) sessions++;
      }
    }
    return { tunnels: cleared.size, sessions };
  }

  /**
   * Removes the sessions a clear-flow-session matches on the given nodes; returns the
   * count per node, in the order given. `keepTunnelSessions` is the `all` rule: every
   * session except those through a tunnel (the lab has no resource-manager sessions).
   */
  clearFlowSessions(filter: FlowFilter, nodes: readonly number[], keepTunnelSessions: boolean): number[] {
    const s = this.sessions;
    return nodes.map((node) => {
      let n = 0;
      for (const b of this.blocksOfNode(node)) {
        const { start, end } = this.blockRows(b.ordinal);
        for (let row = start; row < end; row++) {
          if (s.alive[row] === 0) continue;
          if (keepTunnelSessions && s.kind[row] === SessionKind.tcpViaTunnel) continue;
          if (sessionMatches(s, row, filter) && s.remove(row)) n++;
        }
      }
      return n;
    });
  }

  /**
   * Aggressive session aging as the committed `security flow aging` asks: run at commit
   * time and before flow sessions are read. Returns how many sessions went.
   */
  ageSessions(): number {
    const removed = ageAggressively(
      { sessions: this.sessions, salt: this.salt, maxSessionsPerSpu: this.platform.maxSessionsPerSpu, blockCount: this.blocks.length, blockRows: (b) => this.blockRows(b) },
      this.flow,
    ).reduce((a, b) => a + b, 0);
    this.agedOut += removed;
    return removed;
  }

  /** Stops timers (a pending commit confirmed); the lab calls it when it stops. */
  dispose(): void {
    this.config.dispose();
  }

  // --- reads for tests, benches and `lab serve` ----------------------------------------

  /** Live sessions matching a filter in one block. */
  countMatching(filter: FlowFilter, block: number): number {
    const s = this.sessions;
    const { start, end } = this.blockRows(block);
    let n = 0;
    for (let row = start; row < end; row++) if (s.alive[row] === 1 && sessionMatches(s, row, filter)) n++;
    return n;
  }

  /** Live AH sessions per peer address. */
  ahSessionsByPeer(): Map<string, number> {
    const counts = new Map<string, number>();
    const s = this.sessions;
    for (let row = 0; row < s.size; row++) {
      if (s.alive[row] === 0 || s.kind[row] !== SessionKind.ah) continue;
      const address = this.peers[this.tunnels[s.tunnel[row]].peerSlot].address;
      counts.set(address, (counts.get(address) ?? 0) + 1);
    }
    return counts;
  }

  /** Indexes of a peer's live tunnels, in SA-reply order. */
  tunnelIndexesOf(address: string): number[] {
    const p = this.peer(address);
    return p ? p.tunnelSlots.map((slot) => this.tunnels[slot]).filter((t) => t.alive).map((t) => t.index) : [];
  }

  /** One line for `lab serve`: model, release, SPUs, sessions, peers. */
  describe(): string {
    const s = this.spec;
    const spus = `${s.spus} SPU${s.spus === 1 ? '' : 's'}${s.cluster ? ' per node, chassis cluster' : ''}`;
    return `${s.model} ${s.junosVersion}, ${spus}: ${s.ahSessions} AH sessions from ${s.peers} peers, ${this.sessions.size} sessions in all (scenario ${s.name}, seed ${s.seed})`;
  }
}

export function createDeviceState(spec: ScenarioSpec, options: DeviceOptions = {}): DeviceState {
  return new DeviceState(spec, options);
}
