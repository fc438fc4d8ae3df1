import assert from 'node:assert/strict';
import { it } from 'node:test';
import { restoreRunResult, restoreSyslogLine } from '../../../src/cli/restore-result.ts';

const START = new Date('2026-12-04T23:00:00.000Z');
const END = new Date('2026-12-04T23:00:02.500Z');

it('restore result: a host never reached is unreachable with its connect failure, no config, no backup', () => {
  const run = { host: 'srx1', from: 'b.conf', text: 'system {}\n', dryRun: false, startedAt: START, outcome: { failure: { phase: 'connect', kind: 'connect', message: 'connect ECONNREFUSED 127.0.0.1:1\nretry later' } as const } };
  const r = restoreRunResult(run, END);
  const h = r.hosts[0]!;
  assert.equal(h.status, 'unreachable');
  assert.equal(h.error?.kind, 'connect');
  assert.equal(h.config, undefined);
  assert.equal(h.backup, undefined);
  assert.equal(h.ms, 2500);
  assert.deepEqual(r.recap, { ok: 0, changed: 0, skipped: 0, failed: 0, unreachable: 1 });
  assert.match(r.playbook.sha256, /^[0-9a-f]{64}$/);
  assert.equal(restoreSyslogLine(run), 'restore from b.conf: unreachable: connect ECONNREFUSED 127.0.0.1:1 retry later');
});

it('restore result: a rolled-back change is failed, carrying the change and the backup of what it replaced', () => {
  const config = { statements: [], diff: '-x\n+y\n', result: 'rolled-back', confirmMinutes: 5, reason: 'verify failed', warnings: [], trail: ['lock'] } as const;
  const backup = { text: '/b/srx1/x.conf', set: '/b/srx1/x.set', commit: {}, readAt: START.toISOString() };
  const run = { host: 'srx1', from: 'b.conf', text: 'x', dryRun: false, startedAt: START, outcome: { config, backup, failure: { phase: 'verify', kind: 'verify', message: 'verify failed' } as const } };
  const h = restoreRunResult(run, END).hosts[0]!;
  assert.equal(h.status, 'failed');
  assert.equal(h.config?.result, 'rolled-back');
  assert.deepEqual(h.backup, backup);
  assert.equal(restoreSyslogLine(run), 'restore from b.conf: failed, configuration rolled-back: verify failed');
});
