import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runConfigChange, type ConfigChangeOptions } from '../../../src/steps/config-change.ts';
import { captured, DIFF, FakeAudit, FakeConfigDevice, reply, rpcError, type Answer, type AuditFaults, type ConfigRpc } from './fake-config-device.ts';

const STATEMENTS = ['set security flow aging early-ageout 20', 'delete security flow tcp-session fin-invalidate-session'];
const COMMENT = 'runbook: flow aging';
const AFTER = ' (after commit confirmed: the device rolls the change back by itself within 5 min unless it is confirmed)';

/** The audit lines of the RPCs a change sends, by their CLI form. */
const LOAD = 'load set terminal';
const CONFIRMED = `commit confirmed 5 comment "${COMMENT}"`;
const CONFIRM = `commit comment "${COMMENT}"`;
const ROLLBACK_COMMIT = `commit comment "${COMMENT} (rolled back: verify failed)"`;

const LOCK_DENIED = rpcError({
  severity: 'error',
  type: 'protocol',
  tag: 'lock-denied',
  message: '\nconfiguration database locked by:\n  admin terminal  (pid 4242) on since 2024-05-06 12:59:49 UTC, idle 00:03:12\n      exclusive \n',
  sessionId: 4242,
});
const NOT_LOCKED = rpcError({ severity: 'error', type: 'protocol', tag: 'operation-failed', message: '\nconfiguration database not locked\n' });
const MISSING_MANDATORY = "mgd: Missing mandatory statement: 'root-authentication' (bad-element system, path [edit]); configuration check-out failed: (missing mandatory statements)";

interface Run {
  readonly answers?: Partial<Record<ConfigRpc, Answer>>;
  readonly opts?: Partial<ConfigChangeOptions>;
  readonly auditFaults?: AuditFaults;
}

/** One change against the fake device: its result, the RPCs the device got, the audit lines, the verify calls. */
async function change({ answers = {}, opts = {}, auditFaults }: Run = {}) {
  const device = new FakeConfigDevice(answers);
  const audit = new FakeAudit(auditFaults);
  let verifies = 0;
  const verify = opts.verify ?? (async () => undefined);
  const result = await runConfigChange(STATEMENTS, device, {
    dryRun: false,
    confirmMinutes: 5,
    comment: COMMENT,
    audit,
    ...opts,
    verify: () => {
      verifies++;
      return verify();
    },
  });
  return { ...result, sent: device.sent, audit: audit.lines, verifies };
}

