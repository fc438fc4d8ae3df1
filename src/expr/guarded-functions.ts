import type Jsonata from 'jsonata';
import { jsonata } from './jsonata.ts';
import { BUDGET_BINDING, BudgetExceeded, BudgetMeter } from './budget.ts';

/**
 * Built-in functions whose cost is made in one call, not of nodes the budget's hooks
 * see: $pad(s, 1e9) builds a billion characters at once (V8 dies of it rather than
 * throwing), $distinct compares every item with every other, $join and $replace can
 * build a string far longer than their inputs. Each of these checks first.
 */

interface JsonataFunction {
  readonly implementation: (...args: unknown[]) => unknown;
  readonly signature?: unknown;
}
/** What JSONata passes as `this` to a built-in function. */
interface Focus {
  readonly environment: { lookup(name: string): unknown };
  createSequence(): unknown[];
}

const [pad, join, replace] = (await jsonata('[$pad, $join, $replace]').evaluate({})) as JsonataFunction[];

function meterOf(focus: Focus): BudgetMeter | undefined {
  const meter = focus.environment.lookup(BUDGET_BINDING);
  return meter instanceof BudgetMeter ? meter : undefined;
}

function refuseLongerThan(focus: Focus, length: number, what: string): void {
  const meter = meterOf(focus);
  if (meter && length > meter.budget.maxStringLength) {
    throw new BudgetExceeded(`${what} would build a string of ${length} characters, more than ${meter.budget.maxStringLength}`);
  }
}

function guardedPad(this: Focus, str: unknown, width: unknown, char: unknown): unknown {
  if (typeof width === 'number') refuseLongerThan(this, Math.abs(Math.trunc(width)) * Math.max(1, typeof char === 'string' ? char.length : 1), '$pad');
  return pad.implementation.call(this, str, width, char);
}

function guardedJoin(this: Focus, strs: unknown, separator: unknown): unknown {
  if (Array.isArray(strs)) {
    const parts = strs.reduce((n: number, s: unknown) => n + (typeof s === 'string' ? s.length : 0), 0);
    refuseLongerThan(this, parts + Math.max(0, strs.length - 1) * (typeof separator === 'string' ? separator.length : 0), '$join');
  }
  return join.implementation.call(this, strs, separator);
}

/** The longest result: every character (and the end) replaced, up to `limit` times. */
function guardedReplace(this: Focus, str: unknown, pattern: unknown, replacement: unknown, limit: unknown): unknown {
  if (typeof str === 'string' && typeof replacement === 'string') {
    const matches = Math.min(str.length + 1, typeof limit === 'number' ? Math.max(0, limit) : Infinity);
    refuseLongerThan(this, str.length + matches * replacement.length, '$replace');
  }
  return replace.implementation.call(this, str, pattern, replacement, limit);
}

/** $distinct by a key per value: linear, where JSONata's compares each pair. Same equality (deep, key order aside). */
function guardedDistinct(this: Focus, arr: unknown): unknown {
  if (!Array.isArray(arr) || arr.length <= 1) return arr;
  const results = (arr as { sequence?: boolean }).sequence === true ? this.createSequence() : [];
  const seen = new Set<string>();
  for (const value of arr as unknown[]) {
    const key = distinctKey(value);
    if (seen.has(key)) continue;
    seen.add(key);
    results.push(value);
  }
  return results;
}

function distinctKey(value: unknown): string {
  if (value === undefined) return 'u';
  if (typeof value !== 'object' || value === null) return `${typeof value}:${JSON.stringify(value)}`;
  return `o:${JSON.stringify(value, (_key, v: unknown) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? sortedKeys(v as Record<string, unknown>) : v))}`;
}

function sortedKeys(record: Record<string, unknown>): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(record).sort()) out[key] = record[key];
  return out;
}

/** Registers the checked versions on a compiled expression, in place of the built-ins. */
export function guardFunctions(compiled: Jsonata.Expression): void {
  compiled.registerFunction('pad', guardedPad as never, '<s-ns?:s>');
  compiled.registerFunction('join', guardedJoin as never, '<a<s>s?:s>');
  compiled.registerFunction('replace', guardedReplace as never, '<s-(sf)(sf)n?:s>');
  compiled.registerFunction('distinct', guardedDistinct as never, '<x:x>');
}
