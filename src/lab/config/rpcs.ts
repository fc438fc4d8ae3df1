import { child as xmlChild, localName, type XmlNode } from '../../xml/node.ts';
import {
  renderCommitFailure,
  renderCommitInformation,
  renderCommitSuccess,
  renderConfigRpcError,
  renderConfigurationOutput,
  renderConfigurationSet,
  renderConfigurationXml,
  renderLoadResults,
} from '../render/config-replies.ts';
import { esc } from '../render/xml.ts';
import { compareConfigs } from './diff.ts';
import { clearAll, loadSetCommands, type LoadOutcome } from './edit.ts';
import { syntaxError, type ConfigRpcError } from './errors.ts';
import { filterConfig } from './filter.ts';
import { renderSet, renderText, renderXmlChildren } from './render.ts';
import { DEFAULT_CONFIRM_MINUTES, MAX_ROLLBACK, junosTime, type ConfigSession, type ConfigStore } from './store.ts';
import { loadText } from './text-load.ts';
import type { ConfigNode } from './tree.ts';
import { loadXml, type XmlLoadAction } from './xml-load.ts';

/** What the configuration RPCs need of a device. */
export interface ConfigDevice {
  readonly config: ConfigStore;
  readonly cluster: boolean;
  /** As `show version` prints it: the `version` statement of the configuration. */
  readonly junosVersion: string;
  /** The `reject-commit` fault: commits that would change the running configuration fail. */
  readonly rejectCommit: boolean;
}

/** A configuration RPC's answer: the content inside `<rpc-reply>`, and what to log. */
export interface ConfigAnswer {
  readonly body: string;
  readonly outcome: 'ok' | 'error';
  readonly args: Readonly<Record<string, string | true>>;
  /** Only commits that change the running configuration: a dry run (lock, load, compare, check, rollback 0, unlock) never sets it. */
  readonly changesState: boolean;
}

type Handler = (dev: ConfigDevice, rpc: XmlNode, s: ConfigSession) => ConfigAnswer;

const OK = '<ok/>\n';

/**
 * The Junos configuration RPCs the lab answers, by element name: NETCONF's lock,
 * unlock, discard-changes and commit, and Junos's load-configuration,
 * get-configuration, commit-configuration and get-commit-information (with the junoscript lock-configuration
 * and unlock-configuration aliases PyEZ sends).
 */
const HANDLERS: Readonly<Record<string, Handler>> = {
  lock: (dev, rpc, s) => lockOrUnlock(dev, rpc, s, 'lock'),
  'lock-configuration': (dev, rpc, s) => noArgs(rpc) ?? fromError(dev.config.lock(s), {}),
  unlock: (dev, rpc, s) => lockOrUnlock(dev, rpc, s, 'unlock'),
  'unlock-configuration': (dev, rpc, s) => noArgs(rpc) ?? fromError(dev.config.unlock(s), {}),
  'discard-changes': (dev, rpc, s) => noArgs(rpc) ?? fromError(dev.config.loadRollback(s, 0), {}),
  'load-configuration': loadConfiguration,
  'get-configuration': getConfiguration,
  'commit-configuration': commitConfiguration,
  commit: netconfCommit,
  // `show system commit`: the history with each commit's comment, read from the store the commits write.
  'get-commit-information': (dev, rpc) => noArgs(rpc) ?? { body: renderCommitInformation(dev.config.history, dev.config.confirmDeadline !== undefined), outcome: 'ok', args: {}, changesState: false },
};

export function isConfigRpc(name: string): boolean {
  return Object.hasOwn(HANDLERS, name);
}

/** Answers a configuration RPC; undefined when `rpc` is not one. */
export function handleConfigRpc(dev: ConfigDevice, rpc: XmlNode, s: ConfigSession): ConfigAnswer | undefined {
  if (!isConfigRpc(rpc.name)) return undefined;
  dev.config.touch(s);
  return HANDLERS[rpc.name](dev, rpc, s);
}

// --- helpers ----------------------------------------------------------------------------

function attrsOf(rpc: XmlNode): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(rpc.attrs)) if (!k.startsWith('xmlns')) out[localName(k)] = v;
  return out;
}

function fail(errors: readonly ConfigRpcError[], args: Readonly<Record<string, string | true>>, changesState = false): ConfigAnswer {
  return { body: errors.map(renderConfigRpcError).join(''), outcome: 'error', args, changesState };
}

