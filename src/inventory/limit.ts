/**
 * Host selection: a playbook's `hosts:` pattern, narrowed by --limit, over an inventory,
 * with Ansible's semantics (host-pattern.ts). The result is in inventory order.
 *
 * A pattern that matches nothing is only a warning (Ansible's "Could not match supplied
 * host pattern"), so `--limit lab-srx-01,typo` still runs lab-srx-01; a selection that
 * ends up empty is a LimitError naming the patterns that matched nothing.
 */
import { readFileSync } from 'node:fs';
import { LimitError } from './errors.ts';
import { nameMatcher, orderPatterns, parsePattern, splitPatterns, type HostPattern } from './host-pattern.ts';
import type { Inventory, InventoryHost } from './types.ts';

export interface PatternWarning {
  /** The pattern as written, with its ! or & prefix. */
  readonly pattern: string;
  /** Whether it came from the playbook's `hosts:` or from --limit. */
  readonly from: 'hosts' | 'limit';
  readonly message: string;
}

export interface HostSelection {
  readonly hosts: InventoryHost[];
  readonly warnings: PatternWarning[];
}

/** The hosts `pattern` and `limit` select, in inventory order. Throws LimitError when none are. */
export function selectHosts(inv: Inventory, pattern: string, limit?: string): InventoryHost[] {
  return resolveSelection(inv, pattern, limit).hosts;
}

/**
 * As selectHosts, with a warning for each pattern that matched no host. `limit` may
 * name files as `@file`: each line of the file is a pattern (Ansible's retry files).
 */
export function resolveSelection(inv: Inventory, pattern: string, limit?: string): HostSelection {
  const warnings: PatternWarning[] = [];
  const unmatched: string[] = [];
  const evaluate = (patterns: readonly HostPattern[], from: 'hosts' | 'limit'): Set<string> =>
    evaluatePatterns(inv, patterns, (p) => {
      unmatched.push(p.text);
      warnings.push({ pattern: p.text, from, message: `${from === 'limit' ? '--limit ' : ''}'${p.text}' matched no host${p.kind === 'name' ? ' or group' : ''}` });
    });

  const selected = evaluate(parse(pattern, 'hosts'), 'hosts');
  if (limit !== undefined) {
    const subset = evaluate(parse(limit, 'limit'), 'limit');
    for (const h of selected) if (!subset.has(h)) selected.delete(h);
  }
  const hosts = inv.hosts.filter((h) => selected.has(h.name));
  if (hosts.length === 0) {
    const what = `hosts '${pattern}'${limit !== undefined ? ` with --limit '${limit}'` : ''}`;
    if (inv.hosts.length === 0) throw new LimitError(`no hosts selected: the inventory has no hosts`);
    if (unmatched.length > 0) {
      throw new LimitError(`no hosts selected by ${what}: ${unmatched.map((u) => `'${u}'`).join(', ')} matched nothing`, unmatched);
    }
    throw new LimitError(`no hosts selected: ${what} leaves none`);
  }
  return { hosts, warnings };
}

function parse(text: string, from: 'hosts' | 'limit'): HostPattern[] {
  const texts: string[] = [];
  for (const p of splitPatterns(text)) {
    if (from === 'limit' && p.startsWith('@')) texts.push(...limitFile(p.slice(1)));
    else texts.push(p);
  }
  if (texts.length === 0) throw new LimitError(from === 'limit' ? `--limit '${text}' names no hosts` : `host pattern '${text}' is empty`);
  return orderPatterns(texts.map(parsePattern));
}

function limitFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new LimitError(`--limit @${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(err)})`}`);
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** Applies ordered patterns; reports each one that matched no host. */
function evaluatePatterns(inv: Inventory, patterns: readonly HostPattern[], onUnmatched: (p: HostPattern) => void): Set<string> {
  let out = new Set<string>();
  for (const p of patterns) {
    const matched = matchOne(inv, p);
    if (matched.length === 0 && !(p.text === 'all' && p.op === 'union')) onUnmatched(p);
    if (p.op === 'union') for (const h of matched) out.add(h);
    else {
      const these = new Set(matched);
      out = new Set([...out].filter((h) => (p.op === 'intersect' ? these.has(h) : !these.has(h))));
    }
  }
  return out;
}

/** Host names one pattern stands for, groups first (Ansible's _enumerate_matches), then its subscript. */
function matchOne(inv: Inventory, p: HostPattern): string[] {
  // As in Ansible, a plain pattern that is a host's whole name is that host (before any
  // group of the same name, and even if the name has glob characters).
  if (p.op === 'union' && hasHost(inv, p.text)) return [p.text];
  let matched = enumerate(inv, p);
  if (p.subscript) {
    if (matched.length === 0) {
      // Ansible would read `lab-srx-0[1-3]` as a subscript of a group 'lab-srx-0' and find
      // nothing; when there is no such group or host the glob is surely what was meant.
      return enumerate(inv, { ...p, expr: p.text.replace(/^[!&]/, ''), kind: 'glob' });
    }
    matched = applySubscript(matched, p.subscript);
  }
  return matched;
}

function enumerate(inv: Inventory, p: HostPattern): string[] {
  let test: (name: string) => boolean;
  try {
    test = nameMatcher(p);
  } catch (err) {
    throw new LimitError(`host pattern '${p.text}': not a valid regular expression (${(err as Error).message})`);
  }
  const out = new Set<string>();
  let groupMatched = false;
  for (const [group, members] of inv.groups) {
    if (!test(group)) continue;
    groupMatched = true;
    for (const h of members) out.add(h);
  }
  // Hosts are looked at when no group matched, or always for globs and regexes (and names with a dot).
  if (!groupMatched || p.kind !== 'name' || p.expr.includes('.')) {
    for (const h of inv.hosts) if (test(h.name)) out.add(h.name);
  }
  return [...out];
}

function applySubscript(hosts: readonly string[], s: { readonly start: number; readonly end?: number }): string[] {
  if (s.end === undefined) {
    const h = hosts.at(s.start);
    return h === undefined ? [] : [h];
  }
  const end = s.end === -1 ? hosts.length - 1 : s.end;
  return hosts.slice(s.start, end + 1);
}

function hasHost(inv: Inventory, name: string): boolean {
  return inv.hosts.some((h) => h.name === name);
}
