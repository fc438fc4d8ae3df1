/**
 * What one evaluation of an expression may cost: time, steps and the size of what it
 * builds. JSONata evaluates by walking its syntax tree, awaiting every node; it calls
 * hooks on entering and leaving each node (`__evaluate_entry`/`__evaluate_exit`, looked
 * up in its environment). The hooks count steps, check the clock, hand the event loop a
 * turn now and then (so a SIGTERM is served while an expression runs), and check the
 * size of every value built. The few built-in functions whose cost is not made of nodes
 * ($pad, $distinct, $join, $replace) are replaced by ones that check first.
 */

import { getHeapStatistics } from 'node:v8';

export interface ExpressionBudget {
  /** Longest one evaluation may run, in milliseconds. */
  readonly timeMs: number;
  /** Most syntax-tree nodes one evaluation may visit. */
  readonly maxSteps: number;
  /** Longest list an evaluation may build. */
  readonly maxItems: number;
  /** Largest range (`[a..b]`) an evaluation may build. */
  readonly maxRange: number;
  /** Longest string an evaluation may build, in UTF-16 units. */
  readonly maxStringLength: number;
  /**
   * Many lists or strings, each within the limits above, still add up. An evaluation is
   * stopped once the heap holds more than this share of V8's heap limit and has grown by
   * more than maxHeapGrowth bytes while it ran: before the process dies of it. (The heap
   * also holds garbage not yet collected, so growth alone would stop honest work.)
   */
  readonly maxHeapShare: number;
  readonly maxHeapGrowth: number;
}

/**
 * A filter written as one expression over a million collected sessions took 5.6 s in
 * JSONata alone, 13 to 28 s through the sandbox and the budget, on a loaded 2-core
 * machine: the time budget leaves room for that, and still ends a runaway. Signals are
 * served and the heap is guarded whatever the time budget.
 */
export const DEFAULT_BUDGET: ExpressionBudget = {
  timeMs: 30_000,
  maxSteps: 100_000_000,
  maxItems: 10_000_000,
  maxRange: 1_000_000,
  maxStringLength: 10_000_000,
  maxHeapShare: 0.7,
  maxHeapGrowth: 256 * 1024 * 1024,
};

let processBudget: ExpressionBudget = DEFAULT_BUDGET;

/** Sets the budget of every evaluation from now on (the CLI's --expr-timeout). */
export function setExpressionBudget(budget: Partial<ExpressionBudget>): void {
  processBudget = { ...processBudget, ...budget };
}

export function expressionBudget(): ExpressionBudget {
  return processBudget;
}

/** An evaluation went over its budget; compile turns it into a located ExpressionError. */
export class BudgetExceeded extends Error {
  override readonly name = 'BudgetExceeded';
  constructor(
    readonly reason: string,
    /** Where in the expression, when a node is to blame (JSONata's end-of-token position). */
    readonly position?: number,
  ) {
    super(reason);
  }
}

/** How long the event loop may wait for a turn while an expression runs. */
const YIELD_EVERY_MS = 20;

/** Bound under this name in each evaluation's environment: the hooks find their state there. */
export const BUDGET_BINDING = '__runbook_budget';

type Node = { readonly type?: unknown; readonly value?: unknown; readonly position?: unknown; readonly lhs?: unknown; readonly rhs?: unknown };
interface Environment {
  lookup(name: string): unknown;
  readonly base?: { [METER]?: BudgetMeter | undefined };
}

/** The state of one evaluation against its budget. */
export class BudgetMeter {
  private steps = 0;
  private readonly deadline: number;
  private lastTurn = Date.now();
  private readonly heapAtStart = usedHeap();
  /** A range's low end, kept until its high end is known. */
  private readonly rangeLow = new Map<object, unknown>();

  constructor(readonly budget: ExpressionBudget) {
    this.deadline = this.lastTurn + budget.timeMs;
  }

  /** Reads the clock on every step: one node (a million-item range, a $sort) can take milliseconds. */
  enter(): Promise<void> | undefined {
    if (++this.steps > this.budget.maxSteps) throw new BudgetExceeded(`it took more than ${this.budget.maxSteps} evaluation steps`);
    const now = Date.now();
    if (now > this.deadline) throw new BudgetExceeded(`it ran longer than ${this.budget.timeMs / 1000} s`);
    return now - this.lastTurn >= YIELD_EVERY_MS ? this.turn() : undefined;
  }

  leave(node: Node, result: unknown, ranges: RangeSides): void {
    this.checkSize(result, node.position);
    const side = ranges.get(node);
    if (!side) return;
    if (side.side === 'lhs') {
      this.rangeLow.set(side.range, result);
      return;
    }
    const [low, high] = [single(this.rangeLow.get(side.range)), single(result)];
    this.rangeLow.delete(side.range);
    if (typeof low === 'number' && typeof high === 'number' && high - low + 1 > this.budget.maxRange) {
      throw new BudgetExceeded(`a range of ${high - low + 1} items is more than ${this.budget.maxRange}`, rangePosition(side.range));
    }
  }