describe('configuration change: the paths that end well', () => {
  it('commits: lock, load, compare, commit confirmed, verify, the confirming commit, unlock', async () => {
    const r = await change();
    assert.deepEqual(r.sent, ['lock', 'load', 'compare', 'commit confirmed', 'commit', 'unlock']);
    assert.deepEqual(r.outcome, {
      statements: STATEMENTS,
      diff: DIFF,
      result: 'committed',
      confirmMinutes: 5,
      warnings: [],
      trail: ['lock', 'load set (2)', 'show | compare', 'commit confirmed 5', 'commit', 'unlock'],
    });
    assert.equal(r.failure, undefined);
    assert.equal(r.verifies, 1);
    assert.deepEqual(r.audit, [`intent ${LOAD}`, `ok ${LOAD}`, `intent ${CONFIRMED}`, `ok ${CONFIRMED}`, `intent ${CONFIRM}`, `ok ${CONFIRM}`]);
  });

  it('keeps the device\'s warnings ("statement not found" from a captured load reply) and still commits', async () => {
    const r = await change({ answers: { load: captured('load-configuration-results-warnings-ok.xml') } });
    assert.equal(r.outcome.result, 'committed');
    assert.deepEqual(r.outcome.warnings, ['statement not found', 'statement not found', 'statement not found']);
  });

  it('no difference: discards (rollback 0) and unlocks; nothing is checked, committed or verified', async () => {
    const r = await change({ answers: { compare: reply('<configuration-information>\n<configuration-output>\n</configuration-output>\n</configuration-information>\n') } });
    assert.deepEqual(r.sent, ['lock', 'load', 'compare', 'rollback 0', 'unlock']);
    assert.deepEqual(r.outcome, { statements: STATEMENTS, diff: '', result: 'unchanged', warnings: [], trail: ['lock', 'load set (2)', 'show | compare', 'rollback 0', 'unlock'] });
    assert.equal(r.failure, undefined);
    assert.equal(r.verifies, 0);
    assert.deepEqual(r.audit, [`intent ${LOAD}`, `ok ${LOAD}`, 'intent rollback 0', 'ok rollback 0']);
  });

  it('dry run, commit check passes: checked, with the check\'s warnings (captured reply), then discarded', async () => {
    const r = await change({ opts: { dryRun: true }, answers: { 'commit check': captured('commit-check-results-warnings.xml') } });
    assert.deepEqual(r.sent, ['lock', 'load', 'compare', 'commit check', 'rollback 0', 'unlock']);
    assert.equal(r.outcome.result, 'checked');
    assert.deepEqual(r.outcome.warnings, ["mgd: requires 'mpls' license (bad-element mpls, path [edit protocols])", "mgd: requires 'bgp' license (bad-element bgp, path [edit protocols])"]);
    assert.equal(r.outcome.confirmMinutes, undefined);
    assert.equal(r.failure, undefined);
    assert.equal(r.verifies, 0);
    assert.deepEqual(r.audit, [`intent ${LOAD}`, `ok ${LOAD}`, 'intent commit check', 'ok commit check', 'intent rollback 0', 'ok rollback 0']);
  });

  it('apply --plan: the reviewed diff (as the reviewer saw it, blank edges and all) is committed', async () => {
    const r = await change({ opts: { reviewedDiff: `\n${DIFF}   \n\n` } });
    assert.equal(r.outcome.result, 'committed');
    assert.deepEqual(r.sent, ['lock', 'load', 'compare', 'commit confirmed', 'commit', 'unlock']);
  });
});

