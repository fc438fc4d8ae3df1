import { recapOf, type HostResult, type RunResult } from '../engine/results.ts';
import type { Playbook, Step } from '../playbook/types.ts';
import { runAnalyze } from '../steps/analyze.ts';

/** Names a gate may read and still be decided before connecting: the inputs, not the device. */
const INPUT_NAMES = new Set(['vars', 'host']);

export interface InputGateHost {
  readonly name: string;
  readonly groups: readonly string[];
  readonly vars: Readonly<Record<string, string | number | boolean>>;
}

/**
 * The playbook's leading `require` gates that read only vars and the host's name and
 * groups (clear-sessions' "something to clear was asked for") decide nothing about the
 * device, so they are decided here, before anything connects. Returns, per host, the
 * gate's `otherwise` sentence where the inputs ask for nothing; hosts that pass are absent.
 * Pure, as analyze is.
 */
export async function inputGateStops(playbook: Playbook, hosts: readonly InputGateHost[]): Promise<Map<string, string>> {
  const gates = leadingInputGates(playbook.steps);
  const stops = new Map<string, string>();
  if (gates.length === 0) return stops;
  for (const h of hosts) {
    const scope = { vars: { ...h.vars }, host: { name: h.name, groups: [...h.groups] } };
    for (const gate of gates) {
      const outcome = await runAnalyze(gate, scope);
      if (outcome.kind === 'stop') {
        stops.set(h.name, outcome.reason);
        break;
      }
    }
  }
  return stops;
}

type RequireStep = Extract<Step, { kind: 'analyze'; mode: 'require' }>;

function leadingInputGates(steps: readonly Step[]): RequireStep[] {
  const gates: RequireStep[] = [];
  for (const step of steps) {
    if (step.kind !== 'analyze' || step.mode !== 'require' || step.when !== undefined) break;
    if (![...step.require.names, ...step.otherwise.names].every((n) => INPUT_NAMES.has(n))) break;
    gates.push(step);
  }
  return gates;
}

/**
 * The run that nothing-to-do stands for: every host skipped with its gate's sentence,
 * nothing contacted. Plain data, so the recap and the JSON report tell it as any run.
 */
export function inputsSkippedRun(playbook: Playbook, hosts: readonly (InputGateHost & { readonly dryRun: boolean })[], stops: ReadonlyMap<string, string>): RunResult {
  const now = new Date().toISOString();
  const results: HostResult[] = hosts.map((h) => ({
    host: h.name,
    status: 'skipped',
    reason: stops.get(h.name) ?? '',
    vars: h.vars,
    dryRun: h.dryRun,
    evidence: {},
    plan: [],
    actions: [],
    steps: [],
    log: [],
    startedAt: now,
    ms: 0,
  }));
  return {
    playbook: { file: playbook.file, name: playbook.name, sha256: playbook.sha256 },
    dryRun: hosts.every((h) => h.dryRun),
    startedAt: now,
    finishedAt: now,
    interrupted: false,
    hosts: results,
    notRun: [],
    recap: recapOf(results),
    batches: [hosts.map((h) => h.name)],
  };
}