  checkSize(value: unknown, position?: unknown): void {
    const at = typeof position === 'number' ? position : undefined;
    if (typeof value === 'string' && value.length > this.budget.maxStringLength) {
      throw new BudgetExceeded(`it built a string of ${value.length} characters, more than ${this.budget.maxStringLength}`, at);
    }
    if (Array.isArray(value) && value.length > this.budget.maxItems) {
      throw new BudgetExceeded(`it built a list of ${value.length} items, more than ${this.budget.maxItems}`, at);
    }
  }

  /**
   * Checks the heap, then lets timers, sockets and signal handlers run: awaiting
   * JSONata's promises alone never does.
   */
  private async turn(): Promise<void> {
    const heap = getHeapStatistics();
    const grown = heap.used_heap_size - this.heapAtStart;
    if (heap.used_heap_size > this.budget.maxHeapShare * heap.heap_size_limit && grown > this.budget.maxHeapGrowth) {
      throw new BudgetExceeded(`it grew the heap by ${mebibytes(grown)}, to ${mebibytes(heap.used_heap_size)} of the process's ${mebibytes(heap.heap_size_limit)}`);
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.lastTurn = Date.now();
  }
}

function usedHeap(): number {
  return getHeapStatistics().used_heap_size;
}

function mebibytes(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MiB`;
}

/** A node's value as JSONata will use it: the hooks see a one-item sequence before it is unwrapped. */
function single(value: unknown): unknown {
  return Array.isArray(value) && value.length === 1 ? value[0] : value;
}

/** For each operand node of a range, the range and which end it is. */
export type RangeSides = WeakMap<object, { range: Node; side: 'lhs' | 'rhs' }>;

function rangePosition(range: Node): number | undefined {
  return typeof range.position === 'number' ? range.position : undefined;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !(value instanceof RegExp) && typeof (value as Node).type === 'string';
}

/** Every node of a JSONata syntax tree, parents first. */
export function* allNodes(ast: unknown, seen = new Set<object>()): Generator<Node> {
  if (typeof ast !== 'object' || ast === null || ast instanceof RegExp || seen.has(ast)) return;
  seen.add(ast);
  if (isNode(ast)) yield ast;
  for (const value of Object.values(ast)) {
    if (typeof value === 'object' && value !== null) yield* allNodes(value, seen);
  }
}

function isRange(node: Node): boolean {
  return node.type === 'binary' && node.value === '..';
}

export function rangeSides(ast: unknown): RangeSides {
  const sides: RangeSides = new WeakMap();
  for (const node of allNodes(ast)) {
    if (!isRange(node)) continue;
    if (isNode(node.lhs)) sides.set(node.lhs, { range: node, side: 'lhs' });
    if (isNode(node.rhs)) sides.set(node.rhs, { range: node, side: 'rhs' });
  }
  return sides;
}

/** Ranges written with literal ends that are already over the budget: found when compiled. */
export function literalRangeProblems(ast: unknown, budget: ExpressionBudget): { position: number; reason: string }[] {
  const problems: { position: number; reason: string }[] = [];
  for (const node of allNodes(ast)) {
    if (!isRange(node) || !isNode(node.lhs) || !isNode(node.rhs)) continue;
    const [low, high] = [node.lhs.value, node.rhs.value];
    if (node.lhs.type !== 'number' || node.rhs.type !== 'number' || typeof low !== 'number' || typeof high !== 'number') continue;
    if (high - low + 1 > budget.maxRange) {
      problems.push({ position: rangePosition(node) ?? 0, reason: `the range [${low}..${high}] has ${high - low + 1} items, more than an expression may build (${budget.maxRange})` });
    }
  }
  return problems;
}

/** The hooks JSONata calls around every node, finding the evaluation's meter in its environment. */
export function budgetHooks(ranges: RangeSides): { entry: (node: Node, input: unknown, env: Environment) => Promise<void> | undefined; exit: (node: Node, input: unknown, env: Environment, result: unknown) => void } {
  return {
    entry: (_node, _input, env) => meterOf(env)?.enter(),
    exit: (node, _input, env, result) => meterOf(env)?.leave(node, result, ranges),
  };
}

/** Where a meter found once is kept on the evaluation's base frame: looking it up walks every frame. */
const METER = Symbol('runbook.budgetMeter');

function meterOf(env: Environment): BudgetMeter | undefined {
  // JSONata gives every frame of one evaluation the same `base`.
  const base = env.base;
  if (!base) return asMeter(env.lookup(BUDGET_BINDING));
  if (!(METER in base)) base[METER] = asMeter(env.lookup(BUDGET_BINDING));
  return base[METER];
}

function asMeter(value: unknown): BudgetMeter | undefined {
  return value instanceof BudgetMeter ? value : undefined;
}