describe('configuration change: failures before the commit discard the candidate and unlock', () => {
  it('lock denied: nothing else is sent, nothing is audited, the holder is named', async () => {
    const r = await change({ answers: { lock: LOCK_DENIED } });
    assert.deepEqual(r.sent, ['lock']);
    const reason = 'lock: configuration database locked by: admin terminal (pid 4242) on since 2024-05-06 12:59:49 UTC, idle 00:03:12 exclusive';
    assert.deepEqual(r.outcome, { statements: STATEMENTS, diff: '', result: 'failed', reason, warnings: [], trail: ['lock'] });
    assert.equal(r.failure?.kind, 'rpc-error');
    assert.equal(r.failure?.message, reason);
    assert.equal(r.failure?.deviceErrors?.[0]?.message, reason.slice('lock: '.length));
    assert.deepEqual(r.audit, []);
  });

  it('a load error (captured syntax error): rollback 0 and unlock follow; the load is audited as failed', async () => {
    const r = await change({ answers: { load: captured('load-configuration-results-syntax-error.xml') } });
    assert.deepEqual(r.sent, ['lock', 'load', 'rollback 0', 'unlock']);
    const reason = 'load 2 statements: syntax error (bad-element system1); error recovery ignores input until this point (bad-element })';
    assert.deepEqual(r.outcome, { statements: STATEMENTS, diff: '', result: 'failed', reason, warnings: [], trail: ['lock', 'load set (2)', 'rollback 0', 'unlock'] });
    assert.deepEqual(r.failure && { kind: r.failure.kind, phase: r.failure.phase, message: r.failure.message }, { kind: 'rpc-error', phase: 'act', message: reason });
    assert.deepEqual(r.audit, [`intent ${LOAD}`, `failed ${LOAD}`, 'intent rollback 0', 'ok rollback 0']);
  });

  it('the diff is not the one reviewed: drifted, discarded, unlocked, not a failure of the device', async () => {
    const r = await change({ opts: { reviewedDiff: '[edit security flow]\n+  aging early-ageout 30;' } });
    assert.deepEqual(r.sent, ['lock', 'load', 'compare', 'rollback 0', 'unlock']);
    assert.deepEqual(r.outcome, {
      statements: STATEMENTS,
      diff: DIFF,
      result: 'drifted',
      reason: 'the configuration diff is not the one reviewed: the device changed since the plan was made',
      warnings: [],
      trail: ['lock', 'load set (2)', 'show | compare', 'rollback 0', 'unlock'],
    });
    assert.equal(r.failure, undefined);
    assert.equal(r.verifies, 0);
  });

  it('dry run, commit check fails (captured missing-mandatory reply): failed, discarded, unlocked', async () => {
    const r = await change({ opts: { dryRun: true }, answers: { 'commit check': captured('commit-results-rpc-error-missing-mandatory.xml') } });
    assert.deepEqual(r.sent, ['lock', 'load', 'compare', 'commit check', 'rollback 0', 'unlock']);
    assert.equal(r.outcome.result, 'failed');
    assert.equal(r.outcome.reason, `commit check: ${MISSING_MANDATORY}`);
    assert.equal(r.failure?.kind, 'rpc-error');
    assert.deepEqual(r.audit, [`intent ${LOAD}`, `ok ${LOAD}`, 'intent commit check', 'failed commit check', 'intent rollback 0', 'ok rollback 0']);
  });

  it('commit confirmed refused with an rpc-error: failed, no confirm minutes, discarded, unlocked, nothing verified', async () => {
    const r = await change({ answers: { 'commit confirmed': captured('commit-results-rpc-error-missing-mandatory.xml') } });
    assert.deepEqual(r.sent, ['lock', 'load', 'compare', 'commit confirmed', 'rollback 0', 'unlock']);
    assert.deepEqual(r.outcome, {
      statements: STATEMENTS,
      diff: DIFF,
      result: 'failed',
      reason: `commit confirmed 5: ${MISSING_MANDATORY}`,
      warnings: [],
      trail: ['lock', 'load set (2)', 'show | compare', 'commit confirmed 5', 'rollback 0', 'unlock'],
    });
    assert.equal(r.verifies, 0);
    assert.deepEqual(r.audit, [`intent ${LOAD}`, `ok ${LOAD}`, `intent ${CONFIRMED}`, `failed ${CONFIRMED}`, 'intent rollback 0', 'ok rollback 0']);
  });

  it('commit confirmed answered without success from a routing engine (node0 of a cluster): a refusal, kind config', async () => {
    const node = (name: string, ok: boolean) => `<routing-engine junos:style="show-name">\n<name>${name}</name>\n${ok ? '<commit-success/>\n' : ''}</routing-engine>\n`;
    const r = await change({ answers: { 'commit confirmed': reply(`<commit-results>\n${node('node1', true)}${node('node0', false)}</commit-results>\n<ok/>\n`) } });
    assert.deepEqual(r.sent, ['lock', 'load', 'compare', 'commit confirmed', 'rollback 0', 'unlock']);
    assert.deepEqual(r.failure, { phase: 'act', kind: 'config', message: 'commit confirmed 5: no success reported by node0' });
    assert.equal(r.outcome.reason, 'commit confirmed 5: no success reported by node0');
    assert.deepEqual(r.audit.slice(2, 4), [`intent ${CONFIRMED}`, `failed ${CONFIRMED}`]);
  });

  it('the session breaks before the commit (compare times out): no discard or unlock on a dead session', async () => {
    const r = await change({ answers: { compare: { lost: 'timeout' } } });
    assert.deepEqual(r.sent, ['lock', 'load', 'compare']);
    assert.equal(r.outcome.result, 'failed');
    assert.equal(r.outcome.reason, 'compare: srx1: timeout: simulated timeout during compare');
    assert.equal(r.failure?.kind, 'timeout');
    assert.deepEqual(r.audit, [`intent ${LOAD}`, `ok ${LOAD}`]);
  });

  it('the session breaks during the load: its audit outcome is unknown, nothing more is sent', async () => {
    const r = await change({ answers: { load: { lost: 'closed' } } });
    assert.deepEqual(r.sent, ['lock', 'load']);
    assert.equal(r.failure?.kind, 'closed');
    assert.deepEqual(r.audit, [`intent ${LOAD}`, `unknown ${LOAD}`]);
  });

  it('the audit intent of the load cannot be written: the load is not sent, the change fails with kind audit and only unlocks', async () => {
    const r = await change({ auditFaults: { refuse: () => true } });
    assert.deepEqual(r.sent, ['lock', 'unlock']);
    const reason = "load 2 statements: not sent: the audit log cannot be written: EACCES: permission denied, open '/var/log/runbook/audit.jsonl'";
    assert.deepEqual(r.outcome, { statements: STATEMENTS, diff: '', result: 'failed', reason, warnings: [], trail: ['lock', 'unlock'] });
    assert.deepEqual(r.failure, { phase: 'act', kind: 'audit', message: reason });
    assert.deepEqual(r.audit, []);
  });

  it('the audit intent of commit confirmed cannot be written: not sent; the unlock drops the loaded candidate', async () => {
    const r = await change({ auditFaults: { refuse: (cli) => cli.startsWith('commit confirmed') } });
    assert.deepEqual(r.sent, ['lock', 'load', 'compare', 'unlock']);
    assert.equal(r.failure?.kind, 'audit');
    assert.equal(r.verifies, 0);
    assert.deepEqual(r.audit, [`intent ${LOAD}`, `ok ${LOAD}`]);
  });
});

