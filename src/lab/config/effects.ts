import { mix32 } from '../rng.ts';
import { KIND_TIMEOUT, SessionKind, type SessionTable } from '../session-table.ts';
import { portRange } from './schema.ts';
import { descend, findChild, type ConfigNode } from './tree.ts';

/**
 * Where the committed configuration shows in the flow table (seeds/flow-sessions-junos-ja.md):
 * aggressive session aging, the TCP handshake timeout, and the leaf-session timeout
 * of an application bound to a policy. Compiled once per commit into plain numbers the
 * renderers and the aging pass read.
 */

export interface AgingSettings {
  /** Sessions with fewer seconds left than this are aged out early. */
  readonly earlyAgeout: number;
  /** Percent of an SPU's session capacity above which aging starts. */
  readonly highWatermark: number;
  /** Percent at which it stops. */
  readonly lowWatermark: number;
}

export interface FlowSettings {
  /** `security flow tcp-session tcp-initial-timeout`, default 20. */
  readonly tcpInitialTimeout: number;
  /** `security flow aging`, when any of its statements is set; defaults 20 s, 100 %, 100 %. */
  readonly aging: AgingSettings | undefined;
  /** Accepted and shown in the configuration; the lab sends no packets for them to act on. */
  readonly rstInvalidateSession: boolean;
  readonly finInvalidateSession: boolean;
  /**
   * UDP destination port → inactivity-timeout of an application some policy matches on.
   * A leaf session keeps the higher of that and UDP's 60 s ('never' never times out).
   */
  readonly udpApplicationTimeouts: ReadonlyMap<number, number | 'never'>;
}

export const DEFAULT_TCP_INITIAL_TIMEOUT = 20;
const UDP_TIMEOUT = 60;
/** Port ranges wider than this are not expanded (the lab's sessions use a handful of ports). */
const MAX_RANGE = 4096;

export function flowSettings(root: ConfigNode): FlowSettings {
  const flow = descend(root, 'security', 'flow');
  const aging = flow && findChild(flow, 'aging');
  const tcp = flow && findChild(flow, 'tcp-session');
  const num = (n: ConfigNode | undefined, name: string) => {
    const v = n && findChild(n, name)?.value;
    return v === undefined ? undefined : Number(v);
  };
  const agingSet = aging !== undefined && (aging.children ?? []).length > 0;
  return {
    tcpInitialTimeout: num(tcp, 'tcp-initial-timeout') ?? DEFAULT_TCP_INITIAL_TIMEOUT,
    aging: agingSet
      ? { earlyAgeout: num(aging, 'early-ageout') ?? 20, highWatermark: num(aging, 'high-watermark') ?? 100, lowWatermark: num(aging, 'low-watermark') ?? 100 }
      : undefined,
    rstInvalidateSession: tcp !== undefined && findChild(tcp, 'rst-invalidate-session') !== undefined,
    finInvalidateSession: tcp !== undefined && findChild(tcp, 'fin-invalidate-session') !== undefined,
    udpApplicationTimeouts: udpApplicationTimeouts(root),
  };
}

function udpApplicationTimeouts(root: ConfigNode): Map<number, number | 'never'> {
  const used = new Set<string>();
  for (const pair of descend(root, 'security', 'policies')?.children ?? []) {
    for (const policy of pair.children ?? []) {
      for (const app of findChild(findChild(policy, 'match') ?? { name: '' }, 'application')?.values ?? []) used.add(app);
    }
  }
  const out = new Map<number, number | 'never'>();
  for (const app of descend(root, 'applications')?.children ?? []) {
    if (!used.has(app.keys?.[0] ?? '')) continue;
    const proto = findChild(app, 'protocol')?.value;
    if (proto !== 'udp' && proto !== '17') continue;
    const range = portRange(findChild(app, 'destination-port')?.value ?? '');
    if (!range || range.hi - range.lo >= MAX_RANGE) continue;
    const raw = findChild(app, 'inactivity-timeout')?.value;
    const timeout: number | 'never' = raw === undefined ? UDP_TIMEOUT : raw === 'never' ? 'never' : Number(raw);
    for (let p = range.lo; p <= range.hi; p++) {
      const prev = out.get(p);
      out.set(p, prev === 'never' || timeout === 'never' ? 'never' : Math.max(prev ?? 0, timeout));
    }
  }
  return out;
}

