import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { PlanFileError } from '../../../src/plan/errors.ts';
import { parsePlan, readPlan } from '../../../src/plan/read.ts';
import { PLAN_SCHEMA } from '../../../src/plan/schema.ts';
import type { PlanArtifact } from '../../../src/plan/artifact.ts';
import { mutable, redigest, threeHostPlan } from './builders.ts';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every subschema, with the JSON path it sits at. */
function* subschemas(node: unknown, path = '#'): Generator<[string, Json]> {
  if (!isObject(node)) return;
  yield [path, node];
  for (const [key, child] of Object.entries(node)) {
    if ((key === 'properties' || key === 'definitions') && isObject(child)) {
      for (const [name, prop] of Object.entries(child)) yield* subschemas(prop, `${path}/${key}/${name}`);
    } else if (key === 'items' || key === 'additionalProperties') {
      yield* subschemas(child, `${path}/${key}`);
    }
  }
}

/** Every property schema, with the JSON path it sits at. */
function* properties(node: unknown, path = '#'): Generator<[string, Json]> {
  if (!isObject(node)) return;
  for (const [key, child] of Object.entries(node)) {
    if ((key === 'properties' || key === 'definitions') && isObject(child)) {
      for (const [name, prop] of Object.entries(child)) {
        if (isObject(prop)) {
          if (key === 'properties') yield [`${path}/properties/${name}`, prop];
          yield* properties(prop, `${path}/${key}/${name}`);
        }
      }
    } else if (key === 'items' || key === 'additionalProperties') {
      yield* properties(child, `${path}/${key}`);
    }
  }
}

/** The error parsePlan throws for this data, as JSON text. */
function errorFor(data: unknown): PlanFileError {
  try {
    parsePlan(typeof data === 'string' ? data : JSON.stringify(data, null, 2), 'plan.json');
  } catch (err) {
    assert.ok(err instanceof PlanFileError, `expected a PlanFileError, got ${String(err)}`);
    return err;
  }
  assert.fail('the plan was accepted');
}

