import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HostResult } from '../../src/contracts/results.ts';
import { renderSet } from '../../src/lab/config/render.ts';
import { readReport } from '../../src/report/read-report.ts';
import { runCli } from '../helpers/cli.ts';
import { HostileServer, type HostileOptions, type HostileReply, type ReceivedRpc } from '../helpers/hostile-server.ts';

/** The lab's three-peers sample: with min_peer_sessions 51 the top three are selected and cleared. */
const SELECT = ['-e', 'min_peer_sessions=51'];
const ACT = ['-e', 'dry_run=false', '--yes'];

const SESSION = /<flow-session[ >](?:(?!<\/flow-session>)[\s\S])*<\/flow-session>/g;
/** A session's peer: the source of its In direction, printed first. */
const peerOf = (session: string) => /<source-address>([^<]+)<\/source-address>/.exec(session)?.[1];

/**
 * After a clear was sent, the AH session table answers without one peer's sessions: the
 * peer of the table's last session, which is not one of the three the playbook selects.
 */
function losesPeerAfterClears() {
  const lost: { peer?: string } = {};
  let cleared = false;
  const onRpc = async (rpc: ReceivedRpc, reply: HostileReply): Promise<boolean> => {
    if (rpc.name.startsWith('clear-')) cleared = true;
    if (rpc.name !== 'get-flow-session-information') return false;
    const text = reply.labText() ?? '';
    lost.peer ??= peerOf(text.match(SESSION)?.at(-1) ?? '');
    if (!cleared) return false;
    await reply.whole(reply.open + text.replace(SESSION, (s) => (peerOf(s) === lost.peer ? '' : s)) + reply.close);
    return true;
  };
  return { lost, onRpc };
}

describe('ah-cleanup checks inside apply', () => {
  let dir: string;
  const servers: HostileServer[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-checks-apply-'));
  });
  after(async () => {
    for (const s of servers) await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (server: HostileServer, name: string, extra: string[]) => {
    const sub = join(dir, name);
    await mkdir(sub);
    const inv = await server.writeInventory(sub);
    const report = join(sub, 'report.json');
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inv, '--audit-log', join(sub, 'audit.jsonl'), '--lock-dir', sub, '--report', report, ...extra], { env: server.env(), timeoutMs: 120_000 });
    // Read as `runbook report` reads it: checked against schemas/report.schema.json.
    const rep = await readReport(report);
    return { ...r, host: rep.run.hosts[0] as HostResult };
  };

  it('reports each selected peer before and after, the other peers in total, and passes the post check', async () => {
    const server = await HostileServer.start();
    servers.push(server);
    const r = await run(server, 'passes', [...SELECT, ...ACT]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.host.status, 'changed');
    const lines = r.host.log.map((l) => l.text);
    assert.ok(lines.includes('  2.0.0.146: 62 sessions before, 0 after'), lines.join('\n'));
    assert.ok(lines.includes('  1.0.0.42: 58 sessions before, 0 after'), lines.join('\n'));
    assert.ok(lines.some((l) => /^ {2}other peers: (\d+) sessions before, \1 after$/.test(l)), lines.join('\n'));
    const post = r.host.checks?.post ?? [];
    assert.equal(post.length, 1);
    assert.equal(post[0]!.name, 'no unselected peer lost sessions');
    assert.equal(post[0]!.passed, true);
    assert.equal(post[0]!.checked, 747, 'the three selected peers are left out');
    // A passing check keeps what it saw: each peer's sessions before and after, 50 of them, the rest counted.
    assert.equal(post[0]!.items.length, 50);
    assert.equal(post[0]!.truncated, 697);
    for (const item of post[0]!.items) assert.ok(typeof item.key.peer === 'string' && typeof item.pre === 'number' && item.pre > 0 && item.post === item.pre && item.delta === 0, JSON.stringify(item));
  });

  it('fails the host when a peer that was not selected lost sessions, naming it with its figures', async () => {
    const { lost, onRpc } = losesPeerAfterClears();
    const server = await HostileServer.start({ onRpc });
    servers.push(server);
    const r = await run(server, 'fails', [...SELECT, ...ACT]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.equal(r.host.status, 'failed');
    assert.equal(r.host.error?.kind, 'check');
    const peer = lost.peer ?? '';
    assert.ok(peer !== '' && !['2.0.0.146', '2.0.0.150', '1.0.0.42'].includes(peer), peer);
    assert.ok(r.host.error?.message.startsWith(`post check failed: check 'no unselected peer lost sessions' (pre → post): peer=${peer}: `), r.host.error?.message);
    const check = r.host.checks?.post?.[0];
    assert.equal(check?.passed, false);
    assert.equal(check?.failures.length, 1);
    assert.deepEqual(check?.failures[0]!.key, { peer });
    assert.equal(check?.failures[0]!.post, 0);
    assert.ok(typeof check?.failures[0]!.pre === 'number' && check.failures[0].pre > 0);
    assert.ok(r.stdout.includes(`peer=${peer}`), r.stdout);
  });
});

