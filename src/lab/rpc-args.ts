import { checkArgValue, type RpcSpec } from '../junos/catalog.ts';
import type { XmlNode } from '../xml/node.ts';
import type { DeviceState } from './device-state.ts';
import { invalidValueError, syntaxError, type LabRpcError } from './lab-rpc-error.ts';

/** Arguments of one RPC call: a flag is `true`, anything else its trimmed text. */
export type RpcArgs = Readonly<Record<string, string | true>>;

/**
 * Reads an RPC's argument elements against the catalog, the same table the client's
 * RPC builder uses. Stops at the first problem, as Junos does, and names the element.
 * `node` exists only on chassis clusters.
 */
export function parseRpcArgs(spec: RpcSpec, rpc: XmlNode, cluster: boolean): { args: RpcArgs } | { error: LabRpcError } {
  const stray = rpc.text.trim();
  if (stray !== '') return { error: syntaxError(stray) };
  const args: Record<string, string | true> = {};
  for (const c of rpc.children) {
    const arg = Object.hasOwn(spec.args, c.name) ? spec.args[c.name] : undefined;
    if (!arg || (c.name === 'node' && !cluster) || Object.hasOwn(args, c.name) || c.children.length > 0) {
      return { error: syntaxError(c.name) };
    }
    const text = c.text.trim();
    const value: string | true = arg.kind === 'flag' && text === '' ? true : text;
    const problem = checkArgValue(arg.kind, value);
    if (problem !== undefined) return { error: invalidValueError(c.name, text, problem) };
    args[c.name] = value;
  }
  return { args };
}

/**
 * The nodes an RPC addresses. The lab's NETCONF session is with node0, which is also the
 * primary, so `local` and `primary` both mean node0.
 */
export function resolveNodes(dev: DeviceState, value: string | true | undefined, fallback: readonly number[]): readonly number[] | LabRpcError {
  if (value === undefined || value === true) return fallback;
  if (value === 'all') return dev.allNodes();
  if (value === 'local' || value === 'primary') return [0];
  const m = /^node(\d)$/.exec(value);
  const n = m ? Number(m[1]) : -1;
  if (n < 0 || n >= dev.nodeCount) return invalidValueError('node', value, `'${value}' is not a node of this cluster (node0, node1, all, local, primary)`);
  return [n];
}
