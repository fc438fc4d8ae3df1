import { compileExpression } from '../expr/compile.ts';
import { parseTablePath } from '../junos/table.ts';
import { NAMED_TABLES, namedTable } from '../junos/tables/index.ts';
import type { ActionTemplate, FieldSpec, FieldType, LogLine, PipelineOp } from './types.ts';
import type { CompileContext } from './compile-context.ts';
import { elementShape, fieldsOf, withFields, withLoop, type NameScope, type RegisterInfo, type Shape, UNKNOWN } from './name-scope.ts';
import { checkNarrowing, checkRpcCall } from './rpc-check.ts';
import type { WrittenAct, WrittenAnalyze, WrittenCollect, WrittenField, WrittenLogLine, WrittenOp, WrittenPlan } from './written.ts';
import type { PathSegment } from './yaml-source.ts';

/** Minutes a commit confirmed waits for its confirming commit, unless the act step says otherwise. */
export const DEFAULT_CONFIRM_MINUTES = 5;

/** Names a loop variable cannot take: it would hide what every expression relies on. */
export const RESERVED_LOOP_NAMES: ReadonlySet<string> = new Set(['vars', 'host']);

type Path = readonly PathSegment[];

export function normaliseCollect(c: WrittenCollect, at: Path, scope: NameScope, cx: CompileContext) {
  if (c.table !== undefined) return normaliseNamedCollect(c, c.table, at, scope, cx);
  // Without a named table the step declares its own: the schema cannot say "table, or these three".
  for (const key of ['rpc', 'item', 'fields'] as const) if (c[key] === undefined) cx.sink.atKey(at, `missing required '${key}'`);
  const rpc = c.rpc ?? '';
  if (c.rpc !== undefined) checkRpcCall(rpc, c.args ?? {}, at, cx.sink, 'collect');
  const fields: FieldSpec[] = [];
  for (const [name, written] of Object.entries(c.fields ?? {})) {
    const path = typeof written === 'string' ? written : written.path;
    const type = typeof written === 'string' ? 'string' : (written.type ?? 'string');
    if (path === '$node' || path === '$spu') {
      fields.push({ name, kind: 'context', context: path === '$node' ? 'node' : 'spu' });
      continue;
    }
    const parsed = parseTablePath(path);
    if ('error' in parsed) {
      cx.sink.atValue([...at, 'fields', name], `bad path: ${parsed.error}`);
      continue;
    }
    const checks = typeof written === 'string' ? {} : fieldChecks(written, type, [...at, 'fields', name], cx);
    fields.push({ name, kind: 'path', path: parsed.steps, type, ...checks });
  }
  const shape: Shape = { kind: 'table', fields: new Set(fields.map((f) => f.name)) };
  return { body: { kind: 'collect' as const, rpc, args: cx.args([...at, 'args'], c.args ?? {}, scope), item: c.item ?? '', fields }, shape };
}

/**
 * `table: NAME`: the named table's RPC, item and (flat) fields, resolved here so the
 * collect runner reads it as any other table. Its selecting arguments (`summary`) are added to the
 * step's own.
 */
function normaliseNamedCollect(c: WrittenCollect, name: string, at: Path, scope: NameScope, cx: CompileContext) {
  const table = namedTable(name);
  const known = [...NAMED_TABLES.keys()].join(', ');
  if (table === undefined) cx.sink.atValue([...at, 'table'], `unknown table '${name}' (the named tables: ${known})`);
  for (const key of ['item', 'fields'] as const) {
    if (c[key] !== undefined) cx.sink.atKey([...at, key], `give either table or ${key}, not both: table '${name}' declares its item and fields`);
  }
  if (table !== undefined && c.rpc !== undefined && c.rpc !== table.rpc) cx.sink.atValue([...at, 'rpc'], `table '${name}' reads ${table.rpc}, not ${c.rpc}`);
  const rpc = table?.rpc ?? c.rpc ?? '';
  const written = { ...(c.args ?? {}), ...(table?.args ?? {}) };
  if (table !== undefined) checkRpcCall(rpc, written, at, cx.sink, 'collect');
  // Collected records are flat: a list field (flow-sessions' wings) is for the table's view only.
  const fields = (table?.spec.fields ?? []).filter((f): f is FieldSpec => f.kind !== 'list');
  const shape: Shape = { kind: 'table', fields: new Set(fields.map((f) => f.name)) };
  return { body: { kind: 'collect' as const, rpc, args: cx.args([...at, 'args'], written, scope), item: table?.spec.item ?? '', fields }, shape };
}

