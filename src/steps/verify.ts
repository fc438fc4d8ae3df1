import type { TableResult } from '../junos/table.ts';
import type { CheckResult } from '../contracts/checks.ts';
import type { LogEntry } from '../contracts/results.ts';
import type { ActStep, CollectStep } from '../playbook/types.ts';
import { runCollect } from './collect.ts';
import { extend, truthy, type Scope } from './scope.ts';
import type { StepContext } from './step-result.ts';

/** What a verify found. */
export interface VerifyOutcome {
  /** Why verify failed (a `verify_that` is false, a re-collect could not run), or nothing. */
  readonly problem?: string;
  /** Before and after counts of each re-collected table, by register name. */
  readonly counts: Readonly<Record<string, { before: number; after: number }>>;
  /** The re-collected tables by register name, and `before` with the tables they replace. */
  readonly bind: Readonly<Record<string, unknown>>;
  readonly log: readonly LogEntry[];
  /** The post checks' results, when they ran (every re-collect succeeded). */
  readonly checks?: readonly CheckResult[];
  /** The problem is the post checks' (every `verify_that` held). */
  readonly checkFailed?: boolean;
}

/**
 * An act step's verify, after acting: re-runs the collect steps its `verify` names and
 * checks `verify_that` over the fresh tables, the earlier ones under `before.NAME`.
 * The playbook's post checks run here too, over the tables they name, re-collected with
 * the verify's. Undefined when the step verifies and checks nothing. Never throws: a
 * verify that cannot run (the session broke, a collect failed) is a failed verify, with
 * what it found until then.
 */
export async function runVerify(step: ActStep, ctx: Pick<StepContext, 'scope' | 'session' | 'playbook' | 'phaseStart' | 'postChecks'>): Promise<VerifyOutcome | undefined> {
  const names = [...new Set([...step.verify, ...(ctx.postChecks?.tables ?? [])])];
  if (names.length === 0 && step.verifyThat.length === 0) return undefined;
  ctx.phaseStart('verify', `verify ${names.join(', ')}`.trim());
  const before = tableCounts(names, ctx.scope);
  const found = { counts: {} as Record<string, { before: number; after: number }>, bind: {} as Record<string, unknown>, log: [] as LogEntry[] };
  try {
    const earlier: Record<string, unknown> = {};
    for (const name of names) {
      const collect = ctx.playbook.steps.find((s): s is CollectStep => s.kind === 'collect' && s.register === name);
      if (!collect) continue;
      // Arguments see the tables re-collected before this one, as a playbook reads top to bottom.
      const after = await runCollect(collect, extend(ctx.scope, found.bind), ctx.session, () => undefined);
      found.counts[name] = { before: before[name] ?? 0, after: after.count };
      earlier[name] = ctx.scope[name];
      found.bind[name] = after;
      found.log.push({ level: 1, text: `verify ${name}: ${before[name] ?? 0} before, ${after.count} after`, step: step.name });
    }
    found.bind.before = earlier;
    const problem = await falseCheck(step, extend(ctx.scope, found.bind));
    if (!ctx.postChecks) return { ...found, ...(problem !== undefined ? { problem } : {}) };
    const checked = await ctx.postChecks.run(found.bind as Record<string, TableResult>);
    const checkProblem = problem === undefined ? checked.problem : undefined;
    return { ...found, checks: checked.results, ...(problem !== undefined ? { problem } : checkProblem !== undefined ? { problem: checkProblem, checkFailed: true } : {}) };
  } catch (err) {
    return { ...found, problem: `verify could not run: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** The first `verify_that` that is false, said as the reason verify failed. */
async function falseCheck(step: ActStep, scope: Scope): Promise<string | undefined> {
  for (const check of step.verifyThat) {
    if (!truthy(await check.test.evaluate(scope))) return `${check.text} is false`;
  }
  return undefined;
}

/** The count of each named table in scope, before acting. */
function tableCounts(names: readonly string[], scope: Scope): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of names) {
    const t = scope[name] as TableResult | undefined;
    if (t && typeof t.count === 'number') out[name] = t.count;
  }
  return out;
}
