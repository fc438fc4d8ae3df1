import { checkArgValue, RPCS, rpcSpec } from '../junos/catalog.ts';
import type { IssueSink } from './issues.ts';
import type { WrittenArgs } from './written.ts';
import type { PathSegment } from './yaml-source.ts';

/**
 * Checks an RPC call against the catalog: the RPC is known, its arguments exist, and
 * values written literally fit their kind. Templated values can only be checked once
 * rendered, when the plan is built.
 */
export function checkRpcCall(rpc: string, args: WrittenArgs, at: readonly PathSegment[], sink: IssueSink, use: 'collect' | 'action'): void {
  const spec = rpcSpec(rpc);
  if (!spec) {
    sink.atValue([...at, 'rpc'], `unknown RPC '${rpc}' (known: ${Object.keys(RPCS).join(', ')})`);
    return;
  }
  if (use === 'collect' && spec.changesState) {
    sink.atValue([...at, 'rpc'], `${rpc} changes device state: a collect step only reads, so state-changing RPCs belong in plan actions (which a dry run does not send)`);
  }
  for (const [name, value] of Object.entries(args)) {
    const argSpec = Object.hasOwn(spec.args, name) ? spec.args[name] : undefined;
    if (!argSpec) {
      sink.atKey([...at, 'args', name], `unknown argument '${name}' for ${rpc} (known: ${Object.keys(spec.args).join(', ')})`);
      continue;
    }
    if (value === false || (typeof value === 'string' && value.includes('{{'))) continue;
    const why = checkArgValue(argSpec.kind, value === true ? true : String(value));
    if (why !== undefined) sink.atValue([...at, 'args', name], `${name} ${why}`);
  }
}
