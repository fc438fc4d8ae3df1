import type { ErrorObject } from 'ajv';
import type { PlaybookIssue } from './errors.ts';
import type { PathSegment, YamlSource } from './yaml-source.ts';
import { formatPath } from './path.ts';
import { isRecord, segmentsOf } from '../schema/json-pointer.ts';

/**
 * Turns ajv's errors into sentences located in the YAML. ajv reports every branch of an
 * anyOf and every keyword that failed; a person wants the one that applies: the branch
 * whose type the value has, "must be a string or a mapping" when none has it, one
 * sentence for a step with two kinds.
 */
export function schemaIssues(errors: readonly ErrorObject[], data: unknown, source: YamlSource): PlaybookIssue[] {
  const kept = pickSpecific(errors);
  const issues: PlaybookIssue[] = [];
  const seen = new Set<string>();
  for (const error of kept) {
    const described = describe(error, segmentsOf(error.instancePath, data));
    if (!described) continue;
    const issue: PlaybookIssue = { ...(described.at === 'key' ? source.keySpan(described.span) : source.valueSpan(described.span)), path: formatPath(described.path), message: described.message };
    const id = `${issue.path}\0${issue.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    issues.push(issue);
  }
  return issues;
}

/** Errors kept after the alternatives of anyOf / oneOf are resolved. */
type Picked =
  | { readonly kind: 'ajv'; readonly instancePath: string; readonly error: ErrorObject }
  /** No alternative took a value of this type. */
  | { readonly kind: 'types'; readonly instancePath: string; readonly types: readonly string[] }
  /** Exactly one of these keys was wanted. */
  | { readonly kind: 'choice'; readonly instancePath: string; readonly kinds: readonly string[]; readonly found: readonly string[] };

function pickSpecific(errors: readonly ErrorObject[]): Picked[] {
  const dropped = new Set<ErrorObject>();
  const replaced = new Map<ErrorObject, Picked>();
  for (const e of errors) {
    if (e.keyword === 'if' || e.keyword === 'propertyNames') dropped.add(e);
    if (e.keyword !== 'anyOf' && e.keyword !== 'oneOf') continue;
    const same = errors.filter((x) => x !== e && x.instancePath === e.instancePath && x.propertyName === undefined);
    const kinds = requiredChoices(e);
    if (kinds) {
      // "exactly one of these keys": one sentence instead of a missing key per branch.
      for (const x of same) if (x.keyword === 'required' && x.schemaPath.startsWith(`${e.schemaPath}/`)) dropped.add(x);
      const data = isRecord(e.data) ? e.data : {};
      replaced.set(e, { kind: 'choice', instancePath: e.instancePath, kinds, found: kinds.filter((k) => Object.hasOwn(data, k)) });
      continue;
    }
    const typeErrors = same.filter((x) => x.keyword === 'type');
    const others = same.filter((x) => x.keyword !== 'type' && x.keyword !== 'if' && x.keyword !== 'anyOf' && x.keyword !== 'oneOf');
    const deeper = errors.some((x) => x.instancePath.startsWith(`${e.instancePath}/`) || (x.instancePath === e.instancePath && x.propertyName !== undefined));
    for (const t of typeErrors) dropped.add(t);
    if (others.length === 0 && !deeper) {
      // No alternative accepts this type of value: say which types would do.
      const types = typeErrors.flatMap((t) => typeList(t.params.type));
      replaced.set(e, { kind: 'types', instancePath: e.instancePath, types: [...new Set(types)] });
    } else {
      // The alternative of the value's own type failed: its errors say why.
      dropped.add(e);
    }
  }
  return errors.filter((e) => !dropped.has(e)).map((e) => replaced.get(e) ?? { kind: 'ajv', instancePath: e.instancePath, error: e });
}

/** The keys of a oneOf whose branches each require one key, like a step's kinds. */
function requiredChoices(e: ErrorObject): string[] | undefined {
  const branches = isRecord(e.parentSchema) ? e.parentSchema[e.keyword] : undefined;
  if (!Array.isArray(branches)) return undefined;
  const keys: string[] = [];
  for (const b of branches) {
    const required = isRecord(b) ? b.required : undefined;
    if (!Array.isArray(required) || required.length !== 1 || typeof required[0] !== 'string') return undefined;
    keys.push(required[0]);
  }
  return keys;
}

interface Described {
  /** The path the issue is reported under. */
  readonly path: readonly PathSegment[];
  /** The path of the node it is located at, and whether at its key or its value. */
  readonly span: readonly PathSegment[];
  readonly at: 'key' | 'value';
  readonly message: string;
}

function describe(picked: Picked, path: readonly PathSegment[]): Described | undefined {
  const at = (message: string, span: readonly PathSegment[] = path, where: 'key' | 'value' = 'value'): Described => ({ path, span, at: where, message });
  if (picked.kind === 'choice') {
    const found = picked.found.length > 0 ? picked.found.join(', ') : 'none';
    // The same choice is asked of a step (collect, analyze, ...) and of a notify entry (url, url_env).
    if (path[path.length - 2] === 'checks') return at(`a check needs exactly one operator: ${picked.kinds.join(', ')} (found: ${found})`);
    return at(`${path[path.length - 2] === 'steps' ? 'a step ' : ''}needs exactly one of ${picked.kinds.join(', ')} (found: ${found})`);
  }
  if (picked.kind === 'types') return at(`must be ${typeWords(picked.types)}`);
  const e = picked.error;
  const params = e.params as Record<string, unknown>;
  const parent = isRecord(e.parentSchema) ? e.parentSchema : {};
  if (e.propertyName !== undefined) {
    // Raised inside propertyNames: the key itself is wrong.
    return at(`'${e.propertyName}' is not a valid name: ${valueRule(e, params) ?? e.message ?? 'not allowed'}`, [...path, e.propertyName], 'key');
  }
  switch (e.keyword) {
    case 'required':
      return at(`missing required '${String(params.missingProperty)}'`, path, 'key');
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const expected = isRecord(parent.properties) ? Object.keys(parent.properties) : [];
      return at(`unknown key '${key}'${expected.length > 0 ? ` (expected one of: ${expected.join(', ')})` : ''}`, [...path, key], 'key');
    }
    case 'dependentRequired':
      return at(`'${String(params.property)}' needs '${String(params.missingProperty)}' as well`, [...path, String(params.property)], 'key');
    case 'false schema': {
      // Only dependentSchemas forbid keys in this schema: .../dependentSchemas/<trigger>/properties/<key>/false schema
      const m = /\/dependentSchemas\/([^/]+)\/properties\/([^/]+)\/false schema$/.exec(e.schemaPath);
      if (!m) return at('is not allowed here', path, 'key');
      return { path: path.slice(0, -1), span: path, at: 'key', message: `'${m[2]}' cannot be used together with '${m[1]}'` };
    }
    case 'minProperties':
    case 'maxProperties': {
      const keys = isRecord(e.data) ? Object.keys(e.data) : [];
      const found = keys.length > 0 ? keys.join(', ') : 'none';
      if (parent.minProperties === 1 && parent.maxProperties === 1) {
        const choices = isRecord(parent.properties) ? Object.keys(parent.properties) : [];
        return at(choices.length > 0 ? `needs exactly one of ${choices.join(', ')} (found: ${found})` : `must have exactly one entry (found: ${found})`);
      }
      return at(e.keyword === 'minProperties' ? `must have at least ${String(params.limit)} ${plural(params.limit, 'entry', 'entries')}` : `must have at most ${String(params.limit)} ${plural(params.limit, 'entry', 'entries')}`);
    }
    case 'minItems':
      return at(params.limit === 1 ? 'must not be empty' : `must have at least ${String(params.limit)} items`);
    case 'uniqueItems': {
      const later = Math.max(Number(params.i), Number(params.j));
      const list = Array.isArray(e.data) ? (e.data as unknown[]) : [];
      return { path, span: [...path, later], at: 'value', message: `lists ${JSON.stringify(list[later])} more than once` };
    }
    default:
      return at(valueRule(e, params) ?? e.message ?? `fails the schema's ${e.keyword} rule`);
  }
}

