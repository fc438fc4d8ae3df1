import { FailureError } from '../contracts/failure.ts';
import { checkArgValue, rpcSpec, wideEffect } from './catalog.ts';

/**
 * Builds the XML of one Junos RPC from a name and arguments that may come from a
 * playbook, a command line or a device reply. Nothing in them can add markup: names
 * must be plain XML names, values are escaped, and characters XML cannot carry at all
 * are refused (escaping cannot make them safe).
 */

export type RpcArgValue = string | number | boolean;
export type RpcArgs = Readonly<Record<string, RpcArgValue>>;

/** An RPC could not be built: which RPC, which argument (if one is at fault) and why. */
export class RpcBuildError extends FailureError {
  override readonly name = 'RpcBuildError';
  readonly kind = 'bad-argument';
  constructor(
    readonly rpc: string,
    readonly argument: string | undefined,
    readonly reason: string,
  ) {
    super(argument === undefined ? `rpc ${JSON.stringify(rpc)}: ${reason}` : `rpc ${JSON.stringify(rpc)}: argument ${JSON.stringify(argument)}: ${reason}`);
  }
}

/**
 * Conservative XML name: no colon (a prefix would need a namespace declaration we do
 * not send), no leading digit, dot or hyphen, nothing outside ASCII.
 */
const XML_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** Anything outside the XML 1.0 Char production (control characters, lone surrogates, U+FFFE/F). */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function isXmlName(name: string): boolean {
  // Names starting with "xml" are reserved by the XML specification.
  return XML_NAME.test(name) && !/^xml/i.test(name);
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}
const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export interface BuildOptions {
  /** The caller states the wide form: a clear with none of its narrowing arguments may be built. */
  readonly wide?: boolean;
}

/**
 * `<name><arg>value</arg><flag/></name>`. A `true` argument is a flag element, `false`
 * leaves the argument out. Catalogued RPCs only take their known arguments, each checked
 * against its kind; RPCs the catalog does not know are sent as given (raw RPCs) once
 * their names and values are safe. A clear with none of the arguments that narrow it is
 * refused unless `wide` is stated: Junos would clear everything of its kind.
 */
export function buildRpc(name: string, args: RpcArgs = {}, options: BuildOptions = {}): string {
  if (!isXmlName(name)) throw new RpcBuildError(name, undefined, 'is not a valid RPC element name');
  const spec = rpcSpec(name);
  let body = '';
  for (const [arg, raw] of Object.entries(args)) {
    if (!isXmlName(arg)) throw new RpcBuildError(name, arg, 'is not a valid argument element name');
    // Object.hasOwn: "constructor" or "__proto__" must not find Object.prototype members.
    const argSpec = spec && Object.hasOwn(spec.args, arg) ? spec.args[arg] : undefined;
    if (spec && !argSpec) {
      throw new RpcBuildError(name, arg, `unknown argument; known: ${Object.keys(spec.args).join(', ')}`);
    }
    if (raw === false) continue;
    const value = argValue(name, arg, raw);
    if (argSpec) {
      const why = checkArgValue(argSpec.kind, value);
      if (why !== undefined) throw new RpcBuildError(name, arg, why);
    }
    body += value === true || value === '' ? `<${arg}/>` : `<${arg}>${escapeXml(value)}</${arg}>`;
  }
  const wide = wideEffect(name, args);
  if (wide !== undefined && options.wide !== true) throw new RpcBuildError(name, undefined, unnarrowedReason(name, wide));
  return body ? `<${name}>${body}</${name}>` : `<${name}/>`;
}

/** Why a clear with no narrowing argument is refused. */
export function unnarrowedReason(name: string, wide: string): string {
  const narrowing = rpcSpec(name)?.narrowedBy?.args ?? [];
  const none = narrowing.length > 0 ? `has none of the arguments that narrow it (${narrowing.join(', ')}); sent like that it ${wide}` : `${wide}`;
  return `${none}. It is sent only when the wide form is stated explicitly (all: true on a plan action, --wide for runbook rpc)`;
}

function argValue(rpc: string, arg: string, raw: true | string | number): true | string {
  if (raw === true) return true;
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw new RpcBuildError(rpc, arg, `${raw} is not a finite number`);
    return String(raw);
  }
  if (NOT_XML_CHAR.test(raw)) throw new RpcBuildError(rpc, arg, 'value contains a character XML cannot carry');
  return raw;
}

/**
 * CLI arguments `k=v` (a value) and bare `k` (a flag) into the record buildRpc and
 * cliForm take. Only the first `=` splits, so values may contain `=`. `rpc` names the
 * RPC in errors.
 */
export function parseArgs(list: readonly string[], rpc = ''): Record<string, string | true> {
  const entries: [string, string | true][] = [];
  const seen = new Set<string>();
  for (const item of list) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const value: string | true = eq < 0 ? true : item.slice(eq + 1);
    if (!isXmlName(key)) throw new RpcBuildError(rpc, key, `is not a valid argument name (in ${JSON.stringify(item)})`);
    if (seen.has(key)) throw new RpcBuildError(rpc, key, 'is given more than once');
    seen.add(key);
    entries.push([key, value]);
  }
  // fromEntries defines own properties, so even "__proto__" stays an ordinary key.
  return Object.fromEntries(entries);
}