describe('configuration change: after commit confirmed', () => {
  it('verify fails: rollback 1 and its commit, then unlock; rolled back, a verify failure', async () => {
    const r = await change({ opts: { verify: async () => 'sessions_after == 0 does not hold' } });
    assert.deepEqual(r.sent, ['lock', 'load', 'compare', 'commit confirmed', 'rollback 1', 'commit (rollback)', 'unlock']);
    const reason = 'verify failed after commit confirmed: sessions_after == 0 does not hold; rolled back';
    assert.deepEqual(r.outcome, {
      statements: STATEMENTS,
      diff: DIFF,
      result: 'rolled-back',
      confirmMinutes: 5,
      reason,
      warnings: [],
      trail: ['lock', 'load set (2)', 'show | compare', 'commit confirmed 5', 'rollback 1', 'commit (rollback)', 'unlock'],
    });
    assert.deepEqual(r.failure, { phase: 'verify', kind: 'verify', message: reason });
    assert.deepEqual(r.audit, [`intent ${LOAD}`, `ok ${LOAD}`, `intent ${CONFIRMED}`, `ok ${CONFIRMED}`, 'intent rollback 1', 'ok rollback 1', `intent ${ROLLBACK_COMMIT}`, `ok ${ROLLBACK_COMMIT}`]);
  });

  it('verify throws before it returns a promise: still a failed verify, rolled back', async () => {
    const r = await change({
      opts: {
        verify: () => {
          throw new Error('no collect to re-run');
        },
      },
    });
    assert.equal(r.outcome.result, 'rolled-back');
    assert.equal(r.outcome.reason, 'verify failed after commit confirmed: verify could not run: no collect to re-run; rolled back');
  });

  it('the audit log breaks at the outcome of commit confirmed: the confirming commit is not sent, the device rolls back by itself', async () => {
    const r = await change({ auditFaults: { breaksAtOutcomeOf: CONFIRMED } });
    assert.deepEqual(r.sent, ['lock', 'load', 'compare', 'commit confirmed', 'unlock']);
    assert.equal(r.verifies, 1);
    const reason = `commit (confirm): not sent: the audit log cannot be written: EACCES: permission denied, open '/var/log/runbook/audit.jsonl'${AFTER}`;
    assert.deepEqual(r.failure, { phase: 'act', kind: 'audit', message: reason });
    assert.equal(r.outcome.confirmMinutes, 5);
    assert.deepEqual(r.audit, [`intent ${LOAD}`, `ok ${LOAD}`, `intent ${CONFIRMED}`]);
  });

  it('verify throws: it is a failed verify, and the change is rolled back', async () => {
    const r = await change({ opts: { verify: () => Promise.reject(new Error('collect flow: rpc-error')) } });
    assert.deepEqual(r.sent, ['lock', 'load', 'compare', 'commit confirmed', 'rollback 1', 'commit (rollback)', 'unlock']);
    assert.equal(r.outcome.result, 'rolled-back');
    assert.equal(r.outcome.reason, 'verify failed after commit confirmed: verify could not run: collect flow: rpc-error; rolled back');
  });

  it('the rollback\'s commit is refused: failed, unlocked, the device rolls back by itself', async () => {
    const r = await change({ opts: { verify: async () => 'no' }, answers: { 'commit (rollback)': captured('commit-results-rpc-error-missing-mandatory.xml') } });
    assert.deepEqual(r.sent, ['lock', 'load', 'compare', 'commit confirmed', 'rollback 1', 'commit (rollback)', 'unlock']);
    assert.equal(r.outcome.result, 'failed');
    assert.equal(r.outcome.reason, `commit (rollback): ${MISSING_MANDATORY}${AFTER}`);
    assert.equal(r.outcome.confirmMinutes, 5);
  });

  it('the confirming commit fails: failed, unlocked only (nothing left to discard), the device rolls back by itself', async () => {
    const r = await change({ answers: { commit: captured('commit-results-rpc-error-missing-mandatory.xml') } });
    assert.deepEqual(r.sent, ['lock', 'load', 'compare', 'commit confirmed', 'commit', 'unlock']);
    assert.deepEqual(r.outcome, {
      statements: STATEMENTS,
      diff: DIFF,
      result: 'failed',
      confirmMinutes: 5,
      reason: `commit (confirm): ${MISSING_MANDATORY}${AFTER}`,
      warnings: [],
      trail: ['lock', 'load set (2)', 'show | compare', 'commit confirmed 5', 'commit', 'unlock'],
    });
    assert.equal(r.failure?.kind, 'rpc-error');
    assert.deepEqual(r.audit.slice(4), [`intent ${CONFIRM}`, `failed ${CONFIRM}`]);
  });

  it('unlock fails after the commit: still committed, with a warning, and no failure', async () => {
    const r = await change({ answers: { unlock: NOT_LOCKED } });
    assert.deepEqual(r.sent, ['lock', 'load', 'compare', 'commit confirmed', 'commit', 'unlock']);
    assert.deepEqual(r.outcome, {
      statements: STATEMENTS,
      diff: DIFF,
      result: 'committed',
      confirmMinutes: 5,
      warnings: ['unlock failed after the commit: srx1: rpc-error: unlock: configuration database not locked'],
      trail: ['lock', 'load set (2)', 'show | compare', 'commit confirmed 5', 'commit', 'unlock'],
    });
    assert.equal(r.failure, undefined);
  });

  it('unlock fails after a rollback: still rolled back (the verify failure), with the warning', async () => {
    const r = await change({ opts: { verify: async () => 'no' }, answers: { unlock: { lost: 'closed' } } });
    assert.equal(r.outcome.result, 'rolled-back');
    assert.deepEqual(r.outcome.warnings, ['unlock failed after the commit: srx1: closed: simulated closed during unlock']);
    assert.deepEqual(r.failure, { phase: 'verify', kind: 'verify', message: 'verify failed after commit confirmed: no; rolled back' });
  });

  it('the session is lost at the confirming commit: no further RPC, and the reason says the device rolls back within 5 min', async () => {
    const r = await change({ answers: { commit: { lost: 'closed' } } });
    assert.deepEqual(r.sent, ['lock', 'load', 'compare', 'commit confirmed', 'commit']);
    const reason = `commit (confirm): srx1: closed: simulated closed during commit${AFTER}`;
    assert.deepEqual(r.outcome, {
      statements: STATEMENTS,
      diff: DIFF,
      result: 'failed',
      confirmMinutes: 5,
      reason,
      warnings: [],
      trail: ['lock', 'load set (2)', 'show | compare', 'commit confirmed 5', 'commit'],
    });
    assert.deepEqual(r.failure, { phase: 'act', kind: 'closed', message: reason });
    // The confirming commit was sent and no answer came: the device may have confirmed it.
    assert.deepEqual(r.audit.slice(4), [`intent ${CONFIRM}`, `unknown ${CONFIRM}`]);
  });

  it('the session is lost during verify: the rollback 1 meets the closed session, and nothing follows it', async () => {
    const r = await change({ opts: { verify: () => Promise.reject(new Error('srx1: closed: the session is closed')) }, answers: { 'rollback 1': { lost: 'closed' } } });
    assert.deepEqual(r.sent, ['lock', 'load', 'compare', 'commit confirmed', 'rollback 1']);
    assert.equal(r.outcome.result, 'failed');
    assert.equal(r.outcome.reason, `rollback 1: srx1: closed: simulated closed during rollback 1${AFTER}`);
    assert.equal(r.failure?.kind, 'closed');
  });
});