/** Sentences for rules on a single value. */
function valueRule(e: ErrorObject, params: Record<string, unknown>): string | undefined {
  switch (e.keyword) {
    case 'type':
      return `must be ${typeWords(typeList(params.type))}`;
    case 'enum':
      return `must be one of: ${(Array.isArray(params.allowedValues) ? params.allowedValues : []).map(String).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case 'minimum':
      return `must be at least ${String(params.limit)}`;
    case 'maximum':
      return `must be at most ${String(params.limit)}`;
    case 'exclusiveMinimum':
      return `must be greater than ${String(params.limit)}`;
    case 'exclusiveMaximum':
      return `must be less than ${String(params.limit)}`;
    case 'minLength':
      return params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters long`;
    case 'pattern':
      return PATTERN_RULES[e.schemaPath.replace(/\/pattern$/, '')] ?? `must match the pattern ${String(params.pattern)}`;
    default:
      return undefined;
  }
}

/** What each named pattern of the schema means, by the $defs entry it sits in. */
const PATTERN_RULES: Readonly<Record<string, string>> = {
  '#/$defs/identifier': 'must be an identifier (letters, digits and _, not starting with a digit)',
  '#/$defs/xmlName': 'must be an XML element name (letters, digits, _, . and -, starting with a letter or _)',
  '#/$defs/rpc': 'must be an RPC name (letters, digits, _, . and -, starting with a letter or _)',
  '#/$defs/fieldPath': "must be a path like flow-information[direction='In']/source-address, or $node or $spu",
};

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'empty',
};

function typeList(type: unknown): string[] {
  if (Array.isArray(type)) return type.map(String);
  return typeof type === 'string' ? type.split(',') : [];
}

function typeWords(types: readonly string[]): string {
  // An integer is a number: say "a number" once.
  const list = types.includes('number') ? types.filter((t) => t !== 'integer') : [...types];
  const shown = list.filter((t) => t !== 'null');
  if (shown.length <= 1) return TYPE_WORDS[shown[0] ?? ''] ?? 'something else';
  // "true or false" reads badly inside a list of types.
  const words = shown.map((t) => (t === 'boolean' ? 'a boolean' : (TYPE_WORDS[t] ?? t)));
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

function plural(n: unknown, one: string, many: string): string {
  return n === 1 ? one : many;
}

