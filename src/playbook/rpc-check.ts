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

/**
 * A clear with none of its narrowing arguments clears everything of its kind (Junos reads
 * `<clear-ipsec-security-association/>` as every IPsec SA): refused unless the action
 * states the wide form with `all: true`. Templated arguments are checked again once
 * rendered, when the plan is built; a literal false leaves an argument out.
 */
export function checkNarrowing(rpc: string, args: WrittenArgs, all: boolean, at: readonly PathSegment[], sink: IssueSink): void {
  const spec = rpcSpec(rpc);
  if (!spec) return;
  const narrowing = spec.narrowedBy;
  if (!narrowing) {
    if (all) sink.atValue([...at, 'all'], `all: true states the wide form of a clear; ${rpc} has none (it ${spec.changesState ? 'takes no narrowing argument' : 'only reads'})`);
    return;
  }
  const written = narrowing.args.filter((a) => Object.hasOwn(args, a) && args[a] !== false);
  if (all && written.length > 0) {
    sink.atValue([...at, 'all'], `all: true states the wide form of ${rpc} (it ${narrowing.wide}); it cannot go with ${written.join(', ')}, which narrow it`);
  } else if (!all && written.length === 0) {
    const none = narrowing.args.length > 0 ? `${rpc} has none of the arguments that narrow it (${narrowing.args.join(', ')}): sent like that it ${narrowing.wide}` : `${rpc} ${narrowing.wide}`;
    sink.atValue([...at, 'rpc'], `${none}. Give a narrowing argument, or state the wide form with all: true`);
  }
}
