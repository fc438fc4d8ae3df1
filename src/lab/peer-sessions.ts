import type { Rng } from './rng.ts';
import type { PeerBand, ScenarioSpec } from './scenarios.ts';

/** AH session counts for a scenario's unpinned peers, with the band each came from. */
export interface UnpinnedCounts {
  readonly counts: Int32Array;
  readonly bands: readonly PeerBand[];
  /** Band of each peer, index into `bands`. */
  readonly bandOf: Uint8Array;
}

/**
 * Draws each unpinned peer's count from its band, then nudges counts within their
 * ranges until the AH total is exact: a scenario promises totals to the session.
 */
export function unpinnedCounts(spec: ScenarioSpec, rng: Rng): UnpinnedCounts {
  const n = spec.peerBands.reduce((s, b) => s + b.peers, 0);
  const counts = new Int32Array(n);
  const mins = new Int32Array(n);
  const maxs = new Int32Array(n);
  const bandOf = new Uint8Array(n);
  let k = 0;
  spec.peerBands.forEach((b, bi) => {
    for (let i = 0; i < b.peers; i++, k++) {
      const span = b.maxSessions - b.minSessions + 1;
      counts[k] = Math.min(b.maxSessions, b.minSessions + Math.floor(span * Math.pow(rng.next(), b.skew)));
      mins[k] = b.minSessions;
      maxs[k] = b.maxSessions;
      bandOf[k] = bi;
    }
  });
  const pinned = spec.pinnedPeers.reduce((s, p) => s + p.sessions, 0);
  fitTotal(counts, mins, maxs, spec.ahSessions - pinned, rng);
  return { counts, bands: spec.peerBands, bandOf };
}

/**
 * Moves counts toward `target` in even steps over the peers that still have room, in a
 * shuffled order so no peer is favoured. validateScenarioSpec has checked that the
 * target lies between the sums of the minimums and the maximums.
 */
export function fitTotal(counts: Int32Array, mins: Int32Array, maxs: Int32Array, target: number, rng: Rng): void {
  let diff = target - counts.reduce((s, c) => s + c, 0);
  const order = rng.shuffle(Int32Array.from(counts.keys()));
  while (diff !== 0) {
    const up = diff > 0;
    let movable = 0;
    for (const i of order) if (up ? counts[i] < maxs[i] : counts[i] > mins[i]) movable++;
    if (movable === 0) throw new RangeError(`fitTotal: cannot reach ${target} within the peers' ranges`);
    const step = Math.max(1, Math.floor(Math.abs(diff) / movable));
    for (const i of order) {
      if (diff === 0) break;
      const room = up ? maxs[i] - counts[i] : counts[i] - mins[i];
      const d = Math.min(room, step, Math.abs(diff));
      if (d <= 0) continue;
      counts[i] += up ? d : -d;
      diff += up ? -d : d;
    }
  }
}
