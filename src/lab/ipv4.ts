/**
 * IPv4 as unsigned 32-bit numbers: the session table stores addresses this way, so a
 * million sessions cost four bytes per address instead of a string each.
 */

export function formatIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function parseIpv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const o = [m[1], m[2], m[3], m[4]].map(Number);
  if (o.some((x) => x > 255)) return undefined;
  return ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
}

export interface Ipv4Prefix {
  readonly network: number;
  readonly mask: number;
}

/**
 * An address or address/length as a prefix. IPv6 input (which the catalog accepts) gives
 * 'ipv6': the lab's sessions are all IPv4, so such a filter simply matches nothing.
 */
export function parsePrefix(s: string): Ipv4Prefix | 'ipv6' | undefined {
  if (s.includes(':')) return 'ipv6';
  const [addr, len] = s.split('/');
  const a = parseIpv4(addr);
  if (a === undefined) return undefined;
  const bits = len === undefined ? 32 : Number(len);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { network: (a & mask) >>> 0, mask };
}

export function inPrefix(addr: number, p: Ipv4Prefix): boolean {
  return ((addr & p.mask) >>> 0) === p.network;
}