/** The hash every frozen per-session value is drawn from. */
export function sessionHash(id: number, salt: number): number {
  return mix32(id ^ salt);
}

/**
 * Seconds since the session started. Dead AH/ESP sessions are the old ones (hours to a
 * day), a handshake is seconds old, the rest are minutes old. Frozen: the lab's clock
 * does not move.
 */
export function sessionAge(kind: SessionKind, h: number): number {
  if (kind === SessionKind.ah || kind === SessionKind.esp) return 3600 + (h % 82800);
  if (kind === SessionKind.tcpInit) return h % KIND_TIMEOUT[SessionKind.tcpInit];
  return h % 1800;
}

/** The timeout the session was given, in seconds; 'N/A' for none (AH, ESP, never). */
export function configuredTimeout(kind: SessionKind, dstPort: number, settings: FlowSettings): number | 'N/A' {
  if (kind === SessionKind.tcpInit) return settings.tcpInitialTimeout;
  if (kind === SessionKind.udp) {
    const app = settings.udpApplicationTimeouts.get(dstPort);
    if (app === 'never') return 'N/A';
    if (app !== undefined) return Math.max(app, UDP_TIMEOUT);
  }
  const t = KIND_TIMEOUT[kind];
  return t === 0 ? 'N/A' : t;
}

/**
 * Seconds left before the session times out: its configured timeout less the time
 * since its last packet (taken against the kind's default timeout, so a default
 * configuration shows what it always did), never below 1.
 */
export function remainingTimeout(kind: SessionKind, age: number, configured: number | 'N/A'): number | 'N/A' {
  if (configured === 'N/A') return 'N/A';
  const base = KIND_TIMEOUT[kind] || configured;
  return Math.max(1, configured - (age % base));
}

/** What the aging pass needs of a device. */
export interface AgingView {
  readonly sessions: SessionTable;
  readonly salt: number;
  readonly maxSessionsPerSpu: number;
  readonly blockCount: number;
  blockRows(block: number): { start: number; end: number };
}

/**
 * Aggressive session aging on every SPU whose table is fuller than the high watermark:
 * sessions with less time left than early-ageout go, fewest seconds left first (then
 * in table order), until the SPU is down to the low watermark or none is left.
 * Tunnel sessions are never aged out. Returns the rows removed, per block.
 * Deterministic: the same table and settings always lose the same rows.
 */
export function ageAggressively(dev: AgingView, settings: FlowSettings): number[] {
  const aging = settings.aging;
  const removed: number[] = [];
  if (!aging) return removed;
  const t = dev.sessions;
  const max = dev.maxSessionsPerSpu;
  for (let b = 0; b < dev.blockCount; b++) {
    const { start, end } = dev.blockRows(b);
    let live = 0;
    for (let row = start; row < end; row++) live += t.alive[row];
    if (live * 100 <= aging.highWatermark * max) {
      removed.push(0);
      continue;
    }
    const floor = Math.floor((aging.lowWatermark * max) / 100);
    const candidates: { row: number; left: number }[] = [];
    for (let row = start; row < end; row++) {
      if (t.alive[row] === 0) continue;
      const kind = t.kind[row] as SessionKind;
      if (kind === SessionKind.tcpViaTunnel) continue;
      const left = remainingTimeout(kind, sessionAge(kind, sessionHash(t.id[row], dev.salt)), configuredTimeout(kind, t.dstPort[row], settings));
      if (left !== 'N/A' && left < aging.earlyAgeout) candidates.push({ row, left });
    }
    candidates.sort((x, y) => x.left - y.left || x.row - y.row);
    let n = 0;
    for (const c of candidates) {
      if (live <= floor) break;
      if (t.remove(c.row)) {
        live--;
        n++;
      }
    }
    removed.push(n);
  }
  return removed;
}
