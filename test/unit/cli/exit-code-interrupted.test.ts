import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ExitCode, exitCodeOf } from '../../../src/cli/exit-codes.ts';
import type { RunResult } from '../../../src/contracts/results.ts';

const run = (over: Partial<RunResult>): RunResult => ({
  playbook: { file: 'p.yml', name: 'p', sha256: '0' },
  dryRun: true,
  startedAt: '',
  finishedAt: '',
  interrupted: false,
  hosts: [],
  notRun: [],
  recap: { ok: 0, changed: 0, skipped: 0, failed: 0, unreachable: 0 },
  ...over,
});

it('an interrupted run exits 130 even when a host failed or the rollout stopped', () => {
  assert.equal(exitCodeOf(run({ interrupted: true, recap: { ok: 0, changed: 0, skipped: 0, failed: 1, unreachable: 1 } })), ExitCode.Interrupted);
  assert.equal(exitCodeOf(run({ interrupted: true, stopped: { reason: 'budget', afterBatch: 1 } })), ExitCode.Interrupted);
  assert.equal(exitCodeOf(run({ recap: { ok: 0, changed: 0, skipped: 0, failed: 1, unreachable: 0 } })), ExitCode.HostsFailed);
});
