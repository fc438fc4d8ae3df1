import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import type { Ajv, AnySchemaObject, ValidateFunction } from 'ajv';
import { parseJsonText } from '../plan/json-position.ts';
import { REPORT_FORMAT, type Report } from './json-report.ts';

const require = createRequire(import.meta.url);
const REPORT_SCHEMA = require('../../schemas/report.schema.json') as AnySchemaObject;

/** A report file that cannot be read as a runbook report; the message is located (file:line:col or file: path). */
export class ReportFileError extends Error {
  override readonly name = 'ReportFileError';
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
  }
}

let compiled: ValidateFunction | undefined;

/** Reads a JSON report written by `apply --report`, checked against schemas/report.schema.json. */
export async function readReport(file: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ReportFileError(file, `cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new ReportFileError(`${file}:${parsed.line}:${parsed.column}`, `is not valid JSON: ${parsed.reason}`);
  const data = parsed.data;
  const format = typeof data === 'object' && data !== null ? (data as Record<string, unknown>).format : undefined;
  if (format !== REPORT_FORMAT) throw new ReportFileError(file, `is not a runbook report: it has no "format": "${REPORT_FORMAT}"`);
  if (!compiled) {
    // ajv is loaded here, when first needed: only `runbook report` reads a report.
    const { Ajv } = require('ajv') as typeof import('ajv');
    const addFormats = require('ajv-formats') as (ajv: Ajv) => Ajv;
    const ajv = new Ajv({ strict: false, allErrors: false });
    addFormats(ajv);
    compiled = ajv.compile(REPORT_SCHEMA);
  }
  if (!compiled(data)) {
    const e = compiled.errors?.[0];
    throw new ReportFileError(file, `does not match schemas/report.schema.json: ${e?.instancePath || '(top)'} ${e?.message ?? ''}`.trim());
  }
  return data as Report;
}
