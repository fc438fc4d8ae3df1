import { listReference } from '../playbook/name-scope.ts';
import type { AnalyzeStep, PipelineOp } from '../playbook/types.ts';
import { asList, extend, truthy, type Scope } from './scope.ts';
import type { StepContext, StepResult } from './step-result.ts';

export type Row = Record<string, unknown>;

/** Every outcome carries the step's evidence: a stop records what it was decided on. */
export type AnalyzeOutcome = (
  | { readonly kind: 'rows'; readonly rows: Row[] }
  | { readonly kind: 'pass' }
  | { readonly kind: 'stop'; readonly reason: string }
) & { readonly evidence: Readonly<Record<string, unknown>> };

/** Pure: the step's result from the data in scope, with no I/O. */
export async function runAnalyze(step: AnalyzeStep, scope: Scope): Promise<AnalyzeOutcome> {
  if (step.mode === 'require') {
    const evidence = await evaluateEvidence(step.evidence, scope);
    if (truthy(await step.require.evaluate(scope))) return { kind: 'pass', evidence };
    return { kind: 'stop', reason: String(await step.otherwise.render(scope)), evidence };
  }
  let rows = (direct(step.from.source, scope) ?? asList(await step.from.evaluate(scope))).map((r) => (isRow(r) ? r : { value: r }));
  for (const op of step.pipeline) rows = await applyOp(op, rows, scope);
  const evidence = await evaluateEvidence(step.evidence, step.register !== undefined ? extend(scope, { [step.register]: rows }) : scope);
  return { kind: 'rows', rows, evidence };
}

/** An expression that gives nothing (JSONata's undefined) records nothing. */
async function evaluateEvidence(exprs: AnalyzeStep['evidence'], scope: Scope): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, expr] of Object.entries(exprs)) {
    const value = await expr.evaluate(scope);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** The analyze step: its rows registered, or (a `require` not met) the host ends here, skipped. */
export async function analyzeStep(step: AnalyzeStep, ctx: Pick<StepContext, 'scope'>): Promise<StepResult> {
  const r = await runAnalyze(step, ctx.scope);
  // The evidence is recorded whatever the step decides: a host skipped here keeps the figures it was skipped on.
  const evidence = r.evidence;
  if (r.kind === 'stop') return { status: 'done', evidence, stop: { reason: r.reason }, log: [{ level: 1, text: `skipped: ${r.reason}`, step: step.name }] };
  if (r.kind === 'pass') return { status: 'done', evidence, log: [] };
  return { status: 'done', count: r.rows.length, evidence, ...(step.register ? { bind: { [step.register]: r.rows } } : {}), log: [] };
}

async function applyOp(op: PipelineOp, rows: Row[], scope: Scope): Promise<Row[]> {
  switch (op.op) {
    case 'filter': {
      const kept: Row[] = [];
      for (const row of rows) if (truthy(await op.test.evaluate(extend(scope, row)))) kept.push(row);
      return kept;
    }
    case 'count_by': {
      // A Map keeps first-appearance order, which breaks ties in a later stable sort.
      const counts = new Map<unknown, number>();
      for (const row of rows) counts.set(row[op.field], (counts.get(row[op.field]) ?? 0) + 1);
      return [...counts].map(([key, count]) => ({ [op.field]: key, count }));
    }
    case 'sort': {
      const sign = op.order === 'desc' ? -1 : 1;
      // Array.prototype.sort is stable: equal keys keep their order.
      return [...rows].sort((a, b) => sign * compare(a[op.by], b[op.by]));
    }
    case 'limit': {
      const n = Number(await op.count.evaluate(scope));
      return Number.isFinite(n) && n >= 0 ? rows.slice(0, Math.floor(n)) : rows;
    }
    case 'set': {
      const out: Row[] = [];
      for (const row of rows) {
        const added: Row = { ...row };
        for (const [name, expr] of Object.entries(op.fields)) added[name] = await expr.evaluate(extend(scope, row));
        out.push(added);
      }
      return out;
    }
    case 'join': {
      const index = new Map<unknown, unknown[]>();
      for (const other of direct(op.with.source, scope) ?? asList(await op.with.evaluate(scope))) {
        if (!isRow(other)) continue;
        const list = index.get(other[op.on.right]) ?? [];
        const value = other[op.collect];
        if (!op.distinct || !list.includes(value)) list.push(value);
        index.set(other[op.on.right], list);
      }
      return rows.map((row) => ({ ...row, [op.as]: index.get(row[op.on.left]) ?? [] }));
    }
  }
}

/**
 * `from: ah.records` or `from: peers` names a register's list: it is read as it is,
 * without the expression sandbox's copy in and out, which for a million collected
 * sessions costs seconds and hundreds of megabytes. The pipeline's operations never
 * change the rows they are given, so the engine's data stays as it was. A join's
 * `with: sas.records` too: copying a small device's 40 SAs in and out, on every host of
 * a fleet, was a third of the expressions' CPU in a 1000-device dry run.
 */
function direct(source: string, scope: Scope): unknown[] | undefined {
  const ref = listReference(source);
  if (!ref || !Object.hasOwn(scope, ref.name)) return undefined;
  const value = scope[ref.name];
  const list = !ref.records ? value : isRow(value) ? value.records : undefined;
  return Array.isArray(list) ? list : undefined;
}

function isRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return 1;
  if (b === undefined || b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}
