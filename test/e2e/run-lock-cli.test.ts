import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { lockFileFor, processStartOf } from '../../src/cli/run-lock.ts';
import { runCli } from '../helpers/cli.ts';

/**
 * The lock is held by this test process itself (a lock file naming its own pid and
 * start), so no run under test races another's start-up for it.
 */
describe('runbook apply and plan: who takes the run lock', () => {
  let dir: string;
  let inventory: string;
  let link: string;
  let lockDir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'runbook-lock-cli-'));
    inventory = join(dir, 'inventory.yml');
    // One in-process lab host, a quiet one: the playbook stops before planning.
    writeFileSync(inventory, 'all:\n  hosts:\n    lab-quiet: { lab_scenario: busy, lab_seed: 3 }\n');
    link = join(dir, 'via-link.yml');
    symlinkSync(inventory, link);
    lockDir = join(dir, 'locks');
    mkdirSync(lockDir);
    writeFileSync(lockFileFor([inventory], lockDir), JSON.stringify({ pid: process.pid, processStart: processStartOf(process.pid), host: hostname(), startedAt: new Date().toISOString(), command: 'the test' }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const common = () => ['--lock-dir', lockDir, '--audit-log', join(dir, 'audit.jsonl'), '-q'];

  it('an acting run through a symlink to a held inventory exits 5: the key is the real path', async () => {
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', link, '-e', 'dry_run=false', '--yes', ...common()]);
    assert.equal(r.code, 5, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`another runbook run \\(pid ${process.pid} on .*: the test\\) holds the lock for this inventory`));
    assert.equal(existsSync(join(dir, 'audit.jsonl')), false);
  });

  it('two dry runs at once both run while an acting run holds the lock: a dry run never takes it', async () => {
    const [a, b] = await Promise.all([
      runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, ...common()]),
      runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', link, ...common()]),
    ]);
    assert.equal(a.code, 0, a.stdout + a.stderr);
    assert.equal(b.code, 0, b.stdout + b.stderr);
  });

  it('--check and plan do not take it either', async () => {
    const check = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '-e', 'dry_run=false', '--check', ...common()]);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    const plan = await runCli(['plan', 'playbooks/ah-cleanup.yml', '-i', inventory, '-q', '-o', join(dir, 'plan.json')]);
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  });
});