/** A typed field's bounds and whether it is required; bounds only on integer and number fields. */
function fieldChecks(written: Exclude<WrittenField, string>, type: FieldType, at: Path, cx: CompileContext): { minimum?: number; maximum?: number; required?: true } {
  const numeric = type === 'integer' || type === 'number';
  for (const bound of ['minimum', 'maximum'] as const) {
    if (written[bound] !== undefined && !numeric) cx.sink.atKey([...at, bound], `${bound} bounds integer and number fields; this field is ${type}`);
  }
  if (numeric && written.minimum !== undefined && written.maximum !== undefined && written.minimum > written.maximum) {
    cx.sink.atValue([...at, 'minimum'], `minimum ${written.minimum} is above maximum ${written.maximum}`);
  }
  return {
    ...(numeric && written.minimum !== undefined ? { minimum: written.minimum } : {}),
    ...(numeric && written.maximum !== undefined ? { maximum: written.maximum } : {}),
    ...(written.required === true ? { required: true } : {}),
  };
}

/** `register` is the step's own: a pipeline's evidence reads the rows it gives by that name. */
export function normaliseAnalyze(a: WrittenAnalyze, at: Path, scope: NameScope, cx: CompileContext, register?: string) {
  if (a.require !== undefined) {
    const body = {
      kind: 'analyze' as const,
      mode: 'require' as const,
      require: cx.expression([...at, 'require'], a.require, scope),
      otherwise: cx.template([...at, 'otherwise'], a.otherwise ?? '', scope),
      evidence: evidenceOf(a.evidence, at, scope, cx),
    };
    return { body, shape: undefined };
  }
  const fromText = a.from ?? '';
  const from = cx.expression([...at, 'from'], fromText, scope);
  let fields = fieldsOf(elementShape(fromText, scope));
  const pipeline: PipelineOp[] = [];
  (a.pipeline ?? []).forEach((op, j) => {
    const result = normaliseOp(op, [...at, 'pipeline', j], fields, scope, cx);
    if (result) {
      pipeline.push(result.op);
      fields = result.fields;
    }
  });
  const shape: Shape = fields ? { kind: 'rows', fields } : { kind: 'rows' };
  const evidence = evidenceOf(a.evidence, at, register !== undefined ? withLoop(scope, register, shape) : scope, cx);
  return { body: { kind: 'analyze' as const, mode: 'pipeline' as const, from, pipeline, evidence }, shape };
}

/** Named evidence expressions, each compiled where it is written (`<at>.evidence.<name>`). */
function evidenceOf(written: Readonly<Record<string, string>> | undefined, at: Path, scope: NameScope, cx: CompileContext) {
  return Object.fromEntries(Object.entries(written ?? {}).map(([name, text]) => [name, cx.expression([...at, 'evidence', name], text, scope)]));
}

/**
 * One pipeline op, and the fields of the records it gives. Fields are tracked where they
 * can be told (a collect's declared fields, count_by's {field, count}, what set and join
 * add) and unknown otherwise, when any name is let through.
 */
function normaliseOp(op: WrittenOp, at: Path, fields: ReadonlySet<string> | undefined, scope: NameScope, cx: CompileContext): { op: PipelineOp; fields: ReadonlySet<string> | undefined } | undefined {
  const checkField = (name: string, path: Path, list = fields, where: 'key' | 'value' = 'value', whose = 'the records here'): void => {
    if (!list || list.has(name)) return;
    const message = `unknown field '${name}' (${whose} have: ${[...list].join(', ') || 'no fields'})`;
    if (where === 'key') cx.sink.atKey(path, message);
    else cx.sink.atValue(path, message);
  };
  if (op.filter !== undefined) {
    return { op: { op: 'filter', test: cx.expression([...at, 'filter'], op.filter, withFields(scope, fields)) }, fields };
  }
  if (op.count_by !== undefined) {
    checkField(op.count_by, [...at, 'count_by']);
    return { op: { op: 'count_by', field: op.count_by }, fields: new Set([op.count_by, 'count']) };
  }
  if (op.sort !== undefined) {
    checkField(op.sort.by, [...at, 'sort', 'by']);
    return { op: { op: 'sort', by: op.sort.by, order: op.sort.order ?? 'asc' }, fields };
  }
  if (op.limit !== undefined) {
    // The engine evaluates limit once against the scope, not per record.
    const count =
      typeof op.limit === 'number'
        ? compileExpression(String(op.limit), cx.source.valueSpan([...at, 'limit']))
        : cx.expression([...at, 'limit'], op.limit, scope);
    return { op: { op: 'limit', count }, fields };
  }
  if (op.set !== undefined) {
    const recordScope = withFields(scope, fields);
    const exprs = Object.fromEntries(Object.entries(op.set).map(([name, text]) => [name, cx.expression([...at, 'set', name], text, recordScope)]));
    return { op: { op: 'set', fields: exprs }, fields: fields ? new Set([...fields, ...Object.keys(op.set)]) : undefined };
  }
  if (op.join !== undefined) {
    const j = op.join;
    const withExpr = cx.expression([...at, 'join', 'with'], j.with, scope);
    const theirs = fieldsOf(elementShape(j.with, scope));
    const [pair] = Object.entries(j.on);
    const [left, right] = pair ?? ['', ''];
    checkField(left, [...at, 'join', 'on', left], fields, 'key');
    checkField(right, [...at, 'join', 'on', left], theirs, 'value', 'the joined records');
    checkField(j.collect, [...at, 'join', 'collect'], theirs, 'value', 'the joined records');
    return {
      op: { op: 'join', with: withExpr, on: { left, right }, collect: j.collect, as: j.as, distinct: j.distinct ?? false },
      fields: fields ? new Set([...fields, j.as]) : undefined,
    };
  }
  return undefined;
}

