/**
 * A host with `lab_scenario` and no `ansible_host` is a lab host: the engine starts a
 * simulated device for it in-process. The lab variables are turned into the request
 * here, and the scenario is resolved once so that overrides that cannot fit (too few
 * sessions for the peers, say) fail at load time, at the variable's line.
 */
import { ScenarioError } from '../lab/errors.ts';
import { faultFromName, type LabFaults } from '../lab/faults.ts';
import type { ScenarioOverrides } from '../lab/lab.ts';
import { DEFAULT_SEED, resolveScenario } from '../lab/scenarios.ts';
import type { LabHostRequest } from './types.ts';
import { numberOf } from './var-checks.ts';
import type { SourceSpan } from '../contracts/source-span.ts';

/** The scenario override each lab variable sets. */
const OVERRIDE_VARS = {
  ahSessions: 'lab_ah_sessions',
  peers: 'lab_peers',
  spus: 'lab_spus',
  cluster: 'lab_cluster',
} as const satisfies Record<keyof ScenarioOverrides, string>;

export function isLabHost(vars: Readonly<Record<string, unknown>>): boolean {
  return isSet(vars.lab_scenario) && !isSet(vars.ansible_host);
}

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/**
 * The lab request of a lab host whose lab variables each passed their own checks; a
 * located problem when the scenario rejects their combination.
 */
export function labRequest(
  vars: Readonly<Record<string, unknown>>,
  varsAt: Readonly<Record<string, SourceSpan>>,
): { request: LabHostRequest } | { problem: { at: SourceSpan; message: string } } {
  const scenario = String(vars.lab_scenario);
  const seed = isSet(vars.lab_seed) ? (numberOf(vars.lab_seed) ?? DEFAULT_SEED) : DEFAULT_SEED;
  const overrides: { -readonly [K in keyof ScenarioOverrides]: ScenarioOverrides[K] } = {};
  for (const [field, name] of Object.entries(OVERRIDE_VARS) as [keyof ScenarioOverrides, string][]) {
    const v = vars[name];
    if (!isSet(v)) continue;
    if (field === 'cluster') overrides.cluster = v === true;
    else overrides[field] = numberOf(v);
  }
  try {
    resolveScenario(scenario, { ...overrides, seed });
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    const culprit = err.field && err.field in OVERRIDE_VARS ? OVERRIDE_VARS[err.field as keyof typeof OVERRIDE_VARS] : undefined;
    const where = culprit && varsAt[culprit] ? culprit : 'lab_scenario';
    return { problem: { at: varsAt[where]!, message: `${where}: ${err.message}` } };
  }
  const faults = faultsOf(vars.lab_fault);
  return {
    request: {
      scenario,
      seed,
      overrides,
      ...(faults ? { faults } : {}),
      ...(vars.lab_base11 === true ? { base11: true } : {}),
    },
  };
}

function faultsOf(value: unknown): LabFaults | undefined {
  if (!isSet(value)) return undefined;
  const names = Array.isArray(value) ? (value as unknown[]) : [value];
  let faults: LabFaults = {};
  for (const n of names) faults = { ...faults, ...faultFromName(String(n)) };
  return faults;
}
