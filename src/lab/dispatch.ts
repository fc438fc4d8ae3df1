import { rpcSpec } from '../junos/catalog.ts';
import type { XmlNode } from '../xml/node.ts';
import { handleConfigRpc } from './config/rpcs.ts';
import type { ConfigSession } from './config/store.ts';
import { SA_NODE, type DeviceState } from './device-state.ts';
import { compileFlowFilter, isEmptyFilter } from './flow-filter.ts';
import { syntaxError, unknownRpcError, type LabRpcError } from './lab-rpc-error.ts';
import { renderClearFlow } from './render/clear-flow.ts';
import { renderFlowSessions } from './render/flow-sessions.ts';
import { renderFlowSummary } from './render/flow-summary.ts';
import { renderIkeSas } from './render/ike-sa.ts';
import { renderIpsecSas } from './render/ipsec-sa.ts';
import { renderRpcError } from './render/rpc-error.ts';
import { renderSoftware } from './render/software.ts';
import { replyBody } from './render/xml.ts';
import { parseRpcArgs, resolveNodes, type RpcArgs } from './rpc-args.ts';

export { renderRpcError };
export type { LabRpcError };

/**
 * A device's answer to one RPC: the content to put inside `<rpc-reply>` (the server adds
 * the wrapper, namespaces and message-id), as lazily rendered chunks of about 64 KB,
 * or the rpc-errors to send instead.
 */
export type LabReply = { readonly kind: 'content'; readonly chunks: Iterable<string> } | { readonly kind: 'error'; readonly errors: readonly LabRpcError[] };

type Handler = (dev: DeviceState, args: RpcArgs) => LabReply;

/** The NETCONF session an RPC came on: who holds the configuration lock, who changed the candidate. */
export type LabSession = ConfigSession;

/** The session of callers that have none (unit tests calling handleRpc directly). */
export const DEFAULT_SESSION: LabSession = { id: 0, user: 'lab' };

/**
 * Answers one RPC. `rpc` is the element inside `<rpc>`, by local names. State changes
 * (the clears, commits, aging) happen here, before any chunk is read; reads render when
 * iterated. Every RPC is logged on the device, state-changing ones flagged.
 */
export function handleRpc(device: DeviceState, rpc: XmlNode, session: LabSession = DEFAULT_SESSION): LabReply {
  const config = handleConfigRpc(device, rpc, session);
  if (config) {
    device.record(rpc.name, config.args, config.changesState, config.outcome);
    return { kind: 'content', chunks: [config.body] };
  }
  const spec = rpcSpec(rpc.name);
  const handler = spec && Object.hasOwn(HANDLERS, spec.name) ? HANDLERS[spec.name] : undefined;
  if (!spec || !handler) {
    device.record(rpc.name, {}, false, 'error');
    return fail(unknownRpcError(rpc.name));
  }
  const parsed = parseRpcArgs(spec, rpc, device.spec.cluster);
  if ('error' in parsed) {
    device.record(spec.name, {}, spec.changesState, 'error');
    return fail(parsed.error);
  }
  const reply = handler(device, parsed.args);
  device.record(spec.name, parsed.args, spec.changesState, reply.kind === 'error' ? 'error' : 'ok');
  return reply;
}

/** All of a reply's errors as XML, for a LabBackend's `{ kind: 'error', xml }`. */
export function renderRpcErrors(errors: readonly LabRpcError[]): string {
  return errors.map(renderRpcError).join('');
}

function fail(error: LabRpcError): LabReply {
  return { kind: 'error', errors: [error] };
}

function content(render: () => Iterable<string>): LabReply {
  return { kind: 'content', chunks: replyBody(render) };
}

const NO_CONTENT: LabReply = { kind: 'content', chunks: [] };

function text(args: RpcArgs, name: string): string | undefined {
  const v = args[name];
  return typeof v === 'string' ? v : undefined;
}

function uint(args: RpcArgs, name: string): number | undefined {
  const v = text(args, name);
  return v === undefined ? undefined : Number(v);
}

