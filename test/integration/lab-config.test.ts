import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeviceBackend } from '../../src/lab/backend.ts';
import type { DeviceState } from '../../src/lab/device-state.ts';
import { RpcError } from '../../src/transport/errors.ts';
import { NetconfSession } from '../../src/transport/session.ts';
import type { XmlNode } from '../../src/xml/node.ts';
import { labConnect, startLab } from '../helpers/lab.ts';

/**
 * The configuration RPCs a change playbook sends, over real SSH against lab devices:
 * the dry run (lock, load, compare, commit check, rollback 0, unlock), commit confirmed
 * that is or is not confirmed in time, the exclusive lock, a bad load, the reject-commit
 * fault, and a session that drops while holding the lock.
 */

type StartedLab = Awaited<ReturnType<typeof startLab>>;

const LOCK = '<lock><target><candidate/></target></lock>';
const UNLOCK = '<unlock><target><candidate/></target></unlock>';
const COMPARE = '<get-configuration compare="rollback" rollback="0" format="text"/>';
const CHECK = '<commit-configuration><check/></commit-configuration>';
const ROLLBACK_0 = '<load-configuration rollback="0"/>';
const COMMITTED_FLOW = '<get-configuration database="committed"><configuration><security><flow/></security></configuration></get-configuration>';
const CHANGE = [
  'set security flow aging early-ageout 20',
  'set security flow tcp-session tcp-initial-timeout 280',
  'delete security flow tcp-session fin-invalidate-session',
].join('\n');

function loadSet(lines: string): string {
  return `<load-configuration action="set" format="text"><configuration-set>${lines}</configuration-set></load-configuration>`;
}

/** The elements of a reply with these local names. */
async function elementsOf(s: NetconfSession, body: string, names: readonly string[]): Promise<XmlNode[]> {
  const out: XmlNode[] = [];
  await s.rpc(body, { handler: { items: new Set(names), onElement: (n) => out.push(n) } });
  return out;
}

async function compareText(s: NetconfSession): Promise<string> {
  const [out] = await elementsOf(s, COMPARE, ['configuration-output']);
  assert.ok(out, 'a configuration-output');
  return out.text;
}

/** The leaves of the committed `security flow`, as `aging/early-ageout=20`. */
async function committedFlow(s: NetconfSession): Promise<string[]> {
  const [conf] = await elementsOf(s, COMMITTED_FLOW, ['configuration']);
  assert.ok(conf, 'a configuration');
  assert.match(conf.attrs['junos:commit-seconds'] ?? '', /^\d+$/);
  const leaves: string[] = [];
  const walk = (n: XmlNode, path: string) => {
    if (n.children.length === 0) leaves.push(`${path}${n.name}${n.text.trim() === '' ? '' : `=${n.text.trim()}`}`);
    for (const c of n.children) walk(c, path + (n.name === 'configuration' || n.name === 'security' || n.name === 'flow' ? '' : `${n.name}/`));
  };
  for (const c of conf.children) walk(c, '');
  return leaves;
}

