/** The data expressions see: vars, host facts, registered step outputs, loop variables. */
export type Scope = Readonly<Record<string, unknown>>;

/** A scope with more names bound (a loop variable, a record's fields). */
export function extend(scope: Scope, more: Readonly<Record<string, unknown>>): Scope {
  return Object.assign(Object.create(null) as Record<string, unknown>, scope, more);
}

/** JSONata gives a single value for a one-element sequence, and undefined for none. */
export function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}
