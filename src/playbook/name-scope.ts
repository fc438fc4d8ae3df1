import type { NameRead } from '../expr/ast.ts';
import type { Step } from './types.ts';
import type { IssueSink } from './issues.ts';
import type { PathSegment } from './yaml-source.ts';
import type { SourceSpan } from '../contracts/source-span.ts';

/**
 * What the loader knows about a value an expression can read, so that `ah.cuont` or
 * `item.peeer` is caught before a run rather than read as nothing during one.
 */
export type Shape =
  /** A collect step's output: {count, records, nodes}, records having the declared fields. */
  | { readonly kind: 'table'; readonly fields: ReadonlySet<string> }
  /** A list of records (a pipeline's output), with their fields when they can be told. */
  | { readonly kind: 'rows'; readonly fields?: ReadonlySet<string> }
  /** One record (a loop variable over rows). */
  | { readonly kind: 'record'; readonly fields?: ReadonlySet<string> }
  | { readonly kind: 'unknown' };

export const UNKNOWN: Shape = { kind: 'unknown' };

const TABLE_MEMBERS: ReadonlySet<string> = new Set(['count', 'records', 'nodes']);

export interface RegisterInfo {
  readonly name: string;
  readonly index: number;
  readonly stepName: string;
  readonly kind: Step['kind'];
  readonly shape: Shape;
}

/** The names an expression may read at one place in the playbook. */
export interface NameScope {
  /** Declared var names. */
  readonly vars: ReadonlySet<string>;
  /** Registers of the steps before this one (and this step's own, for its log and syslog). */
  readonly registers: ReadonlyMap<string, RegisterInfo>;
  /** Every register of the playbook, to say why a later one cannot be read yet. */
  readonly allRegisters: ReadonlyMap<string, RegisterInfo>;
  /** Loop variables (item, or the name given with as). */
  readonly loops: ReadonlyMap<string, Shape>;
  /** Inside filter and set: the current record's fields, or 'any' when they cannot be told. */
  readonly fields?: ReadonlySet<string> | 'any';
  /** The step being checked, to explain why its own register cannot be read before it ran. */
  readonly step: number;
}

export function withLoop(scope: NameScope, name: string, shape: Shape): NameScope {
  return { ...scope, loops: new Map([...scope.loops, [name, shape]]) };
}

export function withFields(scope: NameScope, fields: ReadonlySet<string> | undefined): NameScope {
  return { ...scope, fields: fields ?? 'any' };
}

/** The shape of a name as an expression reads it here, or undefined when it is not readable. */
function lookup(scope: NameScope, name: string): Shape | undefined {
  // A record's fields come first, as the engine binds them over the scope.
  if (scope.fields instanceof Set && scope.fields.has(name)) return UNKNOWN;
  const loop = scope.loops.get(name);
  if (loop) return loop;
  if (name === 'vars' || name === 'host') return UNKNOWN;
  const register = scope.registers.get(name);
  if (register) return register.shape;
  // Records whose fields cannot be told may have a field of any name.
  return scope.fields === 'any' ? UNKNOWN : undefined;
}

function membersOf(shape: Shape): ReadonlySet<string> | undefined {
  if (shape.kind === 'table') return TABLE_MEMBERS;
  if (shape.kind === 'rows' || shape.kind === 'record') return shape.fields;
  return undefined;
}

/**
 * The shape of each element of the list an expression gives, when the expression is
 * simply a register or a loop variable (`peers`, `ah.records`): what a pipeline's
 * records, or a loop's item, will hold.
 */
export function elementShape(source: string, scope: NameScope): Shape {
  const ref = listReference(source);
  if (!ref) return UNKNOWN;
  const shape = scope.loops.get(ref.name) ?? scope.registers.get(ref.name)?.shape;
  if (!shape) return UNKNOWN;
  if (shape.kind === 'table' && ref.records) return { kind: 'record', fields: shape.fields };
  if (shape.kind === 'rows' && !ref.records) return shape.fields ? { kind: 'record', fields: shape.fields } : { kind: 'record' };
  return UNKNOWN;
}

/** An expression that only names a list: `peers` (a name), or `ah.records` (a collect's records). */
export function listReference(source: string): { readonly name: string; readonly records: boolean } | undefined {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\.(records))?\s*$/.exec(source);
  return m ? { name: m[1], records: m[2] !== undefined } : undefined;
}

/** The fields of the records an expression's list holds, when they can be told. */
export function fieldsOf(shape: Shape): ReadonlySet<string> | undefined {
  return shape.kind === 'record' ? shape.fields : undefined;
}

export interface ReadingExpression {
  readonly reads: readonly NameRead[];
  spanAt(offset: number): SourceSpan;
}

/** Reports every name an expression reads that will not be there when it runs. */
export function checkReads(expr: ReadingExpression, scope: NameScope, path: readonly PathSegment[], sink: IssueSink): void {
  for (const read of expr.reads) {
    if (read.name === 'vars') {
      if (read.member !== undefined && !scope.vars.has(read.member)) {
        const declared = scope.vars.size > 0 ? [...scope.vars].join(', ') : 'none';
        sink.at(expr.spanAt(read.memberOffset ?? read.offset), path, `vars.${read.member} is not declared (declared vars: ${declared})`);
      }
      continue;
    }
    // $$.name reads the scope too, but only vars members are checked through it.
    if (read.viaRoot) continue;
    const shape = lookup(scope, read.name);
    if (!shape) {
      sink.at(expr.spanAt(read.offset), path, unknownName(read.name, scope));
      continue;
    }
    const members = membersOf(shape);
    if (read.member !== undefined && members && !members.has(read.member)) {
      sink.at(expr.spanAt(read.memberOffset ?? read.offset), path, `'${read.name}' has no field '${read.member}' (it has: ${[...members].join(', ')})`);
    }
  }
}

function unknownName(name: string, scope: NameScope): string {
  const register = scope.allRegisters.get(name);
  if (register && register.index === scope.step) {
    return `'${name}' is this step's own register: it is set when the step has run, so only the step's log and syslog (and an analyze pipeline's evidence) can read it`;
  }
  if (register && register.index > scope.step) {
    return `'${name}' is registered by a later step (step ${register.index + 1} '${register.stepName}'): a step can only read registers of steps before it`;
  }
  const known = ['vars', 'host', ...scope.registers.keys(), ...scope.loops.keys()];
  const fields = scope.fields instanceof Set && scope.fields.size > 0 ? `; record fields: ${[...scope.fields].join(', ')}` : '';
  return `unknown name '${name}': not vars, host, a register of an earlier step or a loop variable (known here: ${known.join(', ')}${fields})`;
}
