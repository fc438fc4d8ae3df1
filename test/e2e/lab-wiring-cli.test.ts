import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';

describe('runbook apply: lab variables the simulator cannot honour', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'runbook-lab-wiring-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 2 at the value\'s line and column, and starts nothing', async () => {
    const inventory = join(dir, 'inventory.yml');
    writeFileSync(inventory, 'all:\n  hosts:\n    lab-x:\n      lab_scenario: nope\n');
    const audit = join(dir, 'audit.jsonl');
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--audit-log', audit, '--lock-dir', dir, '-q']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.ok(r.stderr.includes(`${inventory}:4:21: lab_scenario must be a lab scenario (`), r.stderr);
    assert.equal(existsSync(audit), false);
  });
});
