import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';

/** The members of a string-literal union type in src/contracts/results.ts, read from its source. */
function unionMembers(source: string, type: string): string[] {
  const m = new RegExp(`export type ${type} =([\\s\\S]*?);`).exec(source.replace(/\/\*[\s\S]*?\*\//g, ''));
  assert.ok(m, type);
  return [...m[1]!.matchAll(/\|\s*(?:'([^']+)'|(\w+))/g)].flatMap((x) => (x[1] !== undefined ? [x[1]] : unionMembers(source, x[2]!)));
}

function failureKindDescription(schemaFile: string): string {
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as { definitions: { failure: { properties: { kind: { description: string } } } } };
  return schema.definitions.failure.properties.kind.description;
}

const KINDS = unionMembers(readFileSync('src/contracts/results.ts', 'utf8'), 'FailureKind');

it('schemas: the report\'s and the plan\'s failure kind descriptions name every FailureKind', () => {
  assert.ok(KINDS.includes('connect') && KINDS.includes('backup') && KINDS.includes('internal'), KINDS.join(' '));
  for (const file of ['schemas/report.schema.json', 'schemas/plan.schema.json']) {
    const words = new Set(failureKindDescription(file).split(/[\s,.()]+/));
    assert.deepEqual(KINDS.filter((k) => !words.has(k)), [], file);
  }
});

it('schemas: the report describes the host\'s backup, its git commit, and says restore writes it too', () => {
  const schema = JSON.parse(readFileSync('schemas/report.schema.json', 'utf8')) as { description: string; definitions: { host: { properties: { backup: { description: string; properties: { git: { description: string } } } } } } };
  assert.match(schema.description, /backup/);
  assert.match(schema.description, /restore --report/);
  assert.match(schema.definitions.host.properties.backup.description, /runbook restore/);
  assert.match(schema.definitions.host.properties.backup.properties.git.description, /itself the top of a git repository/);
});