describe('configuration change: the way out', () => {
  it('the discard after no difference is refused: failed, and the unlock is still sent', async () => {
    const empty = reply('<configuration-information>\n<configuration-output>\n</configuration-output>\n</configuration-information>\n');
    const r = await change({ answers: { compare: empty, 'rollback 0': captured('load-configuration-results-syntax-error.xml') } });
    assert.deepEqual(r.sent, ['lock', 'load', 'compare', 'rollback 0', 'unlock']);
    assert.equal(r.outcome.result, 'failed');
    assert.equal(r.outcome.reason, 'rollback 0: syntax error (bad-element system1); error recovery ignores input until this point (bad-element })');
    assert.deepEqual(r.audit.slice(2), ['intent rollback 0', 'failed rollback 0']);
  });

  it('a failed change keeps its first reason when the discard fails too, and still unlocks', async () => {
    const r = await change({ answers: { 'commit confirmed': captured('commit-results-rpc-error-missing-mandatory.xml'), 'rollback 0': captured('load-configuration-results-syntax-error.xml') } });
    assert.deepEqual(r.sent, ['lock', 'load', 'compare', 'commit confirmed', 'rollback 0', 'unlock']);
    assert.equal(r.outcome.reason, `commit confirmed 5: ${MISSING_MANDATORY}`);
  });

  it('a dry run whose unlock fails is failed: the lock is the device\'s until the session ends', async () => {
    const r = await change({ opts: { dryRun: true }, answers: { unlock: NOT_LOCKED } });
    assert.deepEqual(r.sent, ['lock', 'load', 'compare', 'commit check', 'rollback 0', 'unlock']);
    assert.equal(r.outcome.result, 'failed');
    assert.equal(r.outcome.reason, 'unlock: configuration database not locked');
    assert.deepEqual(r.outcome.warnings, []);
  });

  it('drifted stays drifted when the discard meets a closed session; nothing follows', async () => {
    const r = await change({ opts: { reviewedDiff: 'something else' }, answers: { 'rollback 0': { lost: 'closed' } } });
    assert.deepEqual(r.sent, ['lock', 'load', 'compare', 'rollback 0']);
    assert.equal(r.outcome.result, 'drifted');
    assert.equal(r.failure, undefined);
  });
});