function fromError(e: ConfigRpcError | undefined, args: Readonly<Record<string, string | true>>): ConfigAnswer {
  return e ? fail([e], args) : { body: OK, outcome: 'ok', args, changesState: false };
}

function noArgs(rpc: XmlNode): ConfigAnswer | undefined {
  const extra = rpc.children[0];
  return extra ? fail([syntaxError('[edit]', extra.name)], {}) : undefined;
}

function rollbackNumber(text: string | undefined): number | 'bad' | undefined {
  if (text === undefined) return undefined;
  return /^\d{1,2}$/.test(text) && Number(text) <= MAX_ROLLBACK ? Number(text) : 'bad';
}

function badValue(name: string, value: string, message: string): ConfigRpcError {
  return { severity: 'error', type: 'protocol', tag: 'operation-failed', message, badElement: value === '' ? name : value };
}

// --- lock / unlock ----------------------------------------------------------------------

function lockOrUnlock(dev: ConfigDevice, rpc: XmlNode, s: ConfigSession, op: 'lock' | 'unlock'): ConfigAnswer {
  const target = xmlChild(rpc, 'target');
  const db = target?.children[0];
  if (!target || rpc.children.length !== 1 || !db || target.children.length !== 1) {
    return fail([syntaxError('[edit]', rpc.children.find((c) => c.name !== 'target')?.name ?? 'target', 'syntax error, expecting <target>')], {});
  }
  const args = { target: db.name };
  // Junos locks the candidate only; <running/> is the datastore it does not let NETCONF lock.
  if (db.name !== 'candidate') return fail([{ severity: 'error', type: 'protocol', tag: 'operation-not-supported', message: `\n${op} of the ${db.name} database is not supported\n`, badElement: db.name }], args);
  return fromError(op === 'lock' ? dev.config.lock(s) : dev.config.unlock(s), args);
}

// --- load-configuration -----------------------------------------------------------------

const ACTIONS = new Set(['merge', 'replace', 'override', 'update', 'set']);
const FORMATS = new Set(['xml', 'text', 'set']);

function loadConfiguration(dev: ConfigDevice, rpc: XmlNode, s: ConfigSession): ConfigAnswer {
  const a = attrsOf(rpc);
  const args: Record<string, string | true> = {};
  for (const k of ['action', 'format', 'rollback', 'url']) if (a[k] !== undefined) args[k] = a[k];
  const loadFail = (e: ConfigRpcError) => ({ body: renderLoadResults([e], 1), outcome: 'error' as const, args, changesState: false });

  const rollback = rollbackNumber(a.rollback);
  if (rollback === 'bad') return loadFail(badValue('rollback', a.rollback ?? '', `\ninvalid rollback number: ${a.rollback}\n`));
  if (rollback !== undefined) {
    if (rpc.children.length > 0) return loadFail(syntaxError('[edit]', rpc.children[0].name));
    const e = dev.config.loadRollback(s, rollback);
    return e ? loadFail(e) : { body: renderLoadResults([], 0), outcome: 'ok', args, changesState: false };
  }
  if (a.url !== undefined) return loadFail({ severity: 'error', type: 'protocol', tag: 'operation-not-supported', message: '\nthe lab loads no files: send the configuration in the request\n', badElement: 'url' });

  const action = a.action ?? 'merge';
  if (!ACTIONS.has(action)) return loadFail(badValue('action', action, `\ninvalid action: ${action}\n`));
  const format = a.format ?? (action === 'set' ? 'text' : 'xml');
  if (!FORMATS.has(format)) return loadFail(badValue('format', format, `\ninvalid format: ${format}\n`));
  const wanted = action === 'set' || format === 'set' ? 'configuration-set' : format === 'text' ? 'configuration-text' : 'configuration';
  const body = rpc.children[0];
  if (!body || rpc.children.length > 1 || body.name !== wanted) {
    // What Junos says when the body does not match the format (py-junos-eznc#499).
    return loadFail({ severity: 'error', type: 'protocol', tag: 'operation-failed', message: `\ninternal communications error (tag '${body?.name ?? ''}') expecting <${wanted}>\n` });
  }

  const apply = (tree: ConfigNode): LoadOutcome => {
    if (action === 'override') clearAll(tree);
    if (wanted === 'configuration-set') return loadSetCommands(tree, body.text);
    if (wanted === 'configuration-text') return loadText(tree, body.text);
    return loadXml(tree, body, action as XmlLoadAction);
  };
  const r = dev.config.load(s, apply);
  if (!('diagnostics' in r)) return loadFail(r);
  return { body: renderLoadResults(r.diagnostics, r.failed), outcome: r.failed > 0 ? 'error' : 'ok', args, changesState: false };
}

