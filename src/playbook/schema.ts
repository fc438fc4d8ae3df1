import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { AnySchemaObject, Options, ValidateFunction } from 'ajv/dist/2020.js';

const require = createRequire(import.meta.url);

/** schemas/playbook.schema.json: the written form, for ajv here and for editors. */
export const PLAYBOOK_SCHEMA = require('../../schemas/playbook.schema.json') as AnySchemaObject;

/**
 * The validator compiled to JavaScript by the build (scripts/build.mjs), beside this module
 * in dist/. Compiling the schema is half of `runbook validate`'s time; running from src/
 * (tsx, tests) there is no such file and the schema is compiled here.
 */
export const PRECOMPILED_VALIDATOR = 'playbook-validator.cjs';

/** Strict mode catches mistakes in the schema itself; verbose keeps each error's schema and data, which the error sentences need. */
const OPTIONS: Options = { strict: true, allErrors: true, allowUnionTypes: true, verbose: true };

let compiled: ValidateFunction | undefined;

/** The schema's validator: the build's, else compiled once. ajv itself is loaded only to compile. */
export function playbookValidator(): ValidateFunction {
  const built = new URL(PRECOMPILED_VALIDATOR, import.meta.url);
  compiled ??= existsSync(built) ? (require(fileURLToPath(built)) as ValidateFunction) : newAjv({}).compile(PLAYBOOK_SCHEMA);
  return compiled;
}

/** The validator as a CommonJS module (ajv's standalone code), for the build to write as PRECOMPILED_VALIDATOR. */
export function playbookValidatorSource(): string {
  const standaloneCode = (require('ajv/dist/standalone/index.js') as typeof import('ajv/dist/standalone/index.js')).default;
  const ajv = newAjv({ code: { source: true } });
  return standaloneCode(ajv, ajv.compile(PLAYBOOK_SCHEMA));
}

function newAjv(extra: Options) {
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  return new Ajv2020({ ...OPTIONS, ...extra });
}
