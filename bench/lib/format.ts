/** Small number formats for the bench tables. */

export function mb(bytes: number | undefined): string {
  if (bytes === undefined) return '';
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** RSS in MiB, as `ps` and `top` show it. */
export function rss(bytes: number | undefined): string {
  return bytes === undefined ? '' : `${Math.round(bytes / 2 ** 20)} MiB`;
}

export function seconds(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`;
}

export function rate(mbps: number | undefined): string {
  return mbps === undefined ? '' : mbps >= 100 ? mbps.toFixed(0) : mbps.toFixed(1);
}

export function times(r: number | undefined): string {
  return r === undefined ? '' : `${r.toFixed(r >= 10 ? 1 : 2)}×`;
}

export function count(n: number | undefined): string {
  return n === undefined ? '' : n.toLocaleString('en-US');
}

export function size(n: number): string {
  return n >= 1_000_000 && n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n);
}

/** A plain-text table: columns padded to their widest cell, numbers right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}
