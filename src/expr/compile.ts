import type Jsonata from 'jsonata';
import { jsonata } from './jsonata.ts';
import type { Expression } from './types.ts';
import { inspectAst, type NameRead } from './ast.ts';
import { ExpressionError } from './errors.ts';
import { placementOf, spanAt, type CompileOptions, type Placement } from './placement.ts';
import { sandboxScope, toPlain } from './sandbox.ts';
import { allNodes, BUDGET_BINDING, BudgetExceeded, BudgetMeter, budgetHooks, expressionBudget, literalRangeProblems, rangeSides, type ExpressionBudget } from './budget.ts';
import { guardFunctions } from './guarded-functions.ts';
import { directReader, FALLBACK } from './direct.ts';
import { regexProblem, SafeRegExp } from './safe-regex.ts';
import type { SourceSpan } from '../contracts/source-span.ts';

/** A compiled expression, with what the loader needs to check its references. */
export interface CompiledExpression extends Expression {
  /** Every scope name read, with the member read from it and its position. */
  readonly reads: readonly NameRead[];
  /** The span of the character `offset` characters into the source. */
  spanAt(offset: number): SourceSpan;
}

/** JSONata's errors carry these next to the message. */
interface JsonataErrorFields {
  readonly code?: unknown;
  readonly position?: unknown;
  readonly token?: unknown;
  readonly message?: unknown;
}

/**
 * Compiles a JSONata expression written at `at`. Throws ExpressionError, located at the
 * offending character, for syntax errors and for what runbook forbids: function
 * definitions, $eval, and names that reach JavaScript internals.
 */
export function compileExpression(source: string, at: SourceSpan, options: CompileOptions = {}): CompiledExpression {
  const placement = placementOf(source, at, options);
  const text = source.trim();
  if (text === '') throw new ExpressionError(at, source, 'the expression is empty');
  let compiled: Jsonata.Expression;
  try {
    compiled = jsonata(source, jsonataOptions(options));
  } catch (err) {
    throw fromJsonata(err, source, placement, 'is not a valid expression');
  }
  const facts = inspectAst(compiled.ast(), source);
  const problem = [...facts.problems, ...budgetProblems(compiled.ast(), source, options.budget ?? expressionBudget())].sort((a, b) => a.offset - b.offset)[0];
  if (problem) throw new ExpressionError(spanAt(placement, problem.offset), source, `${problem.reason} (in '${text}')`);
  const names = [...new Set(facts.reads.filter((r) => !r.viaRoot).map((r) => r.name))];
  const hooks = budgetHooks(rangeSides(compiled.ast()));
  compiled.assign(Symbol.for('jsonata.__evaluate_entry') as unknown as string, hooks.entry);
  compiled.assign(Symbol.for('jsonata.__evaluate_exit') as unknown as string, hooks.exit);
  guardFunctions(compiled);
  const direct = directReader(compiled.ast());

  return {
    source,
    at,
    names,
    reads: facts.reads,
    spanAt: (offset) => spanAt(placement, offset),
    async evaluate(scope) {
      // The budget is read per evaluation: the CLI sets it after playbooks may be loaded.
      const budget = options.budget ?? expressionBudget();
      if (direct && withinBudget(direct.nodes, budget)) {
        const value = direct.read(scope, budget);
        if (value !== FALLBACK) return toPlain(value);
      }
      const meter = new BudgetMeter(budget);
      try {
        return toPlain(await compiled.evaluate(sandboxScope(scope), { [BUDGET_BINDING]: meter }));
      } catch (err) {
        throw fromJsonata(err, source, placement, 'failed');
      }
    },
  };
}

/**
 * A direct read (direct.ts) visits a handful of nodes in microseconds: only a budget
 * that a few steps or a second could exceed (a test's) leaves it to JSONata's meter.
 */
function withinBudget(nodes: number, budget: ExpressionBudget): boolean {
  return nodes <= budget.maxSteps && budget.timeMs >= 1000;
}

/** Regexes run on RE2; `sequence` is JSONata's own cap on the lists it builds, read when it builds one. */
function jsonataOptions(options: CompileOptions): Jsonata.JsonataOptions {
  return {
    RegexEngine: SafeRegExp as unknown as RegExpConstructor,
    get sequence() {
      return (options.budget ?? expressionBudget()).maxItems;
    },
  };
}

/** What the budget refuses before anything runs: regexes RE2 cannot run, literal ranges too large. */
function budgetProblems(ast: unknown, source: string, budget: ExpressionBudget): { offset: number; reason: string }[] {
  const problems = literalRangeProblems(ast, budget).map((p) => ({ offset: Math.max(0, p.position - 2), reason: p.reason }));
  for (const node of allNodes(ast)) {
    if (node.type !== 'regex' || !(node.value instanceof RegExp)) continue;
    const reason = regexProblem(node.value);
    const end = typeof node.position === 'number' ? node.position : source.length;
    if (reason) problems.push({ offset: Math.max(0, source.lastIndexOf(`/${node.value.source}/`, end)), reason });
  }
  return problems;
}

function fromJsonata(err: unknown, source: string, placement: Placement, what: string): ExpressionError {
  if (err instanceof ExpressionError) return err;
  if (err instanceof BudgetExceeded) {
    const offset = err.position !== undefined ? errorOffset(source, err.position, undefined) : 0;
    return new ExpressionError(spanAt(placement, offset), source, `expression '${source.trim()}' was stopped by its budget: ${err.reason}`, 'budget');
  }
  if (err instanceof RangeError) {
    // V8's own limits (a string or a stack too large): the budget's checks came too late.
    return new ExpressionError(placement.at, source, `expression '${source.trim()}' was stopped: ${lowerFirst(err.message)}`, 'budget');
  }
  const fields = (typeof err === 'object' && err !== null ? err : {}) as JsonataErrorFields;
  const message = typeof fields.message === 'string' ? fields.message : String(err);
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  const offset = typeof fields.position === 'number' ? errorOffset(source, fields.position, fields.token) : 0;
  return new ExpressionError(spanAt(placement, offset), source, `expression '${source.trim()}' ${what}: ${lowerFirst(message)}`, code);
}

/**
 * JSONata's `position` is where the offending token ends (1-based on its last
 * character); the token's start is what a person looks for.
 */
function errorOffset(source: string, position: number, token: unknown): number {
  if (token === '(end)') return source.trimEnd().length;
  const length = typeof token === 'string' && token.length > 0 ? token.length : 1;
  return Math.min(Math.max(0, position - length), Math.max(0, source.length - 1));
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text;
}
