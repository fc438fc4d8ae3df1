/**
 * Rolling batches, as Ansible's `serial` makes them. Pure: a plan is plain data, so the
 * same batches can be shown before a run and recorded in its result.
 */

/** One batch size: a host count, or a share of all targeted hosts such as "20%". */
export type SerialSize = number | `${number}%`;

/**
 * Hosts per batch. A list gives successive batch sizes and its last size repeats until
 * the hosts run out, so `[1, 5, '20%']` is a one-host canary, then five, then 20% at a time.
 */
export type SerialSpec = SerialSize | readonly SerialSize[];

/**
 * Splits hosts into batches, keeping their order. Ansible's rules, from
 * `PlaybookExecutor._get_serialized_batches` and `pct_to_int` (ansible/ansible,
 * lib/ansible/executor/playbook_executor.py and lib/ansible/utils/helpers.py):
 * - a percentage is of ALL targeted hosts, not of those left: `int(pct / 100 * total) or 1`,
 *   so it rounds down but is at least one host ("0%" is one host too);
 * - a size of 0 (Ansible's "no serial") puts every host left in one last batch;
 * - no serial, or an empty list, is one batch of every host; no hosts, no batches.
 * Unlike Ansible, which would take a negative number as "all", we refuse it: it is a typo.
 */
export function planBatches<T>(hosts: readonly T[], serial?: SerialSpec): T[][] {
  const sizes = serial === undefined ? [] : Array.isArray(serial) ? (serial as readonly SerialSize[]) : [serial as SerialSize];
  const counts = sizes.map((s) => hostCount(s, hosts.length));
  const batches: T[][] = [];
  let at = 0;
  for (let i = 0; at < hosts.length; i = Math.min(i + 1, counts.length - 1)) {
    const n = counts[i] ?? 0;
    const end = n <= 0 ? hosts.length : Math.min(hosts.length, at + n);
    batches.push(hosts.slice(at, end));
    at = end;
  }
  return batches;
}

/** One size as a host count out of `total` (0 means "all that are left"). */
export function hostCount(size: SerialSize, total: number): number {
  if (typeof size === 'number') {
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`serial: ${size} is not a whole number of hosts (0 or more)`);
    return size;
  }
  const m = /^(\d+)%$/.exec(size);
  // Ansible's pct_to_int does int() on the number before the "%": "12.5%" is an error there too.
  if (!m) throw new RangeError(`serial: "${size}" is not a whole percentage such as "20%"`);
  return Math.floor((Number(m[1]) / 100) * total) || 1;
}

/**
 * The command-line form: "5", "20%" or a comma-separated list such as "1,5,20%".
 * Validated here so a bad value is a usage error before any host is touched.
 */
export function parseSerial(text: string): SerialSpec {
  const parts = text.split(',').map((p) => p.trim());
  const sizes = parts.map((p): SerialSize => {
    if (/^\d+$/.test(p)) return Number(p);
    if (/^\d+%$/.test(p)) return p as `${number}%`;
    throw new RangeError(`serial: "${p}" is not a host count or a whole percentage such as "20%"`);
  });
  return sizes.length === 1 ? sizes[0]! : sizes;
}
