import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadSetCommands } from '../../../src/lab/config/edit.ts';
import { renderSet } from '../../../src/lab/config/render.ts';
import { ConfigStore, MAX_ROLLBACK, junosTime } from '../../../src/lab/config/store.ts';
import { emptyConfig, type ConfigNode } from '../../../src/lab/config/tree.ts';

const A = { id: 101, user: 'lab' };
const B = { id: 102, user: 'ops' };

function store(opts: { confirmMinuteMs?: number; now?: () => number } = {}) {
  const committed: ConfigNode[] = [];
  const initial = emptyConfig();
  loadSetCommands(initial, 'set system host-name srx1');
  const s = new ConfigStore({
    initial,
    initialCommit: { seconds: 1_704_067_200, user: 'lab' },
    confirmMinuteMs: opts.confirmMinuteMs ?? 60_000,
    now: opts.now ?? (() => 1_704_070_800_000),
    onCommitted: (running) => committed.push(running),
  });
  return { s, committed };
}

const set = (text: string) => (tree: ConfigNode) => loadSetCommands(tree, text);

describe('the configuration store', () => {
  it('locks exclusively; the holder is named with its pid (session-id), since and idle time', () => {
    let now = 1_704_070_800_000;
    const { s } = store({ now: () => now });
    assert.equal(s.lock(A), undefined);
    now += 65_000;
    const denied = s.lock(B);
    assert.equal(denied?.tag, 'lock-denied');
    assert.equal(denied?.sessionId, 101);
    assert.equal(denied?.message, '\nconfiguration database locked by:\n  lab terminal  (pid 101) on since 2024-01-01 01:00:00 UTC, idle 00:01:05\n      exclusive \n');
    const load = s.load(B, set('set security flow aging early-ageout 30'));
    assert.ok(!('diagnostics' in load) && load.tag === 'lock-denied');
    assert.equal(s.commit(B)[0]?.tag, 'lock-denied');
    assert.equal(s.unlock(B)?.tag, 'lock-denied');
    assert.equal(s.unlock(A), undefined);
    assert.equal(s.unlock(A)?.message.trim(), 'configuration database not locked');
  });

  it('refuses the lock while another session has uncommitted changes ("configuration database modified")', () => {
    const { s } = store();
    s.load(B, set('set security flow aging early-ageout 30'));
    assert.equal(s.lock(A)?.message.trim(), 'configuration database modified');
    assert.equal(s.lock(B), undefined, 'the author of the changes may lock');
  });

  it('unlocking, or the holder going away, discards its uncommitted changes', () => {
    const { s } = store();
    s.lock(A);
    s.load(A, set('set security flow aging early-ageout 30'));
    assert.equal(s.candidateModified, true);
    s.unlock(A);
    assert.equal(s.candidateModified, false);
    s.lock(B);
    s.load(B, set('set security flow aging early-ageout 40'));
    s.sessionEnded(B.id);
    assert.equal(s.lockHolder, undefined);
    assert.equal(s.candidateModified, false);
    assert.equal(s.lock(A), undefined);
  });

  it('keeps a load only when nothing in it failed', () => {
    const { s } = store();
    s.load(A, set('set security flow aging early-ageout 30'));
    const r = s.load(A, set('set security flow aging high-watermark 90\nset security flow aging low-watermark 200'));
    assert.ok('diagnostics' in r && r.failed === 1);
    assert.deepEqual(renderSet(s.candidate), ['set system host-name srx1', 'set security flow aging early-ageout 30']);
  });

  it('commits into a history of 50, rollback n loads the nth', () => {
    let now = 1_704_070_800_000;
    const { s, committed } = store({ now: () => now });
    for (let i = 1; i <= 60; i++) {
      now += 1000;
      s.load(A, set(`set security flow aging early-ageout ${i}`));
      assert.deepEqual(s.commit(A, { log: `change ${i}` }), []);
    }
    assert.equal(committed.length, 60);
    assert.equal(s.history.length, MAX_ROLLBACK + 1);
    assert.equal(s.history[0].log, 'change 60');
    assert.equal(s.history[49].log, 'change 11');
    assert.equal(s.history[0].seconds, Math.floor(now / 1000));
    assert.equal(s.loadRollback(A, 3), undefined);
    assert.deepEqual(renderSet(s.candidate).slice(-1), ['set security flow aging early-ageout 57']);
    assert.match(s.loadRollback(A, 50)?.message ?? '', /rollback 50 does not exist/);
    assert.equal(s.loadRollback(A, 0), undefined);
    assert.equal(s.candidateModified, false);
  });

  it('a commit check or commit of a candidate with low-watermark not below high-watermark fails, and changes nothing', () => {
    const { s, committed } = store();
    s.load(A, set('set security flow aging high-watermark 80 low-watermark 90'));
    const errors = s.check();
    assert.deepEqual(
      errors.map((e) => [e.type, e.tag, e.path, e.badElement, e.message]),
      [['application', 'invalid-value', '[edit security flow aging]', 'low-watermark', 'low-watermark (90) must be less than high-watermark (80)']],
    );
    assert.deepEqual(s.commit(A), errors);
    assert.equal(committed.length, 0);
    assert.equal(s.history.length, 1);
    assert.equal(s.candidateModified, true, 'the candidate is kept');
  });

  it('a policy naming an application nobody defined fails the check', () => {
    const { s } = store();
    s.load(A, set('set security policies from-zone trust to-zone untrust policy p match source-address any destination-address any application mcast-video\nset security policies from-zone trust to-zone untrust policy p then permit'));
    assert.deepEqual(s.check().map((e) => e.message), ["application 'mcast-video' is not defined"]);
    s.load(A, set('set applications application mcast-video protocol udp destination-port 5004'));
    assert.deepEqual(s.check(), []);
  });

  it('an unconfirmed commit confirmed rolls back when its minutes are up; a plain commit confirms', async () => {
    const { s, committed } = store({ confirmMinuteMs: 30 });
    s.load(A, set('set security flow aging early-ageout 30'));
    assert.deepEqual(s.commit(A, { confirmMinutes: 2 }), []);
    assert.ok(s.confirmDeadline !== undefined);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(s.history.length, 2, 'not yet: two minutes are 60 ms');
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(s.history.length, 3);
    assert.equal(s.history[0].automatic, true);
    assert.deepEqual(renderSet(s.running), ['set system host-name srx1']);
    assert.equal(s.candidateModified, false);
    assert.equal(committed.length, 2);

    s.load(A, set('set security flow aging early-ageout 40'));
    s.commit(A, { confirmMinutes: 1 });
    s.commit(B);
    assert.equal(s.confirmDeadline, undefined);
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(renderSet(s.running), ['set system host-name srx1', 'set security flow aging early-ageout 40']);
  });

  it('a second commit confirmed extends the time; the rollback goes back to before the first', async () => {
    const { s } = store({ confirmMinuteMs: 30 });
    s.load(A, set('set security flow aging early-ageout 30'));
    s.commit(A, { confirmMinutes: 1 });
    s.load(A, set('set security flow aging early-ageout 31'));
    s.commit(A, { confirmMinutes: 3 });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(s.history[0].automatic, undefined, 'the first timer was replaced');
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(s.history[0].automatic, true);
    assert.deepEqual(renderSet(s.running), ['set system host-name srx1']);
  });

  it('the end of the session whose commit confirmed is pending rolls it back at once', () => {
    const { s } = store();
    s.lock(A);
    s.load(A, set('set security flow aging early-ageout 30'));
    s.commit(A, { confirmMinutes: 10 });
    s.sessionEnded(B.id);
    assert.equal(s.history.length, 2);
    s.sessionEnded(A.id);
    assert.equal(s.history[0].automatic, true);
    assert.deepEqual(renderSet(s.running), ['set system host-name srx1']);
    assert.equal(s.confirmDeadline, undefined);
    s.dispose();
  });

  it('writes times as Junos does', () => {
    assert.equal(junosTime(1_714_999_189), '2024-05-06 12:39:49 UTC');
  });
});
