/**
 * Host keys as Ansible's YAML inventory reads them: `name`, `name:port`, `[v6addr]:port`,
 * and ranges `srx[01:20].example.net`, `db-[a:f]`, `srx[1:9:2]`, several per name
 * (ansible.plugins.inventory.expand_hostname_range, parse_address).
 */

export type HostKey = { readonly hosts: readonly string[]; readonly port?: number } | { readonly error: string };

/** More than this from one key is almost surely a typo (`[1:100000]` for `[1:100]`). */
const MAX_HOSTS_PER_KEY = 10_000;

const ASCII_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function expandHostKey(key: string): HostKey {
  const { name, port } = splitPort(key);
  if (port !== undefined && (port < 1 || port > 65535)) return { error: `port ${port} in '${key}' is not a port (1-65535)` };
  if (!name.includes('[')) return port === undefined ? { hosts: [name] } : { hosts: [name], port };
  const hosts: string[] = [];
  const error = expandRanges(name, hosts);
  if (error) return { error: `host range '${key}': ${error}` };
  return port === undefined ? { hosts } : { hosts, port };
}

function splitPort(key: string): { name: string; port?: number } {
  const v6 = /^\[([0-9A-Fa-f:.]+)\]:(\d+)$/.exec(key);
  if (v6 && (v6[1]!.match(/:/g) ?? []).length >= 2) return { name: v6[1]!, port: Number(v6[2]) };
  const m = /^(.+):(\d+)$/.exec(key);
  // A colon left outside brackets means an IPv6 address, whose last group is not a port.
  if (m && !m[1]!.replace(/\[[^\]]*\]/g, '').includes(':')) return { name: m[1]!, port: Number(m[2]) };
  return { name: key };
}

/** Expands the first `[...]` of `name`, then recurses for the others; returns a problem or undefined. */
function expandRanges(name: string, out: string[]): string | undefined {
  const open = name.indexOf('[');
  if (open < 0) {
    if (out.length >= MAX_HOSTS_PER_KEY) return `expands to more than ${MAX_HOSTS_PER_KEY} hosts`;
    out.push(name);
    return undefined;
  }
  const close = name.indexOf(']', open);
  if (close < 0) return "'[' without ']'";
  const head = name.slice(0, open);
  const tail = name.slice(close + 1);
  const items = rangeItems(name.slice(open + 1, close));
  if (typeof items === 'string') return items;
  for (const item of items) {
    // The tail may hold further ranges: they expand for each item of this one.
    const problem = expandRanges(head + item + tail, out);
    if (problem) return problem;
  }
  return undefined;
}

function rangeItems(spec: string): string[] | string {
  const bounds = spec.split(':');
  if (bounds.length !== 2 && bounds.length !== 3) return 'a range is [begin:end] or [begin:end:step]';
  const beg = bounds[0] || '0';
  const end = bounds[1]!;
  const stepText = bounds[2] ?? '1';
  if (!end) return 'a range needs an end';
  if (!/^\d+$/.test(stepText) || Number(stepText) < 1) return `step '${stepText}' is not a positive whole number`;
  const step = Number(stepText);
  const a = ASCII_LETTERS.indexOf(beg);
  const b = ASCII_LETTERS.indexOf(end);
  if (beg.length === 1 && end.length === 1 && a >= 0 && b >= 0) {
    if (a > b) return `'${beg}' comes after '${end}'`;
    const letters: string[] = [];
    for (let i = a; i <= b; i += step) letters.push(ASCII_LETTERS[i]!);
    return letters;
  }
  if (!/^\d+$/.test(beg) || !/^\d+$/.test(end)) return `'${spec}' is neither a number range nor a letter range`;
  // A leading zero asks for fixed-width numbers, so both ends must have that width.
  const width = beg.length > 1 && beg.startsWith('0') ? beg.length : 0;
  if (width && end.length !== width) return `'${beg}' and '${end}' must have the same number of digits`;
  const from = Number(beg);
  const to = Number(end);
  if (from > to) return `${beg} is more than ${end}`;
  if ((to - from) / step >= MAX_HOSTS_PER_KEY) return `expands to more than ${MAX_HOSTS_PER_KEY} hosts`;
  const numbers: string[] = [];
  for (let i = from; i <= to; i += step) numbers.push(width ? String(i).padStart(width, '0') : String(i));
  return numbers;
}
