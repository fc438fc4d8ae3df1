/**
 * The simplest expressions read straight from the scope, without JSONata: a path of
 * names (`index`, `item.peer`, `vars.top_peers`), a literal, a comparison of two such
 * (`count >= vars.min_peer_sessions`), `x in a.b` and `$not(...)` of those (a check's
 * `where: $not(peer in top.peer)`, once per distinct record). A host of the AH playbook evaluates about 65
 * expressions, half of them such paths (`{{ index }}` per planned clear, a filter per
 * row), and one JSONata evaluation costs 25–40 µs however simple: a fresh environment, a
 * budget meter, a sandbox root over every register, an await per syntax node. Over 1000
 * devices that was seconds of CPU.
 *
 * Each value is read as JSONata reads it (its `lookup`, `evaluateStep`, `evaluatePath`),
 * from the same sandbox copies. Wherever JSONata's rules stop being plain — a list met
 * mid-path (it maps over it), a comparison of anything but two numbers or two strings
 * (undefined, an error), a value over the budget's sizes — the reader answers FALLBACK
 * and the expression is evaluated by JSONata after all, so every result and every error
 * stays JSONata's own.
 */
import type { ExpressionBudget } from './budget.ts';
import { toSandbox } from './sandbox.ts';

/** This expression, with this data, is for JSONata. */
export const FALLBACK: unique symbol = Symbol('runbook.expr.fallback');

type Read = (scope: Readonly<Record<string, unknown>>, budget: ExpressionBudget) => unknown;

export interface DirectReader {
  readonly read: Read;
  /** Syntax nodes JSONata would visit: each counts against the budget's steps. */
  readonly nodes: number;
}

type Node = Readonly<Record<string, unknown>>;

const COMPARISONS = new Set(['<', '<=', '>', '>=', '=', '!=']);

/** A reader for an expression of the simple kinds, else undefined (JSONata evaluates it). */
export function directReader(ast: unknown): DirectReader | undefined {
  if (!isNode(ast)) return undefined;
  const names = namePath(ast);
  if (names) return { read: (scope, budget) => readPath(scope, names, budget), nodes: names.length + 1 };
  const literal = literalOf(ast);
  if (literal) return { read: () => literal.value, nodes: 1 };
  if (ast.type === 'binary' && ast.value === 'in' && only(ast, ['type', 'value', 'position', 'lhs', 'rhs'])) {
    const lhs = directReader(ast.lhs);
    const names = isNode(ast.rhs) ? namePath(ast.rhs) : undefined;
    if (!lhs || !names) return undefined;
    return { read: (scope, budget) => includes(lhs.read(scope, budget), readMapped(scope, names, budget)), nodes: 1 + lhs.nodes + 1 + names.length * (MAX_MAPPED + 1) };
  }
  // The parser leaves an unset `name` on a function call node.
  if (ast.type === 'function' && ast.name === undefined && only(ast, ['type', 'name', 'value', 'position', 'arguments', 'procedure']) && isNode(ast.procedure) && ast.procedure.type === 'variable' && ast.procedure.value === 'not' && only(ast.procedure, ['type', 'value', 'position'])) {
    const args = Array.isArray(ast.arguments) ? (ast.arguments as unknown[]) : [];
    const arg = args.length === 1 ? directReader(args[0]) : undefined;
    if (!arg) return undefined;
    return { read: (scope, budget) => negated(arg.read(scope, budget)), nodes: 2 + arg.nodes };
  }
  if (ast.type === 'binary' && typeof ast.value === 'string' && COMPARISONS.has(ast.value) && only(ast, ['type', 'value', 'position', 'lhs', 'rhs'])) {
    const [lhs, rhs] = [directReader(ast.lhs), directReader(ast.rhs)];
    if (!lhs || !rhs) return undefined;
    const op = ast.value;
    return { read: (scope, budget) => compare(lhs.read(scope, budget), rhs.read(scope, budget), op), nodes: 1 + lhs.nodes + rhs.nodes };
  }
  return undefined;
}

/** `a.b.c` with nothing else on it (no predicate, index, `[]`, focus, grouping): its names. */
function namePath(ast: Node): string[] | undefined {
  if (ast.type !== 'path' || !only(ast, ['type', 'steps']) || !Array.isArray(ast.steps) || ast.steps.length === 0) return undefined;
  const names: string[] = [];
  for (const step of ast.steps as unknown[]) {
    if (!isNode(step) || step.type !== 'name' || typeof step.value !== 'string' || !only(step, ['type', 'value', 'position'])) return undefined;
    names.push(step.value);
  }
  return names;
}

