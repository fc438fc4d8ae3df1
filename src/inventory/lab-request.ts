/**
 * A host with `lab_scenario` and no `ansible_host` (nor `ansible_ssh_host`) is a lab host: the CLI starts a
 * simulated device for it in-process. Here its lab variables become a plain request;
 * the inventory knows nothing of the simulator (src/cli/lab-wiring.ts checks the names
 * and starts it).
 */
import type { SourceSpan } from '../contracts/source-span.ts';
import type { VarLayer } from './definitions.ts';
import type { LabHostRequest, LabOverrides } from './types.ts';
import { numberOf } from './var-checks.ts';

/** The seed when `lab_seed` is not set (the simulator's default too). */
const DEFAULT_SEED = 1;

/** The scenario override each lab variable sets. */
export const OVERRIDE_VARS = {
  ahSessions: 'lab_ah_sessions',
  peers: 'lab_peers',
  spus: 'lab_spus',
  cluster: 'lab_cluster',
} as const satisfies Record<keyof LabOverrides, string>;

export function isLabHost(vars: Readonly<Record<string, unknown>>): boolean {
  return isSet(vars.lab_scenario) && !isSet(vars.ansible_host) && !isSet(vars.ansible_ssh_host);
}

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** The lab request of a lab host whose lab variables each passed their own type checks. */
export function labRequest(vars: Readonly<Record<string, unknown>>, layers: readonly VarLayer[]): LabHostRequest {
  const seed = isSet(vars.lab_seed) ? (numberOf(vars.lab_seed) ?? DEFAULT_SEED) : DEFAULT_SEED;
  const overrides: { -readonly [K in keyof LabOverrides]: LabOverrides[K] } = {};
  for (const [field, name] of Object.entries(OVERRIDE_VARS) as [keyof LabOverrides, string][]) {
    const v = vars[name];
    if (!isSet(v)) continue;
    if (field === 'cluster') overrides.cluster = v === true;
    else overrides[field] = numberOf(v);
  }
  const faults = isSet(vars.lab_fault) ? (Array.isArray(vars.lab_fault) ? vars.lab_fault : [vars.lab_fault]).map(String) : undefined;
  return {
    scenario: String(vars.lab_scenario),
    seed,
    overrides,
    ...(faults ? { faults } : {}),
    ...(vars.lab_base11 === true ? { base11: true } : {}),
    at: valuesAt(layers),
  };
}

/** Where the winning value of each lab variable was written. */
function valuesAt(layers: readonly VarLayer[]): Record<string, SourceSpan> {
  const at: Record<string, SourceSpan> = {};
  for (const layer of layers) for (const [k, v] of layer) if (k.startsWith('lab_')) at[k] = v.valueAt ?? v.at;
  return at;
}
