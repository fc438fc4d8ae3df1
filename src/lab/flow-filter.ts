import { inPrefix, parsePrefix, type Ipv4Prefix } from './ipv4.ts';
import { invalidValueError, type LabRpcError } from './lab-rpc-error.ts';
import { PROTOCOL_NUMBERS, applicationIndex, type SessionTable } from './session-table.ts';

/**
 * The session filters of `show/clear security flow session`, compiled once per RPC into
 * numbers the session table compares directly. A filter that can match nothing here
 * (an IPv6 prefix, an unknown application) is kept as 'none' rather than rejected,
 * as Junos accepts it and shows no sessions.
 */
export interface FlowFilter {
  readonly sessionId?: number;
  readonly protocol?: number;
  readonly source?: Ipv4Prefix | 'none';
  readonly destination?: Ipv4Prefix | 'none';
  readonly sourcePort?: number;
  readonly destinationPort?: number;
  /** Application index, or 'none' for a name no session carries. */
  readonly application?: number | 'none';
  /** Interface index (either wing), or 'none'. */
  readonly interface?: number | 'none';
}

/** The RPC arguments that narrow the sessions (node, summary and the view flags do not). */
export const FLOW_FILTER_ARGS = [
  'session-identifier',
  'protocol',
  'source-prefix',
  'destination-prefix',
  'source-port',
  'destination-port',
  'application',
  'interface',
] as const;

/** Compiles checked arguments (checkArgValue has passed) into a filter, or says which value is unusable. */
export function compileFlowFilter(args: Readonly<Record<string, string | true>>, interfaces: readonly string[]): FlowFilter | LabRpcError {
  const text = (name: string): string | undefined => {
    const v = args[name];
    return typeof v === 'string' ? v : undefined;
  };
  const f: { -readonly [K in keyof FlowFilter]: FlowFilter[K] } = {};
  const id = text('session-identifier');
  if (id !== undefined) f.sessionId = Number(id);
  const proto = text('protocol');
  if (proto !== undefined) {
    const n = /^\d+$/.test(proto) ? Number(proto) : Object.hasOwn(PROTOCOL_NUMBERS, proto) ? PROTOCOL_NUMBERS[proto] : undefined;
    if (n === undefined || n > 255) {
      return invalidValueError('protocol', proto, `'${proto}' is not a protocol (${Object.keys(PROTOCOL_NUMBERS).join(', ')} or 0-255)`);
    }
    f.protocol = n;
  }
  for (const [arg, key] of [
    ['source-prefix', 'source'],
    ['destination-prefix', 'destination'],
  ] as const) {
    const v = text(arg);
    if (v === undefined) continue;
    const p = parsePrefix(v);
    if (p === undefined) return invalidValueError(arg, v, `'${v}' is not an address or prefix`);
    f[key] = p === 'ipv6' ? 'none' : p;
  }
  const sp = text('source-port');
  if (sp !== undefined) f.sourcePort = Number(sp);
  const dp = text('destination-port');
  if (dp !== undefined) f.destinationPort = Number(dp);
  const app = text('application');
  if (app !== undefined) {
    const i = applicationIndex(app);
    f.application = i < 0 ? 'none' : i;
  }
  const ifName = text('interface');
  if (ifName !== undefined) {
    const i = interfaces.indexOf(ifName);
    f.interface = i < 0 ? 'none' : i;
  }
  return f;
}

export function isEmptyFilter(f: FlowFilter): boolean {
  return Object.keys(f).length === 0;
}

/** Whether a row matches; prefixes and ports are those of the In wing, the interface either wing's. */
export function sessionMatches(t: SessionTable, row: number, f: FlowFilter): boolean {
  if (f.sessionId !== undefined && t.id[row] !== f.sessionId) return false;
  if (f.protocol !== undefined && t.protocol[row] !== f.protocol) return false;
  if (f.source !== undefined && (f.source === 'none' || !inPrefix(t.src[row], f.source))) return false;
  if (f.destination !== undefined && (f.destination === 'none' || !inPrefix(t.dst[row], f.destination))) return false;
  if (f.sourcePort !== undefined && t.srcPort[row] !== f.sourcePort) return false;
  if (f.destinationPort !== undefined && t.dstPort[row] !== f.destinationPort) return false;
  if (f.application !== undefined && (f.application === 'none' || t.app[row] !== f.application)) return false;
  if (f.interface !== undefined && (f.interface === 'none' || (t.ifIn[row] !== f.interface && t.ifOut[row] !== f.interface))) return false;
  return true;
}
