import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { Ajv, type AnySchemaObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parseJsonText } from '../plan/json-position.ts';
import { REPORT_FORMAT, type Report } from './json-report.ts';

const require = createRequire(import.meta.url);
const REPORT_SCHEMA = require('../../schemas/report.schema.json') as AnySchemaObject;
// Under NodeNext ajv-formats' CommonJS default export arrives wrapped once more.
const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv }).default;

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
