import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';

describe('runbook apply playbooks/ah-cleanup.yml with no inventory', () => {
  it('runs against the built-in lab: progress, per-host results and the recap', async () => {
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-v'], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stdout.split('\n')[0], 'runbook: built-in lab: 5 simulated SRX on 127.0.0.1 · DRY RUN', 'the first line names the target and the mode');
    assert.match(r.stdout, /DRY RUN: 5 hosts/);
    assert.match(r.stdout, /lab-srx-01 \| collect: Collect AH sessions/);
    assert.match(r.stdout, /Statements to be executed \(dry run\):\n {4}clear security ike security-associations \d+\.0\.0\.\d+/);
    assert.match(r.stdout, /PLAY RECAP \(dry run/);
    assert.match(r.stdout, /lab-srx-03 +skipped +\d+ AH sessions < min_total_sessions 10000/);
    assert.match(r.stdout, /ok=0 changed=4 skipped=1 failed=0 unreachable=0/);
  });
});
