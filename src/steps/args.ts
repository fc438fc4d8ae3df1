import { checkArgValue, rpcSpec } from '../junos/catalog.ts';
import { RpcBuildError } from '../junos/rpc.ts';
import type { Template } from '../expr/types.ts';
import type { ArgTemplates } from '../playbook/types.ts';
import type { Scope } from './scope.ts';

/** The argument values an RPC call is built from: text, or true for a flag. */
export type RenderedArgs = Record<string, string | true>;

/** The call whose arguments are rendered, for the catalog's say and for located errors. */
export interface ArgsCall {
  readonly rpc: string;
  /** The step's name. */
  readonly step: string;
}

/**
 * An argument that narrows a clear rendered to nothing usable. Leaving it out would send
 * the wide form (Junos clears every SA of its kind), so the host fails instead, saying
 * where the argument was written, in which step, and what it rendered to.
 */
export class UnnarrowedArgError extends RpcBuildError {
  constructor(call: ArgsCall, argument: string, template: Template, rendered: string) {
    super(call.rpc, argument, `${rendered}: it narrows ${call.rpc}, so it cannot be left out`);
    const at = template.at;
    this.message = `${at.file}:${at.line}:${at.column}: step '${call.step}': ${call.rpc} argument ${argument} ('${template.source}') ${rendered}: it narrows a state-changing RPC, so it cannot be left out (without it the RPC ${rpcSpec(call.rpc)?.narrowedBy?.wide ?? 'is wider than planned'})`;
  }
}

/**
 * Renders argument templates. `false`, null and an empty list leave the argument out,
 * `true` is a flag; anything else becomes text, which the RPC builder checks and escapes.
 * An argument that narrows a clear (catalog `narrowedBy`) is never dropped silently: only
 * a literal `false` leaves it out; null, empty or a value that is not text or a number
 * fails (UnnarrowedArgError).
 */
export async function renderArgs(args: ArgTemplates, scope: Scope, call: ArgsCall): Promise<RenderedArgs> {
  const narrowing = new Set(rpcSpec(call.rpc)?.narrowedBy?.args ?? []);
  const out: RenderedArgs = {};
  for (const [name, template] of Object.entries(args)) {
    const value = await template.render(scope);
    if (narrowing.has(name)) {
      if (value === false) continue;
      out[name] = narrowingValue(call, name, template, value);
      continue;
    }
    if (value === false || value === null || value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    out[name] = value === true ? true : String(value);
  }
  return out;
}

/** A narrowing argument's text: a non-empty string or a finite number of the argument's kind, nothing else. */
function narrowingValue(call: ArgsCall, name: string, template: Template, value: unknown): string {
  const text = typeof value === 'string' && value.trim() !== '' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
  if (text === undefined) throw new UnnarrowedArgError(call, name, template, `rendered ${describeValue(value)}`);
  const kind = rpcSpec(call.rpc)?.args[name]?.kind;
  const why = kind === undefined ? undefined : checkArgValue(kind, text);
  if (why !== undefined) throw new UnnarrowedArgError(call, name, template, `rendered ${JSON.stringify(text)}, and ${why}`);
  return text;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (undefined)';
  if (value === null) return 'null';
  if (typeof value === 'string') return `an empty string ${JSON.stringify(value)}`;
  if (Array.isArray(value)) return `a list (${JSON.stringify(value).slice(0, 80)})`;
  if (typeof value === 'object') return `an object (${JSON.stringify(value).slice(0, 80)})`;
  return `${typeof value} ${String(value)}`;
}
