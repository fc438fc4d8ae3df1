/**
 * Ansible's host pattern language, parsed (ansible.inventory.manager: split_host_pattern,
 * order_patterns, _split_subscript, _match_list). Used for a playbook's `hosts:` and
 * for --limit alike:
 *   all, *          every host
 *   name            a group, else a host
 *   srx-*, lab-0?   globs (fnmatch: * ? [seq] [!seq]), over groups and hosts
 *   ~srx-\d+        a regular expression, anchored at the start as Python's re.match
 *   a,b  a:b        union;  &x  intersect;  !x  exclude
 *   group[0] group[1:3] group[-1]   subscripts, the end included
 * Plain patterns are taken first, then each &, then each ! (whatever order they were
 * written in); with only & and ! patterns, the union starts from `all`.
 */
import { RE2JS } from 're2js';

export type PatternOp = 'union' | 'intersect' | 'exclude';

export interface HostPattern {
  /** As written, with its ! or & prefix. */
  readonly text: string;
  readonly op: PatternOp;
  /** The pattern without prefix and subscript. */
  readonly expr: string;
  readonly kind: 'name' | 'glob' | 'regex';
  /** [start, end] with the end included; end undefined for a single index. */
  readonly subscript?: { readonly start: number; readonly end?: number };
}

/** Commas separate patterns; without a comma, colons do (outside brackets), unless the whole is an IPv6 address. */
export function splitPatterns(text: string): string[] {
  if (text.includes(',')) return text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (isIpv6(text.trim())) return [text.trim()];
  return text.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? [];
}

/** An IPv6 address has `::` or all eight groups: `a:b:c` is three groups of hosts, not an address. */
function isIpv6(text: string): boolean {
  return /^[0-9A-Fa-f:.]+$/.test(text) && (text.includes('::') || (text.match(/:/g) ?? []).length === 7);
}

const SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)[:-]([0-9]*))\]$/;

export function parsePattern(text: string): HostPattern {
  const op: PatternOp = text.startsWith('!') ? 'exclude' : text.startsWith('&') ? 'intersect' : 'union';
  let expr = op === 'union' ? text : text.slice(1);
  if (expr.startsWith('~')) return { text, op, expr: expr.slice(1), kind: 'regex' };
  let subscript: HostPattern['subscript'];
  const m = SUBSCRIPT.exec(expr);
  if (m) {
    expr = m[1]!;
    subscript = m[2] !== undefined ? { start: Number(m[2]) } : { start: Number(m[3]), end: m[4] ? Number(m[4]) : -1 };
  }
  const kind = /[*?[]/.test(expr) ? 'glob' : 'name';
  return subscript ? { text, op, expr, kind, subscript } : { text, op, expr, kind };
}

/** Unions first, then intersections, then exclusions; `all` when there is no union. */
export function orderPatterns(patterns: readonly HostPattern[]): HostPattern[] {
  const union = patterns.filter((p) => p.op === 'union');
  return [
    ...(union.length > 0 ? union : [parsePattern('all')]),
    ...patterns.filter((p) => p.op === 'intersect'),
    ...patterns.filter((p) => p.op === 'exclude'),
  ];
}

/**
 * A test for group and host names; throws for a bad regular expression. A ~regex runs on
 * RE2 (linear time: `~(a+)+$` cannot backtrack for ever), so it has no lookaround or
 * backreferences.
 */
export function nameMatcher(p: HostPattern): (name: string) => boolean {
  if (p.kind === 'name') return (name) => name === p.expr;
  if (p.kind === 'regex') {
    const re2 = RE2JS.compile(RE2JS.translateRegExp(`^(?:${p.expr})`));
    return (name) => re2.matcher(name).find();
  }
  const re = new RegExp(`^(?:${globToRegExp(p.expr)})$`, 's');
  return (name) => re.test(name);
}

/** Python's fnmatch.translate: * ? [seq] [!seq], a lone [ is literal, case-sensitive. */
export function globToRegExp(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; ) {
    const c = glob[i++]!;
    if (c === '*') {
      if (!out.endsWith('.*')) out += '.*';
    } else if (c === '?') {
      out += '.';
    } else if (c === '[') {
      let j = i;
      if (glob[j] === '!') j++;
      if (glob[j] === ']') j++;
      while (j < glob.length && glob[j] !== ']') j++;
      if (j >= glob.length) {
        out += '\\[';
        continue;
      }
      let set = glob.slice(i, j).replace(/\\/g, '\\\\');
      i = j + 1;
      const negated = set.startsWith('!');
      if (negated) set = set.slice(1);
      set = set.replace(/[\]^[]/g, '\\$&');
      out += `[${negated ? '^' : ''}${set}]`;
    } else {
      out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return out;
}