// --- get-configuration ------------------------------------------------------------------

function getConfiguration(dev: ConfigDevice, rpc: XmlNode): ConfigAnswer {
  const a = attrsOf(rpc);
  const args: Record<string, string | true> = {};
  for (const [k, v] of Object.entries(a)) args[k] = v;
  const store = dev.config;

  const database = a.database ?? 'candidate';
  if (database !== 'candidate' && database !== 'committed') return fail([badValue('database', database, `\ninvalid database: ${database}\n`)], args);
  const format = a.format ?? 'xml';
  if (!FORMATS.has(format)) return fail([badValue('format', format, `\ninvalid format: ${format}\n`)], args);
  if (a.compare !== undefined && a.compare !== 'rollback') return fail([badValue('compare', a.compare, `\ninvalid compare: ${a.compare}\n`)], args);
  const rollback = rollbackNumber(a.rollback);
  if (rollback === 'bad') return fail([badValue('rollback', a.rollback ?? '', `\ninvalid rollback number: ${a.rollback}\n`)], args);
  const filterEl = rpc.children[0];
  if (filterEl && (filterEl.name !== 'configuration' || rpc.children.length > 1)) return fail([syntaxError('[edit]', filterEl.name)], args);

  const narrow = (tree: ConfigNode): ConfigNode | ConfigRpcError => {
    if (!filterEl) return tree;
    const f = filterConfig(tree, filterEl);
    return 'tree' in f ? f.tree : f.error;
  };
  const missing = (n: number): ConfigRpcError => badValue('rollback', String(n), `\nrollback ${n} does not exist (the device holds 0 to ${store.history.length - 1})\n`);

  if (a.compare === 'rollback') {
    const n = rollback ?? 0;
    const base = store.rollback(n);
    if (!base) return fail([missing(n)], args);
    const [from, to] = [narrow(base.config), narrow(database === 'committed' ? store.running : store.candidate)];
    if (!('name' in from)) return fail([from], args);
    if (!('name' in to)) return fail([to], args);
    return { body: renderConfigurationOutput(compareConfigs(from, to)), outcome: 'ok', args, changesState: false };
  }

  const commit = rollback !== undefined ? store.rollback(rollback) : store.rollback(0);
  if (!commit) return fail([missing(rollback ?? 0)], args);
  const candidate = rollback === undefined && database === 'candidate';
  const tree = narrow(candidate ? store.candidate : commit.config);
  if (!('name' in tree)) return fail([tree], args);
  const whole = !filterEl;

  if (format === 'text') {
    const header = whole
      ? (candidate ? `## Last changed: ${junosTime(store.candidateChangedSeconds)}\n` : `## Last commit: ${junosTime(commit.seconds)} by ${commit.user}\n`) + `version ${dev.junosVersion};\n`
      : '';
    return { body: `<configuration-text>\n${esc(header + renderText(tree))}</configuration-text>\n`, outcome: 'ok', args, changesState: false };
  }
  if (format === 'set') {
    const lines = [...(whole ? [`set version ${dev.junosVersion}`] : []), ...renderSet(tree)];
    return { body: renderConfigurationSet(lines), outcome: 'ok', args, changesState: false };
  }
  const attrs: Record<string, string | number> = {
    ...(candidate ? { 'junos:changed-seconds': store.candidateChangedSeconds, 'junos:changed-localtime': junosTime(store.candidateChangedSeconds) } : {}),
    'junos:commit-seconds': commit.seconds,
    'junos:commit-localtime': junosTime(commit.seconds),
    'junos:commit-user': commit.user,
  };
  const body = (whole ? `    <version>${esc(dev.junosVersion)}</version>\n` : '') + renderXmlChildren(tree, 1);
  return { body: renderConfigurationXml(attrs, body), outcome: 'ok', args, changesState: false };
}

// --- commits ----------------------------------------------------------------------------

/** What a commit-configuration or NETCONF commit asked for. */
interface CommitRequest {
  readonly check: boolean;
  readonly confirmMinutes?: number;
  readonly log?: string;
}

const COMMIT_CHILDREN = new Set(['check', 'confirmed', 'confirm-timeout', 'log', 'synchronize', 'force-synchronize', 'full']);

