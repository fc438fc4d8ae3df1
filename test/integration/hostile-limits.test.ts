/**
 * Issue 10, parts 2 and 3, against the hostile server through the real CLI: a reply that
 * is not the device's answer to the request fails that RPC; nothing hangs (every phase
 * up to the hello, each RPC and each host have a deadline); nothing grows without bound
 * (hello, reply bytes, records). Each test asserts on the wire (what the server got), the
 * report, the exit code, and, for the deadlines, that the run ended well within a
 * generous bound (a hang would be killed by runCli after 60 s).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ServerChannel } from 'ssh2';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { HOSTILE_PASSWORD_ENV, HOSTILE_USER, HostileServer, type HostileOptions, type HostileReply } from '../helpers/hostile-server.ts';

interface HostReport {
  readonly status: string;
  readonly error?: { readonly phase: string; readonly kind: string; readonly message: string };
  readonly actions: readonly { readonly status: string; readonly action: { readonly rpc?: string } }[];
}

let dir: string;
let server: HostileServer | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runbook-hostile-limits-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Runs ah-cleanup against a hostile server; returns the CLI's result, its one host's report and the seconds it took. */
async function apply(opts: HostileOptions, args: readonly string[] = []): Promise<{ r: CliResult; host: HostReport; seconds: number }> {
  server = await HostileServer.start(opts);
  const inv = await server.writeInventory(dir);
  const report = join(dir, 'report.json');
  const t0 = Date.now();
  const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inv, '--report', report, '--audit-log', join(dir, 'audit.jsonl'), '--lock-dir', dir, ...args], { env: server.env() });
  const seconds = (Date.now() - t0) / 1000;
  const parsed = JSON.parse(await readFile(report, 'utf8')) as { run: { hosts: HostReport[] } };
  return { r, host: parsed.run.hosts[0]!, seconds };
}

/** `runbook rpc` against a hostile server. */
async function rpc(opts: HostileOptions, args: readonly string[]): Promise<{ r: CliResult; seconds: number }> {
  server = await HostileServer.start(opts);
  await server.writeInventory(dir);
  const t0 = Date.now();
  const r = await runCli(
    ['rpc', 'get-flow-session-information', '--arg', 'protocol=ah', '--host', '127.0.0.1', '--port', String(server.port), '--user', HOSTILE_USER, '--password-env', HOSTILE_PASSWORD_ENV, '--known-hosts', join(dir, 'hostile_known_hosts'), ...args],
    { env: server.env() },
  );
  return { r, seconds: (Date.now() - t0) / 1000 };
}

/** Writes pieces for as long as the client stays, waiting on backpressure: a device that never stops. */
async function flood(channel: ServerChannel, piece: () => string, isGone: () => boolean): Promise<void> {
  while (!isGone()) {
    if (!channel.write(piece())) {
      await new Promise<void>((resolve) => {
        const done = () => (channel.off('drain', done), channel.off('close', done), resolve());
        channel.on('drain', done);
        channel.on('close', done);
      });
    }
  }
}

/** One flow session as Junos writes it, enough for the collect step's item. */
function flowRecord(n: number): string {
  return `<flow-session><session-identifier>${n}</session-identifier><flow-information><direction>In</direction><source-address>10.9.${(n >> 8) & 255}.${n & 255}</source-address></flow-information></flow-session>\n`;
}

/** Answers get-flow-session-information with `answer`, lets the lab answer the rest. */
function onFlows(answer: (reply: HostileReply) => Promise<void>): HostileOptions['onRpc'] {
  return async (rpc, reply) => {
    if (rpc.name !== 'get-flow-session-information') return false;
    await answer(reply);
    return true;
  };
}

/** Streams `open`, then `piece()` until the client goes; with backpressure. */
async function endless(reply: HostileReply, piece: (n: number) => string): Promise<void> {
  await reply.part(reply.open);
  for (let n = 0; !reply.gone; n++) await reply.part(piece(n));
}

/** "It ended": the CLI alone takes ~4 s to start on a loaded 2-core machine, so 30 s for 2 s deadlines (a hang is killed at 60 s). */
const BOUND_S = 30;

