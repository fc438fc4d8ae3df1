/**
 * Deterministic randomness for the lab. A simulated device is a pure function of its
 * scenario and seed, so a failing test or a benchmark can be replayed exactly; nothing
 * in the lab draws from Math.random.
 */

/** Scrambles a 32-bit integer (murmur3 finaliser): equal inputs give equal outputs. */
export function mix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** FNV-1a over a string, to turn labels into seeds. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A seed for one named part of a device. Parts draw from their own streams, so drawing
 * more numbers in one part (more tunnels, say) does not shift every value in the others.
 */
export function deriveSeed(seed: number, label: string): number {
  return mix32((seed >>> 0) ^ hashString(label));
}

/** mulberry32: small, fast and good enough for plausible-looking device data. */
export class Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** An integer in [min, max], both ends included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick: nothing to pick from');
    return items[Math.floor(this.next() * items.length)];
  }

  /** Fisher-Yates, in place; works on arrays and typed arrays alike. */
  shuffle<A extends { length: number; [index: number]: unknown }>(arr: A): A {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = arr[i];
      arr[i] = arr[j];
      arr[j] = t;
    }
    return arr;
  }

  /** An independent stream for a named part (see deriveSeed). */
  fork(label: string): Rng {
    return new Rng(deriveSeed(this.seed, label));
  }
}
