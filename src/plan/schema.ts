import { createRequire } from 'node:module';
import { Ajv, type AnySchemaObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const require = createRequire(import.meta.url);

/** schemas/plan.schema.json: the written plan, for ajv here and for anyone reading plan.json. */
export const PLAN_SCHEMA = require('../../schemas/plan.schema.json') as AnySchemaObject;

// Under NodeNext ajv-formats' CommonJS default export arrives wrapped once more.
const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv }).default;

let compiled: ValidateFunction | undefined;

/**
 * The schema's validator, compiled once. Strict mode catches mistakes in the schema
 * itself; allErrors lets a hand-edited plan be fixed in one go; verbose keeps each
 * error's schema, which the sentences need.
 */
export function planValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true, verbose: true });
    addFormats(ajv);
    compiled = ajv.compile(PLAN_SCHEMA);
  }
  return compiled;
}
