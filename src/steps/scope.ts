/** The data expressions see: vars, host facts, registered step outputs, loop variables. */
export type Scope = Readonly<Record<string, unknown>>;

/** A scope with more names bound (a loop variable, a record's fields). */
export function extend(scope: Scope, more: Readonly<Record<string, unknown>>): Scope {
  return Object.assign(Object.create(null) as Record<string, unknown>, scope, more);
}

/** The scope a host's run starts with: its vars, and its name and groups as `host`. */
export function hostScope(host: { readonly name: string; readonly groups: readonly string[]; readonly vars: Readonly<Record<string, unknown>> }): Scope {
  return extend(Object.create(null) as Scope, { vars: { ...host.vars }, host: { name: host.name, groups: [...host.groups] } });
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