describe('flow-aging-baseline: the session summary post check inside the configuration change', () => {
  let dir: string;
  const servers: HostileServer[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-checks-config-'));
  });
  after(async () => {
    for (const s of servers) await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (playbook: string, name: string, extra: string[], onRpc?: HostileOptions['onRpc']) => {
    const server = await HostileServer.start({ scenario: 'busy', ...(onRpc ? { onRpc } : {}) });
    servers.push(server);
    const sub = join(dir, name);
    await mkdir(sub);
    const inv = await server.writeInventory(sub);
    const report = join(sub, 'report.json');
    const running = () => renderSet(server.backend.device.config.running).join('\n');
    const before = running();
    const r = await runCli(['apply', playbook, '-i', inv, '--audit-log', join(sub, 'audit.jsonl'), '--lock-dir', sub, '--report', report, ...extra], { env: server.env(), timeoutMs: 120_000 });
    // Read as `runbook report` reads it: checked against schemas/report.schema.json.
    const rep = await readReport(report);
    return { ...r, host: rep.run.hosts[0] as HostResult, server, before, after: running() };
  };

  it('a post check failing after commit confirmed rolls the change back: the running configuration is as before', async () => {
    let confirmed = false;
    const r = await run('playbooks/flow-aging-baseline.yml', 'rolled-back', ACT, async (rpc, reply) => {
      if (rpc.name === 'commit-configuration' && rpc.xml.includes('<confirmed/>')) confirmed = true;
      if (!confirmed || rpc.name !== 'get-flow-session-information') return false;
      // Every SPU's sessions collapse once the change is in.
      await reply.whole(reply.open + (reply.labText() ?? '').replace(/<active-sessions>\d+<\/active-sessions>/g, '<active-sessions>0</active-sessions>') + reply.close);
      return true;
    });
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.equal(r.host.status, 'failed');
    assert.equal(r.host.error?.kind, 'check');
    assert.match(r.host.error?.message ?? '', /^post check failed after commit confirmed: check 'sessions per SPU hold' \(pre → post\): node=null spu=FPC0 PIC1: active \d+ → 0 \(-\d+\) is outside ±50%: .*; rolled back$/);
    assert.equal(r.host.config?.result, 'rolled-back');
    assert.deepEqual(r.host.config?.trail, ['lock', 'load set (4)', 'show | compare', 'commit confirmed 5', 'rollback 1', 'commit (rollback)', 'unlock']);
    assert.notEqual(r.before, '');
    assert.equal(r.after, r.before, 'the running configuration is as it was before the change');
    assert.equal(r.server.backend.device.config.confirmDeadline, undefined);
    // The rollback's commit comment names the post check as its cause, in the audit and on the device.
    const audit = await readFile(join(dir, 'rolled-back', 'audit.jsonl'), 'utf8');
    assert.match(audit, /\(rolled back: check failed\)/);
    assert.doesNotMatch(audit, /rolled back: verify failed/);
    const check = r.host.checks?.post?.[0];
    assert.equal(check?.passed, false);
    assert.ok(check!.failures.length > 0);
    for (const f of check!.failures) {
      assert.equal(f.post, 0);
      assert.ok(typeof f.pre === 'number' && f.pre > 0 && f.delta === -f.pre && f.deltaPercent === -100, JSON.stringify(f));
    }
  });

  it('acting with the sessions steady: the post check passes and the change is confirmed', async () => {
    const r = await run('playbooks/flow-aging-baseline.yml', 'confirmed', ACT);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.host.config?.result, 'committed');
    assert.deepEqual(r.host.checks?.post?.map((c) => [c.name, c.passed]), [['sessions per SPU hold', true]]);
    const items = r.host.checks!.post![0]!.items;
    assert.equal(items.length, r.host.checks!.post![0]!.checked);
    assert.ok(items.length > 0);
    for (const item of items) assert.ok(typeof item.pre === 'number' && typeof item.post === 'number' && item.delta === item.post - item.pre && 'spu' in item.key, JSON.stringify(item));
    assert.notEqual(r.after, r.before);
  });

  it('a dry run runs no post check: nothing changed, nothing is read again', async () => {
    const r = await run('playbooks/flow-aging-baseline.yml', 'dry', []);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.host.config?.result, 'checked');
    assert.equal(r.host.checks, undefined, 'its only check compares pre with post');
    assert.equal(r.server.rpcNames.filter((n) => n === 'get-flow-session-information').length, 1);
  });

  it('a dry run runs the pre checks: a failed one fails the host before the change is checked on the device', async () => {
    const r = await run('test/fixtures/playbooks/baseline-pre-check-fails.yml', 'dry-pre-fails', []);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.equal(r.host.error?.kind, 'check');
    assert.deepEqual(r.host.checks?.pre?.map((c) => [c.name, c.passed]), [['an SPU is nearly full', false]]);
    assert.deepEqual(r.server.rpcNames.filter((n) => n.endsWith('-configuration') && n !== 'get-configuration'), []);
    assert.match(r.stdout, /FAIL {2}an SPU is nearly full \(pre\): 3 of 3 items failed/);
  });

  it('a failed pre check fails the host before anything is sent, saying which items', async () => {
    const r = await run('test/fixtures/playbooks/baseline-pre-check-fails.yml', 'pre-fails', ACT);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.equal(r.host.status, 'failed');
    assert.equal(r.host.error?.kind, 'check');
    assert.match(r.host.error?.message ?? '', /^pre check failed: check 'an SPU is nearly full' \(pre\): node=null spu=FPC0 PIC1: .*; nothing was sent$/);
    assert.equal(r.host.checks?.pre?.[0]?.passed, false);
    assert.equal(r.host.checks?.post, undefined);
    assert.deepEqual(r.server.rpcNames.filter((n) => n === 'load-configuration' || n === 'lock-configuration' || n.startsWith('commit')), []);
    assert.equal(r.after, r.before);
  });
});