/** A sentence, not ajv's own words or pointers. */
function assertSentence(err: PlanFileError): void {
  for (const issue of err.issues) {
    assert.doesNotMatch(issue.message, /instancePath|schemaPath|must be equal to|must NOT have|#\/definitions|\/hosts\//, issue.message);
  }
}

describe('schemas/plan.schema.json', () => {
  it('compiles in ajv strict mode', () => {
    assert.doesNotThrow(() => new Ajv({ strict: true, allowUnionTypes: true }).addFormat('date-time', true).compile(PLAN_SCHEMA));
  });

  it('describes every property, and closes every object it describes', () => {
    const missing = [...properties(PLAN_SCHEMA)].filter(([, p]) => typeof p.description !== 'string' && typeof p.$ref !== 'string').map(([path]) => path);
    assert.deepEqual(missing, []);
    const open = [...subschemas(PLAN_SCHEMA)]
      .filter(([, p]) => isObject(p.properties) && p.additionalProperties !== false)
      .map(([path]) => path);
    assert.deepEqual(open, []);
  });
});

describe('parsePlan', () => {
  it('accepts a realistic plan and returns it as written', () => {
    const plan = threeHostPlan();
    assert.deepEqual(parsePlan(JSON.stringify(plan, null, 2), 'plan.json'), plan);
  });

  it('accepts a byte-order mark before the JSON', () => {
    assert.equal(parsePlan(`\uFEFF${JSON.stringify(threeHostPlan())}`, 'plan.json').hosts.length, 3);
  });

  it('accepts device errors with every field Junos sends', () => {
    const plan = mutable(threeHostPlan());
    plan.hosts[2] = {
      ...plan.hosts[2],
      status: 'failed',
      error: {
        phase: 'collect',
        kind: 'rpc-error',
        step: 'Collect AH sessions',
        message: 'srx-fra-01: get-flow-session-information: syntax error',
        deviceErrors: [{ severity: 'error', message: 'syntax error', type: 'protocol', tag: 'operation-failed', path: '[edit]', badElement: 'protocl', sourceDaemon: 'mgd' }],
      },
    };
    assert.doesNotThrow(() => parsePlan(JSON.stringify(redigest(plan as unknown as PlanArtifact)), 'plan.json'));
  });

  it('locates JSON syntax errors by line and column', () => {
    const err = errorFor('{\n  "format": "runbook-plan/1",\n  "tool": {,\n}');
    assert.equal(err.problem, 'syntax');
    assert.equal(err.file, 'plan.json');
    assert.equal(err.line, 3);
    assert.equal(err.column, 12);
    assert.match(err.message, /^plan\.json:3:12: is not valid JSON: /);
    assert.doesNotMatch(err.message, /position/);
  });

  it('puts a truncated file at its end', () => {
    const text = JSON.stringify(threeHostPlan(), null, 2);
    const cut = text.slice(0, 200);
    const err = errorFor(cut);
    assert.equal(err.problem, 'syntax');
    assert.equal(err.line, cut.split('\n').length);
  });

  it('refuses JSON that is not a plan, and plans of another format, with one sentence', () => {
    const list = errorFor([1, 2]);
    assert.equal(list.problem, 'not-a-plan');
    assert.equal(list.message, 'plan.json: is not a runbook plan: it holds a list, not an object');
    assert.equal(errorFor({ format: 'runbook-report/1' }).message, 'plan.json: is not a runbook plan: it has no "format": "runbook-plan/2"');
    const older = errorFor({ ...threeHostPlan(), format: 'runbook-plan/1' });
    assert.equal(older.problem, 'not-a-plan');
    assert.equal(older.message, 'plan.json: is a plan in format "runbook-plan/1"; this runbook reads "runbook-plan/2" only');
  });

  it('names the JSON path of a schema error in a sentence', () => {
    const plan = mutable(threeHostPlan());
    plan.hosts[1].status = 'done';
    const err = errorFor(plan);
    assert.equal(err.problem, 'schema');
    assert.deepEqual(err.issues, [{ path: 'hosts[1].status', message: 'must be one of: ok, changed, skipped, failed, unreachable (found "done")' }]);
    assert.equal(err.message, 'plan.json: hosts[1].status must be one of: ok, changed, skipped, failed, unreachable (found "done")');
  });

  it('says which key is missing or unknown, and where', () => {
    const plan = mutable(threeHostPlan());
    delete plan.hosts[0].actions;
    plan.hosts[0].action = [];
    delete plan.createdAt;
    const err = errorFor(plan);
    assertSentence(err);
    assert.deepEqual(
      err.issues.map((i) => `${i.path}: ${i.message}`).sort(),
      [
        ": the plan is missing 'createdAt'",
        'hosts[0]: has an unknown key \'action\' (expected one of: host, status, reason, error, vars, evidence, actions, config, log, checks)',
        "hosts[0]: is missing 'actions'",
      ],
    );
    assert.match(err.message, /\(and 2 more\)$/);
    assert.equal(err.format().split('\n').length, 3);
  });

  it('explains wrong types, dates and hashes', () => {
    const plan = mutable(threeHostPlan());
    const actions = plan.hosts[0].actions as Json[];
    actions[1].args = { index: 131073 };
    plan.createdAt = 'yesterday';
    (plan.playbook as Json).sha256 = 'ABC';
    plan.targets = ['srx-ams-01', 'srx-ams-01'];
    const err = errorFor(plan);
    assertSentence(err);
    const byPath = new Map(err.issues.map((i) => [i.path, i.message]));
    assert.equal(byPath.get('hosts[0].actions[1].args.index'), 'must be a string (found 131073)');
    assert.equal(byPath.get('createdAt'), 'must be a date and time like 2025-01-14T09:30:00Z (found "yesterday")');
    assert.equal(byPath.get('playbook.sha256'), 'must be 64 lowercase hex digits (found "ABC")');
    assert.equal(byPath.get('targets'), 'lists "srx-ams-01" more than once');
  });

  it('refuses a playbook text its sha256 does not match', () => {
    const plan = mutable(threeHostPlan());
    (plan.playbook as Json).text = `${String((plan.playbook as Json).text)}  - name: one more step\n`;
    const err = errorFor(plan);
    assert.equal(err.problem, 'inconsistent');
    assert.equal(err.issues[0].path, 'playbook.sha256');
    assert.match(err.issues[0].message, /^does not match playbook\.text \(whose sha256 is [0-9a-f]{64}\): the plan was edited after it was made, or the playbook is not valid UTF-8$/);
  });

  it('refuses a host planned twice or never targeted', () => {
    const plan = mutable(threeHostPlan());
    plan.hosts[1].host = 'srx-ams-01';
    plan.hosts[2].host = 'srx-par-09';
    const err = errorFor(redigest(plan as unknown as PlanArtifact));
    assert.equal(err.problem, 'inconsistent');
    assert.deepEqual(err.issues, [
      { path: 'hosts[1].host', message: 'names "srx-ams-01", which has a plan already' },
      { path: 'hosts[2].host', message: 'names "srx-par-09", which is not among the targets' },
    ]);
  });
});

describe('parsePlan: a plan edited after it was made', () => {
  it('refuses a plan whose content no longer hashes to its digest, whatever was edited', () => {
    const edits: ((p: ReturnType<typeof mutable>) => void)[] = [
      (p) => ((p.hosts[0].actions as unknown[]).length = 1),
      (p) => ((p.extraVars as Record<string, unknown>).top_peers = 30),
      (p) => (p.createdAt = '2099-01-01T00:00:00.000Z'),
      (p) => ((p.hosts[0].vars as Record<string, unknown>).dry_run = true),
    ];
    for (const edit of edits) {
      const plan = mutable(threeHostPlan());
      edit(plan);
      const err = errorFor(plan);
      assert.equal(err.problem, 'inconsistent');
      assert.deepEqual(err.issues.map((i) => i.path), ['digest']);
      assert.match(err.message, /^plan\.json: digest does not match the plan's content \(which hashes to [0-9a-f]{64}\): the plan was edited after it was made$/);
    }
  });

  it('refuses a binding whose sha256 or order does not match what it lists, even with the digest made again', () => {
    const plan = mutable(threeHostPlan());
    const binding = plan.binding as { connections: { address: string }[] };
    binding.connections[0].address = '198.51.100.7';
    const err = errorFor(redigest(plan as unknown as PlanArtifact));
    assert.deepEqual(err.issues.map((i) => i.path), ['binding.sha256']);
    const reordered = mutable(threeHostPlan());
    reordered.targets = [...(reordered.targets as string[])].reverse();
    assert.deepEqual(errorFor(redigest(reordered as unknown as PlanArtifact)).issues.map((i) => i.path), ['binding.connections']);
  });
});

describe('readPlan', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-plan-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a plan file', async () => {
    const file = join(dir, 'plan.json');
    await writeFile(file, `${JSON.stringify(threeHostPlan(), null, 2)}\n`);
    assert.deepEqual(await readPlan(file), threeHostPlan());
  });

  it('says when the file cannot be read, naming it', async () => {
    const missing = join(dir, 'nope.json');
    await assert.rejects(readPlan(missing), (err: unknown) => {
      assert.ok(err instanceof PlanFileError);
      assert.equal(err.problem, 'unreadable');
      assert.equal(err.file, missing);
      assert.equal(err.message, `${missing}: cannot be read: no such file`);
      return true;
    });
    const folder = join(dir, 'folder.json');
    await mkdir(folder);
    await assert.rejects(readPlan(folder), /cannot be read: it is a directory$/);
  });

  it('locates syntax errors in the file', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{\n  "format": "runbook-plan/1"\n  "tool": {}\n}\n');
    await assert.rejects(readPlan(file), (err: unknown) => err instanceof PlanFileError && err.line === 3 && err.column === 3 && err.message.startsWith(`${file}:3:3: is not valid JSON`));
  });
});
