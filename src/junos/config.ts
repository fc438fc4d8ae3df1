import type { XmlNode } from '../xml/node.ts';
import type { Extractor } from './extractor.ts';
import { escapeXml } from './rpc.ts';

/**
 * The Junos configuration RPCs a configuration change needs, as `configure exclusive`
 * does them: lock the candidate, load set-statements, read the `show | compare` diff,
 * `commit check`, `commit confirmed N`, the confirming commit, `rollback`, unlock.
 * These take attributes and free text, so they are built here rather than from the
 * operational catalog. Replies are read by the extractors below; `<rpc-error>`s inside
 * `<load-configuration-results>` or `<commit-results>` are taken by the transport.
 */
export const CONFIG_RPC = {
  lock: '<lock><target><candidate/></target></lock>',
  unlock: '<unlock><target><candidate/></target></unlock>',
  /** `show | compare` (candidate against rollback 0, the running configuration) as text. */
  compare: '<get-configuration compare="rollback" rollback="0" format="text"/>',
  commitCheck: '<commit-configuration><check/></commit-configuration>',
  /** The running configuration as text (`show configuration`, its `## Last commit` line first). */
  runningText: '<get-configuration database="committed" format="text"/>',
  /** The running configuration as set commands (`show configuration | display set`). */
  runningSet: '<get-configuration database="committed" format="set"/>',
  /** A small read whose `<configuration>` carries the junos:commit-* attributes of the running configuration. */
  commitStamp: '<get-configuration database="committed"><configuration><system><host-name/></system></configuration></get-configuration>',
} as const;

/** `load override terminal`: the candidate becomes exactly this text configuration. */
export function loadOverrideRpc(text: string): string {
  return `<load-configuration action="override" format="text"><configuration-text>${escapeXml(text)}</configuration-text></load-configuration>`;
}

/** `load set`: statements, one per line, into the candidate. */
export function loadSetRpc(statements: readonly string[]): string {
  return `<load-configuration action="set" format="text"><configuration-set>${escapeXml(statements.join('\n'))}</configuration-set></load-configuration>`;
}

/** `rollback N` into the candidate: 0 discards uncommitted changes, 1 is the configuration before the last commit. */
export function rollbackRpc(n: number): string {
  return `<load-configuration rollback="${Math.trunc(n)}"/>`;
}

/** `commit confirmed N comment "..."`: the device rolls back by itself unless confirmed within N minutes. */
export function commitConfirmedRpc(minutes: number, comment: string): string {
  return `<commit-configuration><confirmed/><confirm-timeout>${Math.trunc(minutes)}</confirm-timeout>${logElement(comment)}</commit-configuration>`;
}

/** A plain commit: it also confirms a pending `commit confirmed`. */
export function commitRpc(comment: string): string {
  return `<commit-configuration>${logElement(comment)}</commit-configuration>`;
}

function logElement(comment: string): string {
  return comment === '' ? '' : `<log>${escapeXml(comment)}</log>`;
}

/** What makes a line a configuration statement runbook will load: `set` or `delete`, one line. */
export const STATEMENT = /^(set|delete) [^\n\r;{}]+$/;

/** Why a statement cannot be loaded, or undefined when it can. */
export function checkStatement(line: string): string | undefined {
  if (/[\r\n]/.test(line)) return 'a statement is one line';
  if (!STATEMENT.test(line)) return `'${line}' is not a set or delete statement (set|delete <hierarchy> [value]; no ';', '{' or '}')`;
  return undefined;
}

/** The text of `<configuration-output>` (the compare diff) or `<configuration-text>` (a text configuration). */
export function configurationOutput(): Extractor<string> {
  let out = '';
  return {
    items: new Set(['configuration-output', 'configuration-text']),
    onElement(node: XmlNode) {
      out += node.text;
    },
    result: () => out,
  };
}

/** A diff as Junos prints it, without blank edges; '' when the candidate equals the running configuration. */
export function normaliseDiff(text: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/\s+$/, ''))
    .filter((l) => l !== '')
    .join('\n');
}

/** The text of `<configuration-set>` (get-configuration format="set"). */
export function configurationSet(): Extractor<string> {
  let out = '';
  return {
    items: new Set(['configuration-set']),
    onElement(node: XmlNode) {
      out += node.text;
    },
    result: () => out,
  };
}

/** When and by whom the configuration read was committed: the junos:commit-* attributes of `<configuration>`. */
export interface CommitStamp {
  readonly seconds?: number;
  readonly localtime?: string;
  readonly user?: string;
}

export function commitStamp(): Extractor<CommitStamp> {
  let out: CommitStamp = {};
  return {
    items: new Set(['configuration']),
    onElement(node: XmlNode) {
      const a = (name: string) => node.attrs[`junos:${name}`] ?? node.attrs[name];
      const seconds = Number(a('commit-seconds'));
      const localtime = a('commit-localtime');
      const user = a('commit-user');
      out = { ...(Number.isFinite(seconds) && a('commit-seconds') !== undefined ? { seconds } : {}), ...(localtime !== undefined ? { localtime } : {}), ...(user !== undefined ? { user } : {}) };
    },
    result: () => out,
  };
}

export interface CommitResult {
  /** Routing engines (re0, or node0/node1 on a cluster) that reported success. */
  readonly succeeded: readonly string[];
  /** Routing engines that answered without a success element. */
  readonly other: readonly string[];
}

/** `<commit-results>`: per routing engine, `<commit-success/>` or `<commit-check-success/>`. */
export function commitResults(): Extractor<CommitResult> {
  const succeeded: string[] = [];
  const other: string[] = [];
  return {
    items: new Set(['routing-engine']),
    onElement(node: XmlNode) {
      const name = node.children.find((c) => c.name === 'name')?.text.trim() ?? '';
      const ok = node.children.some((c) => c.name === 'commit-success' || c.name === 'commit-check-success');
      (ok ? succeeded : other).push(name);
    },
    result: () => ({ succeeded, other }),
  };
}

/** A configuration element as plain data: leaves as text (flags as true), repeated elements as lists. */
export type ConfigJson = string | true | { readonly [name: string]: ConfigJson | ConfigJson[] };

/** `<configuration>` (get-configuration as XML) as plain data, for `runbook rpc --format json`. */
export function configurationJson(): Extractor<ConfigJson | undefined> {
  let out: ConfigJson | undefined;
  return {
    items: new Set(['configuration']),
    onElement(node: XmlNode) {
      out = toJson(node);
    },
    result: () => out,
  };
}

function toJson(node: XmlNode): ConfigJson {
  if (node.children.length === 0) return node.text.trim() === '' ? true : node.text.trim();
  const out: Record<string, ConfigJson | ConfigJson[]> = {};
  for (const c of node.children) {
    const value = toJson(c);
    const prev = out[c.name];
    if (prev === undefined) out[c.name] = value;
    else out[c.name] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}
