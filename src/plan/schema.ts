import { createRequire } from 'node:module';
import type { Ajv, AnySchemaObject, ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);

/** schemas/plan.schema.json: the written plan, for ajv here and for anyone reading plan.json. */
export const PLAN_SCHEMA = require('../../schemas/plan.schema.json') as AnySchemaObject;

let compiled: ValidateFunction | undefined;

/**
 * The schema's validator, compiled once. Strict mode catches mistakes in the schema
 * itself; allErrors lets a hand-edited plan be fixed in one go; verbose keeps each
 * error's schema, which the sentences need. ajv is loaded here, when first needed: most
 * commands never read a plan.
 */
export function planValidator(): ValidateFunction {
  if (!compiled) {
    const { Ajv } = require('ajv') as typeof import('ajv');
    // ajv-formats' CommonJS export is the function itself (its .default too).
    const addFormats = require('ajv-formats') as (ajv: Ajv) => Ajv;
    const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true, verbose: true });
    addFormats(ajv);
    compiled = ajv.compile(PLAN_SCHEMA);
  }
  return compiled;
}
