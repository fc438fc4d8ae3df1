import type { CompileContext } from './compile-context.ts';
import { withFields, type NameScope } from './name-scope.ts';
import type { IssueSink } from './issues.ts';
import { COUNT_FIELD, type Check, type CheckOperator, type CompareOperator, type DeltaBound, type SingleOperator, type Step } from './types.ts';
import type { WrittenCheck } from './written.ts';
import type { PathSegment } from './yaml-source.ts';

const COMPARE: readonly CompareOperator[] = ['no-diff', 'delta', 'list-not-less', 'list-not-more'];
const SINGLE: readonly SingleOperator[] = ['in-range', 'is-equal', 'not-equal', 'is-gt', 'is-lt', 'all-same', 'exists', 'not-exists'];

/**
 * `checks:` → the normalised checks, each problem reported where it was written: a table
 * no collect step registers, a key or field the table does not have, a comparing
 * operator without a key, a bad delta or range. The schema has already seen to one
 * operator per check and the types of the arguments.
 */
export function normaliseChecks(written: readonly WrittenCheck[], steps: readonly Step[], cx: CompileContext, scope: NameScope): Check[] {
  const tables = new Map<string, readonly string[]>();
  for (const s of steps) if (s.kind === 'collect' && s.register !== undefined) tables.set(s.register, s.fields.map((f) => f.name));
  return written.flatMap((w, i) => normaliseCheck(w, ['checks', i], tables, cx, scope) ?? []);
}

function normaliseCheck(w: WrittenCheck, at: readonly PathSegment[], tables: ReadonlyMap<string, readonly string[]>, cx: CompileContext, scope: NameScope): Check | undefined {
  const sink = cx.sink;
  const op = [...COMPARE, ...SINGLE].find((o) => w[o] !== undefined);
  if (op === undefined) return undefined;
  const before = sink.issues.length;
  const fields = tables.get(w.table);
  if (!fields) sink.atValue([...at, 'table'], `no collect step registers '${w.table}' (collect registers: ${[...tables.keys()].join(', ') || 'none'})`);
  const known = (name: string): boolean => !fields || fields.includes(name);
  const key = w.key === undefined ? [] : typeof w.key === 'string' ? [w.key] : [...w.key];
  key.forEach((k, j) => {
    if (!known(k)) sink.atValue(typeof w.key === 'string' ? [...at, 'key'] : [...at, 'key', j], unknownField(k, w.table, fields));
  });
  if (w.field !== undefined && w.field !== COUNT_FIELD && !known(w.field)) sink.atValue([...at, 'field'], unknownField(w.field, w.table, fields));
  const compare = (COMPARE as readonly string[]).includes(op);
  const list = op === 'list-not-less' || op === 'list-not-more';
  if (w.field === undefined && !list) sink.atKey([...at, op], `${op} needs a field: the field it checks (${fields ? `${w.table} has: ${fields.join(', ')}, or $count` : 'or $count'})`);
  if (compare && key.length === 0 && w.field !== COUNT_FIELD) {
    sink.atKey([...at, op], `${op} matches items across the pre and post snapshots by key: give key (the field(s) that name an item${fields ? `; ${w.table} has: ${fields.join(', ')}` : ''}), or field $count for the table's size`);
  }
  if (compare && w.on !== undefined) sink.atKey([...at, 'on'], `${op} compares the pre and post snapshots; on (pre, post, both) is for single-snapshot operators (${SINGLE.join(', ')})`);
  const body = operatorBody(op, w, [...at, op], sink);
  // Like a pipeline's filter: the record's fields by name, over what the host knows then.
  const where = w.where !== undefined ? cx.expression([...at, 'where'], w.where, withFields(scope, fields ? new Set(fields) : undefined)) : undefined;
  if (sink.issues.length > before || !body) return undefined;
  const base = {
    name: w.name ?? `${op} ${w.table}${w.field !== undefined ? `.${w.field}` : ''}${key.length > 0 ? ` by ${key.join(', ')}` : ''}`,
    at: sink.source.valueSpan(at),
    table: w.table,
    key,
    ...(w.field !== undefined ? { field: w.field } : {}),
    allowEmpty: w.allow_empty ?? false,
    ...(where ? { where } : {}),
  };
  if (isCompare(body)) return { ...base, ...body };
  return { ...base, on: w.on ?? 'post', ...body };
}

/** The operator and its argument, checked beyond what the schema can say. */
function operatorBody(op: CheckOperator, w: WrittenCheck, at: readonly PathSegment[], sink: IssueSink): OperatorBody | undefined {
  switch (op) {
    case 'delta': {
      if (typeof w.delta === 'number') {
        sink.atValue(at, `delta ${w.delta}: write the bound quoted ("+5", "-10%", "±20%"): YAML reads +5 as the number 5, its sign lost`);
        return undefined;
      }
      const bound = parseDeltaBound(w.delta ?? '');
      if ('error' in bound) {
        sink.atValue(at, bound.error);
        return undefined;
      }
      return { op, bound };
    }
    case 'in-range': {
      const [min = 0, max = 0] = w['in-range'] ?? [];
      if (min > max) {
        sink.atValue(at, `in-range [${min}, ${max}]: min is above max`);
        return undefined;
      }
      return { op, min, max };
    }
    case 'is-equal':
    case 'not-equal':
      return { op, value: w[op] ?? '' };
    case 'is-gt':
    case 'is-lt':
      return { op, value: w[op] ?? 0 };
    default:
      return { op };
  }
}

function isCompare(body: OperatorBody): body is Extract<OperatorBody, { op: CompareOperator }> {
  return (COMPARE as readonly string[]).includes(body.op);
}

/** What each operator carries besides what every check has. */
type OperatorBody =
  | { readonly op: 'no-diff' | 'list-not-less' | 'list-not-more' }
  | { readonly op: 'all-same' | 'exists' | 'not-exists' }
  | { readonly op: 'delta'; readonly bound: DeltaBound }
  | { readonly op: 'in-range'; readonly min: number; readonly max: number }
  | { readonly op: 'is-equal' | 'not-equal'; readonly value: string | number }
  | { readonly op: 'is-gt' | 'is-lt'; readonly value: number };

/**
 * A delta bound as written: `-10%`, `+5`, `±20%` (or `+-20%`, or `20%`: either way).
 * Quoted in YAML: a bare +5 is read as the number 5, its sign lost.
 */
export function parseDeltaBound(text: string): DeltaBound | { error: string } {
  const m = /^\s*(\+-|±|\+|-)?\s*(\d+(?:\.\d+)?)\s*(%)?\s*$/.exec(text);
  if (!m) return { error: `delta ${JSON.stringify(text)} is not a bound: write "-10%" (falls by at most 10%), "+5" (rises by at most 5), "±20%" (either way)` };
  const sign = m[1];
  const direction = sign === '-' ? 'down' : sign === '+' ? 'up' : 'both';
  return { text: text.trim(), direction, amount: Number(m[2]), percent: m[3] === '%' };
}

function unknownField(name: string, table: string, fields: readonly string[] | undefined): string {
  return `unknown field '${name}' (${table} has: ${fields?.join(', ') || 'no fields'})`;
}
