import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HostResult } from '../../src/contracts/results.ts';
import type { Report } from '../../src/report/json-report.ts';
import { runCli } from '../helpers/cli.ts';
import { HostileServer, type HostileReply, type ReceivedRpc } from '../helpers/hostile-server.ts';

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
    const rep = JSON.parse(await readFile(report, 'utf8')) as Report;
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