export function normalisePlan(p: WrittenPlan, at: Path, scope: NameScope, cx: CompileContext) {
  const as = loopName(p.as, [...at, 'as'], cx);
  const forEach = p.for_each !== undefined ? cx.expression([...at, 'for_each'], p.for_each, scope) : undefined;
  const inner = p.for_each !== undefined ? withLoop(scope, as, elementShape(p.for_each, scope)) : scope;
  const actions: ActionTemplate[] = p.actions.map((a, j): ActionTemplate => {
    const path = [...at, 'actions', j];
    if (a.config !== undefined) return { kind: 'config', lines: a.config.map((line, k) => cx.template([...path, 'config', k], line, inner)) };
    const rpc = a.rpc ?? '';
    checkRpcCall(rpc, a.args ?? {}, path, cx.sink, 'action');
    checkNarrowing(rpc, a.args ?? {}, a.all === true, path, cx.sink);
    const actionAs = loopName(a.as, [...path, 'as'], cx);
    const actionForEach = a.for_each !== undefined ? cx.expression([...path, 'for_each'], a.for_each, inner) : undefined;
    const argScope = a.for_each !== undefined ? withLoop(inner, actionAs, elementShape(a.for_each, inner)) : inner;
    const args = cx.args([...path, 'args'], a.args ?? {}, argScope);
    const wide = a.all === true;
    return actionForEach ? { kind: 'rpc', rpc, args, forEach: actionForEach, as: actionAs, wide } : { kind: 'rpc', rpc, args, as: actionAs, wide };
  });
  // Evidence is evaluated once for the whole plan: no loop variable is bound.
  const evidence = evidenceOf(p.evidence, at, scope, cx);
  const body = forEach ? { kind: 'plan' as const, forEach, as, actions, evidence } : { kind: 'plan' as const, as, actions, evidence };
  return { body, shape: UNKNOWN };
}

export function normaliseAct(a: WrittenAct, at: Path, scope: NameScope, cx: CompileContext) {
  const verify = a?.verify ?? [];
  verify.forEach((name, k) => {
    const where = [...at, 'verify', k];
    const register: RegisterInfo | undefined = scope.registers.get(name);
    if (!register) {
      const collects = [...scope.registers.values()].filter((r) => r.kind === 'collect').map((r) => r.name);
      cx.sink.atValue(where, `verify names '${name}', which no earlier step registers (collect registers: ${collects.join(', ') || 'none'})`);
    } else if (register.kind !== 'collect') {
      cx.sink.atValue(where, `verify names '${name}', registered by step ${register.index + 1} (${register.kind}): verify runs collect steps again, so it takes collect registers only`);
    }
  });
  // verify_that reads the re-collected registers, and the earlier values under `before`.
  const afterScope = withLoop(scope, 'before', UNKNOWN);
  const verifyThat = (a?.verify_that ?? []).map((text, k) => ({ test: cx.expression([...at, 'verify_that', k], text, afterScope), text }));
  const commitComment = cx.template([...at, 'commit_comment'], a?.commit_comment ?? '', withLoop(scope, 'playbook', UNKNOWN));
  return {
    body: {
      kind: 'act' as const,
      onError: a?.on_error ?? 'continue',
      verify,
      verifyThat,
      confirmMinutes: a?.confirm_timeout ?? DEFAULT_CONFIRM_MINUTES,
      commitComment,
      allowPlanSubset: a?.allow_plan_subset ?? false,
    },
    shape: undefined,
  };
}

export function normaliseLog(lines: readonly WrittenLogLine[], at: Path, scope: NameScope, cx: CompileContext): LogLine[] {
  return lines.map((line, k): LogLine => {
    const path = [...at, k];
    if (typeof line === 'string') return { kind: 'say', text: cx.template(path, line, scope), level: 1 };
    const level = line.level ?? 1;
    if (line.each === undefined) return { kind: 'say', text: cx.template([...path, 'say'], line.say, scope), level };
    const as = loopName(line.as, [...path, 'as'], cx);
    const each = cx.expression([...path, 'each'], line.each, scope);
    const text = cx.template([...path, 'say'], line.say, withLoop(scope, as, elementShape(line.each, scope)));
    return { kind: 'each', each, as, text, level };
  });
}

/** A loop variable's name: `item` unless given, never one that hides vars or host. */
function loopName(name: string | undefined, path: Path, cx: CompileContext): string {
  if (name !== undefined && RESERVED_LOOP_NAMES.has(name)) {
    cx.sink.atValue(path, `'${name}' cannot name a loop variable: it would hide ${name} from the expressions inside the loop`);
  }
  return name ?? 'item';
}