function commitConfiguration(dev: ConfigDevice, rpc: XmlNode, s: ConfigSession): ConfigAnswer {
  const args: Record<string, string | true> = {};
  // A refused commit still counts as an attempt to change the device; a refused check does not.
  const attempt = !rpc.children.some((c) => c.name === 'check');
  for (const c of rpc.children) {
    if (!COMMIT_CHILDREN.has(c.name) || Object.hasOwn(args, c.name)) return fail([syntaxError('[edit]', c.name)], args, attempt);
    args[c.name] = c.text.trim() === '' ? true : c.text.trim();
  }
  const check = args.check === true;
  const confirmed = args.confirmed === true;
  const timeout = args['confirm-timeout'];
  if (args.check !== undefined && args.check !== true) return fail([syntaxError('[edit]', 'check')], args);
  if (timeout !== undefined && (!confirmed || typeof timeout !== 'string' || !/^\d{1,5}$/.test(timeout) || Number(timeout) < 1 || Number(timeout) > 65535)) {
    return fail([badValue('confirm-timeout', typeof timeout === 'string' ? timeout : '', confirmed ? `\nValue ${String(timeout)} is not within range (1..65535)\n` : '\nconfirm-timeout needs <confirmed/>\n')], args, attempt);
  }
  if (check && confirmed) return fail([syntaxError('[edit]', 'confirmed')], args);
  const log = typeof args.log === 'string' ? args.log : undefined;
  const req: CommitRequest = { check, ...(confirmed ? { confirmMinutes: timeout === undefined ? DEFAULT_CONFIRM_MINUTES : Number(timeout) } : {}), ...(log !== undefined ? { log } : {}) };
  const r = runCommit(dev, s, req);
  if (r.ok) return { body: renderCommitSuccess({ cluster: dev.cluster }, check), outcome: 'ok', args, changesState: !check };
  // Another session's lock stops a commit before any checking: no commit-results then.
  if (r.errors.some((e) => e.tag === 'lock-denied')) return fail(r.errors, args, !check);
  return { body: renderCommitFailure(r.errors), outcome: 'error', args, changesState: !check };
}

/** NETCONF's `<commit/>` (`<confirmed/>`, `<confirm-timeout>` in seconds): `<ok/>` or the rpc-errors. */
function netconfCommit(dev: ConfigDevice, rpc: XmlNode, s: ConfigSession): ConfigAnswer {
  const args: Record<string, string | true> = {};
  for (const c of rpc.children) {
    if (!['confirmed', 'confirm-timeout'].includes(c.name) || Object.hasOwn(args, c.name)) return fail([syntaxError('[edit]', c.name)], args, true);
    args[c.name] = c.text.trim() === '' ? true : c.text.trim();
  }
  const seconds = args['confirm-timeout'];
  if (seconds !== undefined && (typeof seconds !== 'string' || !/^\d{1,9}$/.test(seconds) || Number(seconds) < 1)) return fail([badValue('confirm-timeout', String(seconds), '\ninvalid confirm-timeout\n')], args, true);
  const confirmMinutes = args.confirmed === true ? (seconds === undefined ? DEFAULT_CONFIRM_MINUTES : Math.max(1, Math.ceil(Number(seconds) / 60))) : undefined;
  const r = runCommit(dev, s, { check: false, ...(confirmMinutes !== undefined ? { confirmMinutes } : {}) });
  return r.ok ? { body: OK, outcome: 'ok', args, changesState: true } : fail(r.errors, args, true);
}

function runCommit(dev: ConfigDevice, s: ConfigSession, req: CommitRequest): { ok: true } | { ok: false; errors: ConfigRpcError[] } {
  if (req.check) {
    const errors = dev.config.check();
    return errors.length > 0 ? { ok: false, errors } : { ok: true };
  }
  if (dev.rejectCommit) return { ok: false, errors: [REJECTED] };
  const errors = dev.config.commit(s, { ...(req.confirmMinutes !== undefined ? { confirmMinutes: req.confirmMinutes } : {}), ...(req.log !== undefined ? { log: req.log } : {}) });
  return errors.length > 0 ? { ok: false, errors } : { ok: true };
}

/**
 * The `reject-commit` fault: a daemon refuses the configuration at commit time, as
 * flowd or dcd do (commit-results-xnm-error.xml has dcd's), after the check passed.
 */
const REJECTED: ConfigRpcError = {
  severity: 'error',
  type: 'application',
  tag: 'operation-failed',
  path: '[edit security]',
  message: 'flowd: configuration rejected by the daemon (lab fault reject-commit)',
  badElement: 'security',
};
