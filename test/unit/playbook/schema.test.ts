import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { RPCS } from '../../../src/junos/catalog.ts';
import { PLAYBOOK_SCHEMA } from '../../../src/playbook/schema.ts';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every subschema, with the JSON path it sits at. */
function* subschemas(node: unknown, path = '#'): Generator<[string, Json]> {
  if (Array.isArray(node)) {
    for (const [i, child] of node.entries()) yield* subschemas(child, `${path}/${i}`);
    return;
  }
  if (!isObject(node)) return;
  yield [path, node];
  for (const [key, child] of Object.entries(node)) {
    if (key === 'enum' || key === 'examples' || key === 'default' || key === 'required') continue;
    if (key === 'properties' && isObject(child)) {
      for (const [name, prop] of Object.entries(child)) yield* subschemas(prop, `${path}/properties/${name}`);
    } else {
      yield* subschemas(child, `${path}/${key}`);
    }
  }
}

describe('schemas/playbook.schema.json', () => {
  it('compiles in ajv strict mode', () => {
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
    assert.doesNotThrow(() => ajv.compile(PLAYBOOK_SCHEMA));
  });

  it('describes every property, for editors', () => {
    const missing: string[] = [];
    for (const [path, schema] of subschemas(PLAYBOOK_SCHEMA)) {
      if (!isObject(schema.properties)) continue;
      for (const [name, prop] of Object.entries(schema.properties)) {
        // Boolean schemas are not definitions: `true` marks a key a oneOf branch requires
        // (ajv's strictRequired), `false` forbids a key next to another (dependentSchemas).
        if (typeof prop === 'boolean') continue;
        if (!isObject(prop) || typeof prop.description !== 'string' || prop.description === '') missing.push(`${path}/properties/${name}`);
      }
    }
    for (const [name, def] of Object.entries(PLAYBOOK_SCHEMA.$defs as Json)) {
      if (!isObject(def) || typeof def.description !== 'string') missing.push(`#/$defs/${name}`);
    }
    assert.deepStrictEqual(missing, []);
  });

  it('closes every mapping with fixed keys (additionalProperties: false)', () => {
    const open: string[] = [];
    for (const [path, schema] of subschemas(PLAYBOOK_SCHEMA)) {
      const types = Array.isArray(schema.type) ? schema.type : [schema.type];
      if (types.includes('object') && isObject(schema.properties) && schema.additionalProperties !== false) open.push(path);
    }
    assert.deepStrictEqual(open, []);
  });

  it('lists the catalog RPCs as examples', () => {
    assert.deepStrictEqual(((PLAYBOOK_SCHEMA.$defs as Json).rpc as Json).examples, Object.keys(RPCS));
  });

  it('accepts every shipped playbook and the valid fixture', () => {
    const validate = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true }).compile(PLAYBOOK_SCHEMA);
    for (const file of [...readdirSync('playbooks').map((f) => `playbooks/${f}`), 'test/fixtures/playbooks/valid-minimal.yml']) {
      const ok = validate(parse(readFileSync(file, 'utf8')));
      assert.ok(ok, `${file}: ${JSON.stringify(validate.errors)}`);
    }
  });

  it('is the schema the shipped playbook points editors at', () => {
    assert.match(readFileSync('playbooks/ah-cleanup.yml', 'utf8'), /^# yaml-language-server: \$schema=\.\.\/schemas\/playbook\.schema\.json$/m);
  });
});