const HANDLERS: Readonly<Record<string, Handler>> = {
  'get-flow-session-information': (dev, args) => {
    const filter = compileFlowFilter(args, dev.interfaces.names);
    if ('tag' in filter) return fail(filter);
    const nodes = resolveNodes(dev, args.node, dev.allNodes());
    if ('tag' in nodes) return fail(nodes);
    // Aggressive aging runs as the table is read, so what is shown is what it left.
    dev.ageSessions();
    // `extensive` is accepted but rendered as brief: the lab keeps one session shape.
    if (args.summary === true) return content(() => renderFlowSummary(dev, filter, !isEmptyFilter(filter), nodes));
    return content(() => renderFlowSessions(dev, filter, nodes));
  },

  'get-security-associations-information': (dev, args) => {
    // Without `node`, a cluster answers for the primary alone (ipsec-sa-brief-cluster-18.4.xml).
    const nodes = resolveNodes(dev, args.node, [SA_NODE]);
    if ('tag' in nodes) return fail(nodes);
    const sel = { index: uint(args, 'index'), vpnName: text(args, 'vpn-name') };
    return content(() => renderIpsecSas(dev, sel, nodes));
  },

  'get-ike-security-associations-information': (dev, args) => {
    const nodes = resolveNodes(dev, args.node, [SA_NODE]);
    if ('tag' in nodes) return fail(nodes);
    const sel = { peerAddress: text(args, 'peer-address'), index: uint(args, 'index') };
    return content(() => renderIkeSas(dev, sel, nodes));
  },

  'get-software-information': (dev) => content(() => renderSoftware(dev)),

  'clear-ike-security-association': (dev, args) => {
    const nodes = resolveNodes(dev, args.node, [SA_NODE]);
    if ('tag' in nodes) return fail(nodes);
    if (nodes.includes(SA_NODE)) dev.clearIkeSas({ peerAddress: text(args, 'peer-address'), index: uint(args, 'index') });
    return NO_CONTENT;
  },

  'clear-ipsec-security-association': (dev, args) => {
    const nodes = resolveNodes(dev, args.node, [SA_NODE]);
    if ('tag' in nodes) return fail(nodes);
    if (nodes.includes(SA_NODE)) dev.clearIpsecSas({ index: uint(args, 'index'), vpnName: text(args, 'vpn-name') });
    return NO_CONTENT;
  },

  'clear-flow-session': (dev, args) => {
    const filter = compileFlowFilter(args, dev.interfaces.names);
    if ('tag' in filter) return fail(filter);
    const nodes = resolveNodes(dev, args.node, dev.allNodes());
    if ('tag' in nodes) return fail(nodes);
    // No filter at all clears like `all`: everything but tunnel sessions.
    const keepTunnelSessions = args.all === true || isEmptyFilter(filter);
    const cleared = dev.clearFlowSessions(filter, nodes, keepTunnelSessions);
    return content(() => renderClearFlow(dev, nodes, cleared));
  },

  // Junos's own RPCs for `clear security flow session all` and `... session-identifier N`
  // (jkernel_usp_methods.pl: both answer <clear-flow-session-information>).
  'clear-flow-session-all': (dev, args) => {
    const nodes = resolveNodes(dev, args.node, dev.allNodes());
    if ('tag' in nodes) return fail(nodes);
    const cleared = dev.clearFlowSessions({}, nodes, true);
    return content(() => renderClearFlow(dev, nodes, cleared));
  },

  'clear-flow-session-by-session-identifier': (dev, args) => {
    const id = uint(args, 'session-identifier');
    if (id === undefined) return fail(syntaxError('session-identifier'));
    const nodes = resolveNodes(dev, args.node, dev.allNodes());
    if ('tag' in nodes) return fail(nodes);
    const cleared = dev.clearFlowSessions({ sessionId: id }, nodes, false);
    return content(() => renderClearFlow(dev, nodes, cleared));
  },
};