describe('every phase up to the hello is bounded by --connect-timeout', () => {
  it('apply: a server that never answers the netconf subsystem request makes the host unreachable, promptly', async () => {
    const { r, host, seconds } = await apply({ subsystem: 'hang' }, ['--connect-timeout', '2']);
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.equal(host.status, 'unreachable');
    assert.equal(host.error?.kind, 'timeout');
    assert.match(host.error!.message, /netconf subsystem.*--connect-timeout/);
    assert.equal(server!.received.length, 0, 'no RPC went out');
    assert.ok(seconds < BOUND_S, `took ${seconds} s`);
  });

  it('runbook rpc: the same, exit 4 with the reason', async () => {
    const { r, seconds } = await rpc({ subsystem: 'hang' }, ['--connect-timeout', '2']);
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(r.stderr, /timeout: the server did not start the netconf subsystem/);
    assert.ok(seconds < BOUND_S, `took ${seconds} s`);
  });

  it('a hello that never ends fails the host at --max-hello-bytes instead of buffering it', async () => {
    const hello = (channel: ServerChannel) => {
      let gone = false;
      channel.on('close', () => (gone = true));
      void flood(channel, () => randomBytes(48 * 1024).toString('base64'), () => gone);
    };
    const { r, host } = await apply({ hello }, ['--max-hello-bytes', '256K']);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.equal(host.status, 'failed');
    assert.equal(host.error?.kind, 'limit');
    assert.match(host.error!.message, /<hello> exceeds the limit of 256 KiB \(raise it with --max-hello-bytes or runbook_max_hello_bytes\)/);
    assert.equal(server!.received.length, 0);
  });
});

