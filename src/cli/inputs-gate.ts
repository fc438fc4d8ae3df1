import type { ChalkInstance } from 'chalk';
import { recapOf, type HostResult, type RunResult } from '../contracts/results.ts';
import { visible } from '../plan/visible.ts';
import type { Playbook, Step } from '../playbook/types.ts';
import type { RunIds } from '../contracts/run-ids.ts';
import { buildReport, writeReport } from '../report/json-report.ts';
import { runAnalyze } from '../steps/analyze.ts';
import { recapLines } from './render/results.ts';
import type { Targets } from './targets.ts';
import { version } from './version.ts';

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

/**
 * True, having said why, shown the recap and written the report, when every targeted
 * host's inputs ask for nothing: the run ends there (exit 7) and nothing is contacted.
 */
export async function nothingToDo(
  playbook: Playbook,
  targets: Targets,
  dryRunFor: (vars: Record<string, string | number | boolean>) => boolean,
  out: { readonly style: ChalkInstance; readonly report?: string; readonly limit?: string; readonly ids?: RunIds },
): Promise<boolean> {
  const hosts = targets.hosts.map((t) => ({ name: t.host.name, groups: t.host.groups, vars: t.vars, dryRun: dryRunFor(t.vars) }));
  const stops = await inputGateStops(playbook, hosts);
  if (stops.size === 0 || stops.size < hosts.length) return false;
  process.stdout.write(`nothing to do: ${visible([...new Set(stops.values())].join('; '))}. No host was contacted.\n`);
  const skipped = inputsSkippedRun(playbook, hosts, stops);
  process.stdout.write(recapLines(skipped, out.style).join('\n') + '\n');
  if (out.report) await writeReport(out.report, buildReport(skipped, { version, ...(out.ids ? { ids: out.ids } : {}), inventory: targets.inventory.files, ...(out.limit ? { limit: out.limit } : {}) }));
  return true;
}
