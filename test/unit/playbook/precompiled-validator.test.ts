import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { PLAYBOOK_SCHEMA, playbookValidatorSource } from '../../../src/playbook/schema.ts';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const fixtures = [
  ...readdirSync(join(repo, 'test/fixtures/playbooks')).map((f) => join(repo, 'test/fixtures/playbooks', f)),
  ...readdirSync(join(repo, 'playbooks')).map((f) => join(repo, 'playbooks', f)),
].filter((f) => f.endsWith('.yml') && !f.endsWith('yaml-syntax.yml'));

describe('the precompiled playbook validator (what the build writes into dist/)', () => {
  // The generated module requires ajv's runtime helpers: it sits in a temp dir that sees node_modules.
  const dir = mkdtempSync(join(tmpdir(), 'runbook-validator-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'validator.cjs'), playbookValidatorSource());
  const precompiled = createRequire(import.meta.url)(join(dir, 'validator.cjs')) as ValidateFunction;
  const compiled = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true, verbose: true }).compile(PLAYBOOK_SCHEMA);

  it('finds the same errors as the schema compiled at run time, good and bad playbooks alike', () => {
    let bad = 0;
    for (const file of fixtures) {
      const data: unknown = parse(readFileSync(file, 'utf8'));
      const ok = compiled(data);
      assert.equal(precompiled(data), ok, file);
      assert.deepEqual(precompiled.errors ?? null, compiled.errors ?? null, file);
      if (!ok) bad++;
    }
    assert.ok(bad >= 5, `the fixtures hold schema errors (${bad})`);
  });
});