async function rejection(p: Promise<unknown>): Promise<RpcError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof RpcError, `expected RpcError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the RPC to fail');
}

/** Waits for an event the test cannot hook; `ms` only bounds "it never happened". */
async function until(what: string, done: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) assert.fail(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('configuration RPCs against the lab (real SSH on loopback)', () => {
  let lab: StartedLab;
  const device = (name: string): DeviceState => (lab.host(name).backend as DeviceBackend).device;
  const connect = (name: string) => NetconfSession.connect(labConnect(lab, name));

  before(async () => {
    lab = await startLab([
      { name: 'dry-eom', scenario: 'no-peer', seed: 1 },
      { name: 'dry-chunked', scenario: 'no-peer', seed: 1, base11: true },
      { name: 'confirm', scenario: 'no-peer', seed: 2, base11: true, confirmMinuteMs: 200 },
      { name: 'locks', scenario: 'no-peer', seed: 3 },
      { name: 'rejects', scenario: 'no-peer', seed: 4, faults: { rejectCommit: true } },
      { name: 'cluster', scenario: 'cluster', seed: 5, overrides: { ahSessions: 6000, peers: 40 } },
    ]);
  });
  after(async () => lab.cleanup());

  for (const [host, framing] of [['dry-eom', 'eom'], ['dry-chunked', 'chunked']] as const) {
    it(`a dry run over ${framing} framing locks, loads, compares, checks, rolls back and unlocks, and changes nothing`, async () => {
      const dev = device(host);
      const s = await connect(host);
      try {
        assert.equal(s.framing, framing);
        const runningBefore = await committedFlow(s);
        assert.deepEqual(runningBefore, [], 'a fresh device has no security flow statements');

        assert.equal((await s.rpc(LOCK)).ok, true);
        const load = await s.rpc(loadSet(CHANGE));
        assert.equal(load.ok, true);
        assert.deepEqual(
          load.warnings.map((w) => w.message),
          ['statement not found'],
          'deleting fin-invalidate-session, which is not there, warns',
        );

        assert.equal(
          await compareText(s),
          [
            '',
            '[edit security]',
            '+   flow {',
            '+       aging {',
            '+           early-ageout 20;',
            '+       }',
            '+       tcp-session {',
            '+           tcp-initial-timeout 280;',
            '+       }',
            '+   }',
            '',
          ].join('\n'),
        );

        const check = await elementsOf(s, CHECK, ['routing-engine']);
        assert.equal(check.length, 1);
        assert.equal(check[0].attrs['junos:style'], 'normal');
        assert.deepEqual(
          check[0].children.map((c) => c.name),
          ['name', 'commit-check-success'],
        );
        assert.equal(check[0].children[0].text, 're0');

        const results: XmlNode[] = [];
        await s.rpc(ROLLBACK_0, { handler: { items: new Set(['load-configuration-results']), onElement: (n) => results.push(n) } });
        assert.deepEqual(results[0]?.children.map((c) => c.name), ['ok']);
        assert.equal(await compareText(s), '\n', 'rollback 0 left nothing to compare');
        assert.equal((await s.rpc(UNLOCK)).ok, true);

        assert.deepEqual(await committedFlow(s), runningBefore);
        assert.deepEqual(dev.stateChangingRpcs(), [], 'a dry run sends no state-changing RPC');
        assert.deepEqual(
          dev.rpcLog.filter((e) => e.rpc !== 'get-configuration').map((e) => `${e.rpc}:${e.outcome}`),
          ['lock:ok', 'load-configuration:ok', 'commit-configuration:ok', 'load-configuration:ok', 'unlock:ok'],
        );
        assert.equal(dev.config.history.length, 1, 'no commit was made');
        assert.equal(dev.config.lockHolder, undefined);
      } finally {
        await s.close();
      }
    });
  }

  it('an unconfirmed commit confirmed rolls back by itself when its time is up', async (t) => {
    const dev = device('confirm');
    const s = await connect('confirm');
    // The device's confirm timer runs on the test's clock: time moves only when the test
    // ticks it, so no check below races the rollback, however slow the machine.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    try {
      await s.rpc(LOCK);
      await s.rpc(loadSet(CHANGE));
      const res = await elementsOf(s, '<commit-configuration><confirmed/><confirm-timeout>1</confirm-timeout><log>guard: aging</log></commit-configuration>', ['routing-engine']);
      assert.deepEqual(res[0]?.children.map((c) => c.name), ['name', 'commit-success']);
      assert.deepEqual(await committedFlow(s), ['aging/early-ageout=20', 'tcp-session/tcp-initial-timeout=280']);
      assert.equal(dev.flowSettings.tcpInitialTimeout, 280, 'the committed timeout is in effect');
      assert.equal(dev.config.history[0].log, 'guard: aging');
      assert.notEqual(dev.config.history[0].automatic, true, 'not rolled back yet');

      t.mock.timers.tick(199);
      assert.notEqual(dev.config.history[0].automatic, true, 'not before the confirm-timeout (one minute of 200 ms)');
      t.mock.timers.tick(1);
      assert.equal(dev.config.history[0].automatic, true, 'rolled back when the minute is up');
      assert.deepEqual(await committedFlow(s), [], 'running is back to what it was');
      assert.equal(dev.flowSettings.tcpInitialTimeout, 20);
      assert.equal(await compareText(s), '\n', 'and so is the candidate');
      assert.equal(dev.config.history.length, 3, 'initial, the confirmed commit, the rollback');
      await s.rpc(UNLOCK);
    } finally {
      t.mock.timers.reset();
      await s.close();
    }
  });

  it('a commit within the confirm-timeout confirms: nothing rolls back', async (t) => {
    const dev = device('confirm');
    const s = await connect('confirm');
    // As above: the confirming commit comes "within the minute" on the test's clock.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    try {
      await s.rpc(LOCK);
      await s.rpc(loadSet('set security flow tcp-session tcp-initial-timeout 60'));
      await s.rpc('<commit-configuration><confirmed/><confirm-timeout>1</confirm-timeout></commit-configuration>');
      assert.ok(dev.config.confirmDeadline !== undefined);
      await s.rpc('<commit-configuration><log>confirmed</log></commit-configuration>');
      assert.equal(dev.config.confirmDeadline, undefined);
      t.mock.timers.tick(1_000);
      assert.deepEqual(await committedFlow(s), ['tcp-session/tcp-initial-timeout=60']);
      assert.equal(dev.config.history[0].automatic, undefined);
      assert.equal(dev.config.history[0].log, 'confirmed');
      await s.rpc(UNLOCK);
      assert.equal(
        dev.stateChangingRpcs().filter((e) => e.rpc === 'commit-configuration').length,
        3,
        'commits that change the running configuration are the state-changing ones',
      );
    } finally {
      t.mock.timers.reset();
      await s.close();
    }
  });

  it('a second session is refused the lock (lock-denied, naming the holder) and cannot load', async () => {
    const a = await connect('locks');
    const b = await connect('locks');
    try {
      await a.rpc(LOCK);
      const denied = await rejection(b.rpc(LOCK));
      assert.equal(denied.errors[0].tag, 'lock-denied');
      assert.match(denied.errors[0].message, /^configuration database locked by: lab terminal \(pid \d+\) on since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, idle \d\d:\d\d:\d\d exclusive$/);
      assert.match(denied.errors[0].message, new RegExp(`pid ${a.sessionId}\\)`));
      const load = await rejection(b.rpc(loadSet('set security flow aging early-ageout 30')));
      assert.equal(load.errors[0].tag, 'lock-denied');
      assert.equal(await compareText(a), '\n', "b's load changed nothing");
      await a.rpc(UNLOCK);
      assert.equal((await b.rpc(LOCK)).ok, true, 'free again once a unlocked');
      await b.rpc(UNLOCK);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a load with a bad statement fails with load-error-count and leaves the candidate as it was', async () => {
    const s = await connect('locks');
    try {
      await s.rpc(LOCK);
      await s.rpc(loadSet('set security flow aging early-ageout 20'));
      const before = await compareText(s);
      const reply = await s.rpc(loadSet('set security flow aging high-watermark 90\nset security flow tcp-session tcp-initial-timeout 3'), { allowErrors: true });
      assert.equal(reply.ok, false);
      assert.deepEqual(
        reply.errors.map((e) => [e.path, e.badElement, e.message]),
        [['[edit security flow tcp-session]', 'tcp-initial-timeout', 'Value 3 is not within range (4..300)']],
      );
      const twoBad = loadSet('set security flow tcp-session tcp-initial-timeout 3\nset security flow bogus 1');
      const rejected = await rejection(s.rpc(twoBad));
      assert.deepEqual(
        rejected.errors.map((e) => [e.path, e.badElement, e.message]),
        [
          ['[edit security flow tcp-session]', 'tcp-initial-timeout', 'Value 3 is not within range (4..300)'],
          ['[edit security flow]', 'bogus', 'syntax error'],
        ],
      );
      const counted: XmlNode[] = [];
      await s.rpc(twoBad, {
        allowErrors: true,
        handler: { items: new Set(['load-error-count']), onElement: (n) => counted.push(n) },
      });
      assert.equal(counted[0]?.text, '2');
      assert.equal(await compareText(s), before, 'neither bad load changed the candidate');
      await s.rpc(ROLLBACK_0);
      await s.rpc(UNLOCK);
    } finally {
      await s.close();
    }
  });

  it('the reject-commit fault fails commits with a commit rpc-error; commit check still passes', async () => {
    const dev = device('rejects');
    const s = await connect('rejects');
    try {
      await s.rpc(LOCK);
      await s.rpc(loadSet('set security flow aging early-ageout 20'));
      assert.equal((await s.rpc(CHECK)).ok, true);
      const err = await rejection(s.rpc('<commit-configuration/>'));
      assert.equal(err.rpc, 'commit-configuration');
      assert.deepEqual(
        err.errors.map((e) => e.message),
        ['flowd: configuration rejected by the daemon (lab fault reject-commit)', 'configuration check-out failed'],
      );
      assert.deepEqual(await committedFlow(s), [], 'running unchanged');
      assert.match(await compareText(s), /early-ageout 20/, 'the candidate is kept');
      assert.deepEqual(
        dev.stateChangingRpcs().map((e) => `${e.rpc}:${e.outcome}`),
        ['commit-configuration:error'],
      );
      await s.rpc(UNLOCK);
    } finally {
      await s.close();
    }
  });

  it("a session that drops releases its lock and its uncommitted changes are discarded", async () => {
    const dev = device('locks');
    const a = await connect('locks');
    await a.rpc(LOCK);
    await a.rpc(loadSet('set security flow aging early-ageout 25'));
    assert.equal(dev.config.lockHolder?.id, Number(a.sessionId));
    assert.equal(dev.config.candidateModified, true);
    a.destroy(); // no close-session: the SSH connection just goes
    await until('the lock to be released', () => dev.config.lockHolder === undefined);
    assert.equal(dev.config.candidateModified, false);
    const b = await connect('locks');
    try {
      assert.equal((await b.rpc(LOCK)).ok, true);
      assert.equal(await compareText(b), '\n');
      await b.rpc(UNLOCK);
    } finally {
      await b.close();
    }
  });

  it('a commit confirmed is undone at once when its session ends unconfirmed (RFC 6241 8.4, as Junos documents)', async () => {
    const dev = device('confirm');
    const a = await connect('confirm');
    await a.rpc(LOCK);
    await a.rpc(loadSet('set security flow aging early-ageout 45'));
    await a.rpc('<commit-configuration><confirmed/><confirm-timeout>100</confirm-timeout></commit-configuration>');
    assert.equal(dev.flowSettings.aging?.earlyAgeout, 45);
    await a.close();
    await until('the rollback at session end', () => dev.config.history[0].automatic === true);
    assert.equal(dev.flowSettings.aging, undefined);
    assert.equal(dev.config.confirmDeadline, undefined);
    assert.equal(dev.config.lockHolder, undefined);
  });

  it('a cluster reports node0 and node1 in commit-results', async () => {
    const s = await connect('cluster');
    try {
      const check = await elementsOf(s, CHECK, ['routing-engine']);
      assert.deepEqual(
        check.map((r) => [r.attrs['junos:style'], r.children[0].text, r.children[1].name]),
        [
          ['show-name', 'node0', 'commit-check-success'],
          ['show-name', 'node1', 'commit-check-success'],
        ],
      );
    } finally {
      await s.close();
    }
  });
});
