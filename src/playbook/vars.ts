import type { Playbook, VarSpec } from './types.ts';
import type { ExtraVar } from './extra-vars.ts';
import { coerceVarValue, valueProblem, type VarValue } from './var-rules.ts';
import { VarsError, type VarProblem } from './vars-error.ts';

export { parseExtraVars, type ExtraVar } from './extra-vars.ts';
export { VarsError, type VarProblem } from './vars-error.ts';
export type { VarValue } from './var-rules.ts';

export interface VarSources {
  /** The host's inventory vars; only the names the playbook declares are taken. */
  readonly inventory?: Readonly<Record<string, unknown>>;
  /** Where the host's vars were written ("inventory/lab.yml:12"), for messages. */
  readonly inventoryAt?: string;
  readonly extra: readonly ExtraVar[];
}

/**
 * The value of every declared var for one host: the default, replaced by the inventory's
 * host var, replaced by -e (the last -e of a name wins). Text is converted to the var's
 * type; every value must keep to the var's bounds, and -e values to its override bounds
 * too, as the on-box script checked its command-line arguments. Throws VarsError with
 * every problem.
 */
export function resolveVars(playbook: Playbook, sources: VarSources): Record<string, VarValue> {
  const problems: VarProblem[] = [];
  const declared = new Map(playbook.vars.map((v) => [v.name, v]));
  for (const extra of sources.extra) {
    if (!declared.has(extra.name)) {
      const names = [...declared.keys()].join(', ') || 'none';
      problems.push({ variable: extra.name, source: describeExtra(extra), rule: `the playbook declares no var '${extra.name}' (declared vars: ${names})` });
    }
  }
  const values: Record<string, VarValue> = {};
  for (const spec of playbook.vars) {
    let value: VarValue = spec.default;
    const inventory = sources.inventory;
    if (inventory && Object.hasOwn(inventory, spec.name)) {
      const source = `${sources.inventoryAt ?? 'inventory'}: host var ${spec.name}=${show(inventory[spec.name])}`;
      const checked = check(spec, inventory[spec.name], false);
      if ('problem' in checked) problems.push({ variable: spec.name, source, rule: checked.problem });
      else value = checked.value;
    }
    const extra = sources.extra.filter((e) => e.name === spec.name).at(-1);
    if (extra) {
      const checked = check(spec, extra.value, true);
      if ('problem' in checked) problems.push({ variable: spec.name, source: describeExtra(extra), rule: checked.problem });
      else value = checked.value;
    }
    values[spec.name] = value;
  }
  for (const spec of playbook.vars) {
    const limit = spec.lessThan === undefined ? undefined : values[spec.lessThan];
    const value = values[spec.name];
    if (typeof limit !== 'number' || typeof value !== 'number' || value < limit) continue;
    const given = [spec.name, spec.lessThan].filter((n) => sources.extra.some((e) => e.name === n) || (sources.inventory !== undefined && Object.hasOwn(sources.inventory, n ?? '')));
    problems.push({
      variable: spec.name,
      source: given.length > 0 ? `the values given for ${given.join(' and ')}` : 'the defaults',
      rule: `${spec.name} (${value}) must be less than ${spec.lessThan} (${limit})`,
    });
  }
  if (problems.length > 0) throw new VarsError(problems);
  return values;
}

function check(spec: VarSpec, raw: unknown, viaExtra: boolean): { value: VarValue } | { problem: string } {
  const coerced = coerceVarValue(spec.type, raw);
  if ('problem' in coerced) return coerced;
  const broken = valueProblem(spec, coerced.value, viaExtra);
  return broken ? { problem: broken } : { value: coerced.value };
}

/** "-e min_peer_sessions=40", or "-e @vars.yml: min_peer_sessions=40". */
function describeExtra(extra: ExtraVar): string {
  const pair = `${extra.name}=${show(extra.value)}`;
  return extra.origin === '-e' ? `-e ${pair}` : `${extra.origin}: ${pair}`;
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
}
