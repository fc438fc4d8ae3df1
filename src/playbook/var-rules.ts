import type { Bounds, VarSpec, VarType } from './types.ts';

/**
 * The rules a var's value must follow, shared by the loader (defaults) and by resolving
 * values from the inventory and -e. Each returns why a value breaks a rule, or undefined.
 */

export type VarValue = string | number | boolean;

/** The type a bare default stands for: `3` is an integer, `2.5` a number. */
export function inferVarType(value: VarValue): VarType {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return 'string';
}

/** Whether a value already has the type, as a default written in the playbook must. */
export function typeProblem(type: VarType, value: unknown): string | undefined {
  switch (type) {
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value) ? undefined : `${show(value)} is not an integer`;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `${show(value)} is not a number`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${show(value)} is not true or false`;
    case 'string':
      return typeof value === 'string' ? undefined : `${show(value)} is not a string (quote it)`;
  }
}

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

/**
 * A value from the command line or the inventory in the var's type. Text is converted
 * strictly: "10000" is an integer, "1e4" and "10.0" are not.
 */
export function coerceVarValue(type: VarType, value: unknown): { readonly value: VarValue } | { readonly problem: string } {
  if (typeof value === 'string') {
    const text = value.trim();
    switch (type) {
      case 'string':
        return { value };
      case 'integer': {
        const n = Number(text);
        return /^[-+]?\d+$/.test(text) && Number.isSafeInteger(n) ? { value: n } : { problem: `${show(value)} is not an integer` };
      }
      case 'number':
        return /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(text) ? { value: Number(text) } : { problem: `${show(value)} is not a number` };
      case 'boolean': {
        const word = text.toLowerCase();
        if (TRUE_WORDS.has(word)) return { value: true };
        if (FALSE_WORDS.has(word)) return { value: false };
        return { problem: `${show(value)} is not a boolean (true/false, yes/no, on/off, 1/0)` };
      }
    }
  }
  if (type === 'boolean' && (value === 0 || value === 1)) return { value: value === 1 };
  if (type === 'string' && typeof value === 'number' && Number.isFinite(value)) return { value: String(value) };
  const problem = typeProblem(type, value);
  return problem === undefined ? { value: value as VarValue } : { problem };
}

/** Why a number breaks the bounds; `suffix` says which bounds ("when given with -e"). */
export function boundsProblem(bounds: Bounds, value: number, suffix = ''): string | undefined {
  const tail = suffix ? ` ${suffix}` : '';
  if (bounds.minimum !== undefined && !(value >= bounds.minimum)) return `must be at least ${bounds.minimum}${tail}`;
  if (bounds.exclusiveMinimum !== undefined && !(value > bounds.exclusiveMinimum)) return `must be greater than ${bounds.exclusiveMinimum}${tail}`;
  if (bounds.maximum !== undefined && !(value <= bounds.maximum)) return `must be at most ${bounds.maximum}${tail}`;
  if (bounds.exclusiveMaximum !== undefined && !(value < bounds.exclusiveMaximum)) return `must be less than ${bounds.exclusiveMaximum}${tail}`;
  return undefined;
}

export function enumProblem(allowed: readonly (string | number)[] | undefined, value: VarValue): string | undefined {
  if (allowed === undefined || allowed.some((a) => a === value)) return undefined;
  return `must be one of: ${allowed.map(String).join(', ')}`;
}

/** Every rule of the spec on a value of the right type; `viaExtra` adds the -e bounds. */
export function valueProblem(spec: VarSpec, value: VarValue, viaExtra: boolean): string | undefined {
  const listed = enumProblem(spec.enum, value);
  if (listed) return listed;
  if (typeof value !== 'number') return undefined;
  return boundsProblem(spec.bounds, value) ?? (viaExtra ? boundsProblem(spec.overrideBounds, value, 'when given with -e') : undefined);
}

export function hasBounds(bounds: Bounds): boolean {
  return bounds.minimum !== undefined || bounds.maximum !== undefined || bounds.exclusiveMinimum !== undefined || bounds.exclusiveMaximum !== undefined;
}

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'a mapping';
  return String(value);
}
