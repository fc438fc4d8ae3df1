import type { CheckResult, CheckValue, ItemFailure } from './types.ts';

/** Items named in a one-line summary, at most; the rest are counted. */
const ITEMS_SAID = 3;

/** "peer=1.0.0.3: 73 records in pre, 0 in post [pre 73, post 0]": one failed item, its key, why and its figures. */
export function itemSentence(f: ItemFailure): string {
  const key = keyText(f.key);
  // delta's reason already says pre → post and the bound.
  const sides = f.bound === undefined ? (['pre', 'post'] as const).filter((s) => f[s] !== undefined).map((s) => `${s} ${showAll(f[s]!)}`) : [];
  return `${key || '(table)'}: ${f.reason}${sides.length > 0 ? ` [${sides.join(', ')}]` : ''}`;
}

/**
 * The failed checks in one sentence, for a host's failure message (a post check failing
 * in a run): "check 'no peer lost sessions' (pre → post): peer=1.0.0.3: 73 records in
 * pre, 0 in post [pre 73, post 0]". Undefined when every check passed.
 */
export function failedChecksSentence(results: readonly CheckResult[]): string | undefined {
  const failed = results.filter((r) => !r.passed);
  if (failed.length === 0) return undefined;
  return failed
    .map((r) => {
      const phase = r.phase === 'pre-post' ? 'pre → post' : r.phase;
      if (r.reason !== undefined) return `check '${r.name}' (${phase}): ${r.reason}`;
      const said = r.failures.slice(0, ITEMS_SAID).map(itemSentence);
      const more = r.failures.length > ITEMS_SAID ? `; and ${r.failures.length - ITEMS_SAID} more items` : '';
      return `check '${r.name}' (${phase}): ${said.join('; ')}${more}`;
    })
    .join('; ');
}

/** `peer=1.0.0.3`, `node=node0 spu=FPC0 PIC1`, or `#4` for the 4th record of a check without a key. */
export function keyText(key: Readonly<Record<string, CheckValue>>): string {
  return Object.entries(key)
    .map(([k, v]) => (k === '#' ? `#${show(v)}` : `${k}=${show(v)}`))
    .join(' ');
}

function showAll(v: CheckValue | readonly CheckValue[]): string {
  return Array.isArray(v) ? `[${v.map(show).join(', ')}]` : show(v as CheckValue);
}

function show(v: CheckValue): string {
  return v === null ? 'null' : String(v);
}