function literalOf(ast: Node): { value: string | number | boolean | null } | undefined {
  if (!only(ast, ['type', 'value', 'position'])) return undefined;
  if ((ast.type === 'string' && typeof ast.value === 'string') || (ast.type === 'number' && typeof ast.value === 'number')) return { value: ast.value };
  if (ast.type === 'value' && (typeof ast.value === 'boolean' || ast.value === null)) return { value: ast.value };
  return undefined;
}

/**
 * A name path over the sandbox root (sandbox.ts: own enumerable keys, values copied, no
 * `__proto__`). JSONata's lookup reads own keys only, and none of a value it takes for
 * a function; a scalar has no keys; the last step hands back a list as it is.
 */
function readPath(scope: Readonly<Record<string, unknown>>, names: readonly string[], budget: ExpressionBudget): unknown {
  const first = names[0]!;
  if (first === '__proto__' || !Object.prototype.propertyIsEnumerable.call(scope, first)) return undefined;
  let value = toSandbox(scope[first]);
  for (let i = 1; i < names.length; i++) {
    if (value === undefined || value === null || typeof value !== 'object') return undefined;
    if (Array.isArray(value)) return FALLBACK;
    const obj = value as Record<string, unknown>;
    if (obj._jsonata_function === true || obj._jsonata_lambda === true) return undefined;
    value = Object.prototype.hasOwnProperty.call(obj, names[i]!) ? obj[names[i]!] : undefined;
  }
  // Over the budget's sizes: JSONata's exit hook stops it, with its own message.
  if (typeof value === 'string' && value.length > budget.maxStringLength) return FALLBACK;
  if (Array.isArray(value) && value.length > budget.maxItems) return FALLBACK;
  return value;
}

/** Longest list a mapped path reads directly (the step budget counts a node per item). */
const MAX_MAPPED = 10_000;

/**
 * The values a name path gives when it may map over lists (`top.peer`): as JSONata's
 * evaluateStep flattens them, in order. A list inside a list, a list as a value, or more
 * than MAX_MAPPED items: FALLBACK.
 */
function readMapped(scope: Readonly<Record<string, unknown>>, names: readonly string[], budget: ExpressionBudget): unknown[] | typeof FALLBACK {
  const first = names[0]!;
  if (first === '__proto__' || !Object.prototype.propertyIsEnumerable.call(scope, first)) return [];
  const start = toSandbox(scope[first]);
  if (start === undefined) return [];
  if (typeof start === 'string' && start.length > budget.maxStringLength) return FALLBACK;
  let items: unknown[] = Array.isArray(start) ? start : [start];
  if (names.length === 1) return Array.isArray(start) ? FALLBACK : items;
  for (let i = 1; i < names.length; i++) {
    if (items.length > Math.min(MAX_MAPPED, budget.maxItems)) return FALLBACK;
    const next: unknown[] = [];
    for (const item of items) {
      if (Array.isArray(item)) return FALLBACK;
      if (item === null || typeof item !== 'object') continue;
      const obj = item as Record<string, unknown>;
      if (obj._jsonata_function === true || obj._jsonata_lambda === true || !Object.prototype.hasOwnProperty.call(obj, names[i]!)) continue;
      const value = obj[names[i]!];
      if (Array.isArray(value) || (typeof value === 'string' && value.length > budget.maxStringLength)) return FALLBACK;
      if (value !== undefined) next.push(value);
    }
    if (next.length === 0) return [];
    items = next;
  }
  return items.length > budget.maxItems ? FALLBACK : items;
}

/** `a in b` as JSONata's evaluateIncludesExpression, for a scalar `a`: strict equality with any of b's values. */
function includes(lhs: unknown, values: unknown[] | typeof FALLBACK): unknown {
  if (lhs === FALLBACK || values === FALLBACK) return FALLBACK;
  if (lhs === undefined) return false;
  if (lhs !== null && typeof lhs === 'object') return FALLBACK;
  return values.some((v) => v === lhs);
}

/** `$not(x)` of a boolean; anything else goes through JSONata's boolean rules. */
function negated(value: unknown): unknown {
  return typeof value === 'boolean' ? !value : FALLBACK;
}

/** Two numbers or two strings, compared as JSONata compares them; anything else is JSONata's to judge. */
function compare(lhs: unknown, rhs: unknown, op: string): unknown {
  if (lhs === FALLBACK || rhs === FALLBACK) return FALLBACK;
  const plain = (typeof lhs === 'number' && typeof rhs === 'number') || (typeof lhs === 'string' && typeof rhs === 'string');
  if (!plain) return FALLBACK;
  const [a, b] = [lhs as number | string, rhs as number | string];
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '=':
      return a === b;
    default:
      return a !== b;
  }
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function only(node: Node, keys: readonly string[]): boolean {
  return Object.keys(node).every((k) => keys.includes(k));
}
