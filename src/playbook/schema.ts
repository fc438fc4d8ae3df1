import { createRequire } from 'node:module';
import { Ajv2020, type AnySchemaObject, type ValidateFunction } from 'ajv/dist/2020.js';

const require = createRequire(import.meta.url);

/** schemas/playbook.schema.json: the written form, for ajv here and for editors. */
export const PLAYBOOK_SCHEMA = require('../../schemas/playbook.schema.json') as AnySchemaObject;

let compiled: ValidateFunction | undefined;

/**
 * The schema's validator, compiled once. Strict mode catches mistakes in the schema
 * itself; verbose keeps each error's schema and data, which the error sentences need.
 */
export function playbookValidator(): ValidateFunction {
  compiled ??= new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true, verbose: true }).compile(PLAYBOOK_SCHEMA);
  return compiled;
}
