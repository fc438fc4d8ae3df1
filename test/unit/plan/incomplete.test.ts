import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readPlan } from '../../../src/plan/read.ts';
import { renderPlan } from '../../../src/plan/render.ts';
import { runCli } from '../../helpers/cli.ts';
import { changedHost, threeHostPlan } from './builders.ts';

/** A planning run stopped by Ctrl-C writes what it planned, marked incomplete: never applied. */
describe('an incomplete plan (its planning run was interrupted)', () => {
  let dir: string;
  const plan = threeHostPlan({ hosts: [changedHost()], targets: ['srx-ams-01', 'srx-ams-02', 'srx-fra-01'], incomplete: { notPlanned: ['srx-ams-02', 'srx-fra-01'] } });
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-incomplete-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('is a valid plan whose digest covers the mark, and whose ticket says so first', async () => {
    const file = join(dir, 'plan.json');
    await writeFile(file, JSON.stringify(plan));
    const read = await readPlan(file);
    assert.deepEqual(read.incomplete, { notPlanned: ['srx-ams-02', 'srx-fra-01'] });
    // Dropping the mark by hand breaks the digest: an edited plan is refused.
    const { incomplete: _dropped, ...unmarked } = plan;
    await writeFile(join(dir, 'unmarked.json'), JSON.stringify(unmarked));
    await assert.rejects(readPlan(join(dir, 'unmarked.json')), /digest/);
    const md = renderPlan(read, 'md');
    assert.match(md.split('\n').slice(0, 5).join('\n'), /INCOMPLETE: the planning run was interrupted before it planned srx-ams-02, srx-fra-01; apply --plan refuses this plan\./);
  });

  it('is refused by apply --plan before anything is resolved or contacted (exit 2)', async () => {
    const file = join(dir, 'fresh.json');
    // Made now (the digest covers createdAt), so only the mark can be why it is refused.
    const fresh = threeHostPlan({ hosts: [changedHost()], targets: ['srx-ams-01', 'srx-ams-02', 'srx-fra-01'], incomplete: { notPlanned: ['srx-ams-02', 'srx-fra-01'] }, createdAt: new Date().toISOString() });
    await writeFile(file, JSON.stringify(fresh));
    const r = await runCli(['apply', '--plan', file, '--yes', '--audit-log', join(dir, 'audit.jsonl'), '--lock-dir', dir]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /is incomplete: its planning run was interrupted before it planned srx-ams-02, srx-fra-01; make the plan again/);
  });
});
