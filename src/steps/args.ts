import type { ArgTemplates } from '../playbook/types.ts';
import type { Scope } from './scope.ts';

/** The argument values an RPC call is built from: text, or true for a flag. */
export type RenderedArgs = Record<string, string | true>;

/**
 * Renders argument templates. `false`, null and an empty list leave the argument out,
 * `true` is a flag; anything else becomes text, which the RPC builder checks and escapes.
 */
export async function renderArgs(args: ArgTemplates, scope: Scope): Promise<RenderedArgs> {
  const out: RenderedArgs = {};
  for (const [name, template] of Object.entries(args)) {
    const value = await template.render(scope);
    if (value === false || value === null || value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    out[name] = value === true ? true : String(value);
  }
  return out;
}
