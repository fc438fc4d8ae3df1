import type { ErrorObject } from 'ajv';
import { formatPath } from '../playbook/path.ts';
import type { PlanIssue } from './errors.ts';
import { isRecord, segmentsOf } from '../schema/json-pointer.ts';

/**
 * ajv's errors as sentences naming the JSON path, like "hosts[1].status must be one of:
 * ok, changed, skipped, failed, unreachable". The plan's schema has no alternatives
 * (anyOf/oneOf), so every error ajv reports is one a person should read.
 */
export function schemaIssues(errors: readonly ErrorObject[], data: unknown): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const issue = describe(e, data);
    const id = `${issue.path}\0${issue.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    issues.push(issue);
  }
  return issues;
}

function describe(e: ErrorObject, data: unknown): PlanIssue {
  const segments = segmentsOf(e.instancePath, data);
  const path = formatPath(segments);
  const params = e.params as Record<string, unknown>;
  // At the root there is no path to name: the sentence needs a subject.
  const at = (predicate: string): PlanIssue => ({ path, message: path === '' ? `the plan ${predicate}` : predicate });
  switch (e.keyword) {
    case 'required':
      return at(`is missing '${String(params.missingProperty)}'`);
    case 'additionalProperties': {
      const parent = isRecord(e.parentSchema) ? e.parentSchema : {};
      const expected = isRecord(parent.properties) ? Object.keys(parent.properties) : [];
      const key = String(params.additionalProperty);
      const which = expected.length > 0 ? ` (expected one of: ${expected.join(', ')})` : '';
      return at(`has an unknown key '${key}'${which}`);
    }
    case 'type':
      return at(`must be ${typeWords(params.type)}${found(e.data)}`);
    case 'enum':
      return at(`must be one of: ${(Array.isArray(params.allowedValues) ? params.allowedValues : []).map(String).join(', ')}${found(e.data)}`);
    case 'const':
      return at(`must be ${JSON.stringify(params.allowedValue)}${found(e.data)}`);
    case 'format':
      return at(params.format === 'date-time' ? `must be a date and time like 2025-01-14T09:30:00Z${found(e.data)}` : `must be a ${String(params.format)}${found(e.data)}`);
    case 'pattern':
      return at(e.instancePath.endsWith('/sha256') ? `must be 64 lowercase hex digits${found(e.data)}` : `must match ${String(params.pattern)}${found(e.data)}`);
    case 'minLength':
      return at('must not be empty');
    case 'uniqueItems': {
      const later = Math.max(Number(params.i), Number(params.j));
      const list = Array.isArray(e.data) ? (e.data as unknown[]) : [];
      return at(`lists ${JSON.stringify(list[later])} more than once`);
    }
    default:
      return at(`breaks the schema's ${e.keyword} rule`);
  }
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

function typeWords(type: unknown): string {
  const types = Array.isArray(type) ? type.map(String) : String(type).split(',');
  const words = types.map((t) => (t === 'boolean' && types.length > 1 ? 'a boolean' : (TYPE_WORDS[t] ?? t)));
  return words.length <= 1 ? (words[0] ?? 'something else') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** " (found 42)": what is there instead, short, so a person can find it in the file. */
function found(data: unknown): string {
  if (data === undefined) return '';
  if (isRecord(data)) return ' (found an object)';
  if (Array.isArray(data)) return ' (found a list)';
  const text = JSON.stringify(data) ?? String(data);
  return ` (found ${text.length > 60 ? `${text.slice(0, 57)}...` : text})`;
}