describe('each RPC and each host have a deadline, however steadily data comes', () => {
  const keepAlive = onFlows(async (reply) => {
    await reply.part(reply.open);
    while (!reply.gone) {
      await reply.part('<!-- keep alive -->\n');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  it('--rpc-deadline ends a reply trickling keep-alive comments', async () => {
    const { r, host, seconds } = await apply({ onRpc: keepAlive }, ['--rpc-deadline', '2']);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.equal(host.status, 'failed');
    assert.deepEqual([host.error?.phase, host.error?.kind], ['collect', 'timeout']);
    assert.match(host.error!.message, /reply to get-flow-session-information was not complete within 2 s \(--rpc-deadline/);
    assert.deepEqual(server!.rpcNames.slice(0, 1), ['get-flow-session-information']);
    assert.ok(seconds < BOUND_S, `took ${seconds} s`);
  });

  it('--host-deadline ends the host, whatever its RPCs are doing', async () => {
    const { r, host, seconds } = await apply({ onRpc: keepAlive }, ['--host-deadline', '2']);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.equal(host.status, 'failed');
    assert.deepEqual([host.error?.phase, host.error?.kind], ['collect', 'timeout']);
    assert.match(host.error!.message, /host deadline of 2 s passed \(--host-deadline/);
    assert.ok(seconds < BOUND_S, `took ${seconds} s`);
  });

  it("the playbook's timeouts.rpc_deadline sets it too, below the inventory and the flag", async () => {
    const playbook = join(dir, 'ah-cleanup.yml');
    await writeFile(playbook, (await readFile('playbooks/ah-cleanup.yml', 'utf8')) + '\ntimeouts:\n  rpc_deadline: 2\n');
    server = await HostileServer.start({ onRpc: keepAlive });
    const inv = await server.writeInventory(dir);
    const report = join(dir, 'report.json');
    const r = await runCli(['apply', playbook, '-i', inv, '--report', report, '--lock-dir', dir], { env: server.env() });
    assert.equal(r.code, 3, r.stdout + r.stderr);
    const host = (JSON.parse(await readFile(report, 'utf8')) as { run: { hosts: HostReport[] } }).run.hosts[0]!;
    assert.match(host.error!.message, /not complete within 2 s \(--rpc-deadline/);
  });

  it('runbook rpc --rpc-deadline too', async () => {
    const { r, seconds } = await rpc({ onRpc: keepAlive }, ['--rpc-deadline', '2']);
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(r.stderr, /not complete within 2 s/);
    assert.ok(seconds < BOUND_S, `took ${seconds} s`);
  });
});

describe('a reply is bounded: records and bytes', () => {
  it('records without end fail the host at --max-records', async () => {
    const { r, host } = await apply({ onRpc: onFlows((reply) => endless(reply, flowRecord)) }, ['--max-records', '1000']);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.deepEqual([host.status, host.error?.kind], ['failed', 'limit']);
    assert.match(host.error!.message, /number of records in the reply exceeds the limit of 1000 records \(raise it with --max-records or runbook_max_records\)/);
  });

  it('a reply over --max-reply-bytes fails the host', async () => {
    const { r, host } = await apply({ onRpc: onFlows((reply) => endless(reply, flowRecord)) }, ['--max-reply-bytes', '1M']);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.deepEqual([host.status, host.error?.kind], ['failed', 'limit']);
    assert.match(host.error!.message, /the reply exceeds the limit of 1 MiB \(raise it with --max-reply-bytes or runbook_max_reply_bytes\)/);
  });

  it('the inventory sets a bound as well (runbook_max_records)', async () => {
    server = await HostileServer.start({ onRpc: onFlows((reply) => endless(reply, flowRecord)) });
    const inv = await server.writeInventory(dir, 'hostile-srx', { runbook_max_records: 500 });
    const report = join(dir, 'report.json');
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inv, '--report', report, '--lock-dir', dir], { env: server.env() });
    assert.equal(r.code, 3, r.stdout + r.stderr);
    const host = (JSON.parse(await readFile(report, 'utf8')) as { run: { hosts: HostReport[] } }).run.hosts[0]!;
    assert.match(host.error!.message, /limit of 500 records/);
  });
});

describe('a reply is bounded: depth and text nodes (the XML reader, through the session)', () => {
  it('elements nested without end fail the host at --max-depth', async () => {
    const { r, host } = await apply({ onRpc: onFlows((reply) => endless(reply, () => '<flow-session-information>')) }, ['--max-depth', '64']);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.deepEqual([host.status, host.error?.kind], ['failed', 'limit']);
    assert.match(host.error!.message, /limit of 64 levels \(raise it with --max-depth or runbook_max_depth\)/);
  });

  it('a text node without end in a field the collect keeps fails the host at --max-text-bytes', async () => {
    const huge = onFlows(async (reply) => {
      await reply.part(`${reply.open}<flow-session><session-identifier>1</session-identifier><flow-information><direction>In</direction><source-address>`);
      while (!reply.gone) await reply.part('1'.repeat(64 * 1024));
    });
    const { r, host } = await apply({ onRpc: huge }, ['--max-text-bytes', '1M']);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.deepEqual([host.status, host.error?.kind], ['failed', 'limit']);
    assert.match(host.error!.message, /limit of 1 MiB \(raise it with --max-text-bytes or runbook_max_text_bytes\)/);
  });
});

describe('a reply that is not the rpc-reply to the request fails that RPC', () => {
  it('a clear answered with bare text is recorded failed, never sent, exit 3', async () => {
    const onRpc: HostileOptions['onRpc'] = async (rpc, reply) => {
      if (!rpc.name.startsWith('clear-')) return false;
      await reply.whole('% error: syntax error, device busy\n');
      return true;
    };
    const { r, host } = await apply({ onRpc, scenario: 'three-peers' }, ['-e', 'dry_run=false', '-e', 'min_peer_sessions=60', '--yes']);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    const clears = server!.rpcNames.filter((n) => n.startsWith('clear-'));
    assert.equal(clears.length, 1, `the act stops at the first bad reply: ${server!.rpcNames.join(', ')}`);
    assert.equal(host.status, 'failed');
    assert.ok(!host.actions.some((a) => a.status === 'sent'), JSON.stringify(host.actions.map((a) => a.status)));
    assert.equal(host.actions.find((a) => a.action.rpc === clears[0])?.status ?? host.actions[0]?.status, 'failed');
    assert.equal(host.error?.kind, 'protocol');
    assert.match(host.error!.message, /the device answered with text: '% error: syntax error, device busy'/);
    // The audit log, too, says what the device got: the clear was sent (intent), and the
    // answer was no rpc-reply, so whether the device did it is unknown (outcome).
    const audit = (await readFile(join(dir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { rpc: string; phase: string; outcome?: string; error?: { kind: string } });
    assert.deepEqual(audit.map((a) => [a.rpc, a.phase, a.outcome, a.error?.kind]), [
      [clears[0], 'intent', undefined, undefined],
      [clears[0], 'outcome', 'unknown', 'protocol'],
    ]);
  });

  it('a flow reply that is bare text is a failed collect, not "0 AH sessions"', async () => {
    const { r, host } = await apply({ onRpc: onFlows((reply) => reply.whole('% error: syntax error, device busy\n')) });
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.deepEqual([host.status, host.error?.phase, host.error?.kind], ['failed', 'collect', 'protocol']);
  });

  for (const [what, attr] of [
    ['no message-id', ''],
    ['another message-id', ' message-id="999"'],
  ] as const) {
    it(`a reply with ${what} fails the RPC`, async () => {
      const { r, host } = await apply({ onRpc: onFlows((reply) => reply.whole(`<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"${attr}><flow-session-information/></rpc-reply>\n`)) });
      assert.equal(r.code, 3, r.stdout + r.stderr);
      assert.deepEqual([host.status, host.error?.phase, host.error?.kind], ['failed', 'collect', 'protocol']);
      assert.match(host.error!.message, attr === '' ? /has no message-id, expected 1/ : /has message-id 999, expected 1/);
    });
  }
});
