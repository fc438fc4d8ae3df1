/**
 * Our NETCONF client against a NETCONF server that is not ours: yuma123's netconfd
 * (Debian package `netconfd`) behind OpenSSH's sshd and netconf-subsystem, all on
 * 127.0.0.1. netconfd offers base:1.1, starts every message with an XML declaration and
 * pretty-prints its replies, none of which our lab does, so this checks the framing,
 * hello and reply handling against an independent implementation.
 *
 * Skipped (with the reason) when netconfd, netconf-subsystem, sshd or ssh-keygen are
 * not installed; CI installs them.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Client, type ClientChannel } from 'ssh2';
import { RpcError, TransportError } from '../../src/transport/errors.ts';
import { frameMessage } from '../../src/transport/framing.ts';
import { CAP_BASE_10, clientHello, NETCONF_NS } from '../../src/transport/hello.ts';
import type { ConnectOptions } from '../../src/transport/options.ts';
import { NetconfSession } from '../../src/transport/session.ts';
import type { ElementHandler } from '../../src/xml/element-stream.ts';
import { child, childText, type XmlNode } from '../../src/xml/node.ts';
import { netconfdUnavailable, startNetconfdOverSsh, tookInHello, type RunningNetconfd } from '../helpers/netconfd.ts';
import { delay, waitFor } from '../helpers/sshd.ts';

const BASE_11 = 'urn:ietf:params:netconf:base:1.1';
const NCM_NS = 'urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring';
const NACM_NS = 'urn:ietf:params:xml:ns:yang:ietf-netconf-acm';
const SESSIONS_FILTER = `<get><filter type="subtree"><netconf-state xmlns="${NCM_NS}"><sessions/></netconf-state></filter></get>`;

/** Collects the trees of the named elements of a reply. */
function collect(...names: string[]): ElementHandler & { found: Map<string, XmlNode[]> } {
  const found = new Map<string, XmlNode[]>(names.map((n) => [n, []]));
  return {
    items: new Set(names),
    found,
    onElement(node) {
      found.get(node.name)!.push(node);
    },
  };
}

interface NcSession {
  id: string;
  username?: string;
  sourceHost?: string;
  transport?: string;
  inRpcs: number;
  inBadRpcs: number;
}

async function netconfSessions(s: NetconfSession): Promise<NcSession[]> {
  const h = collect('session');
  await s.rpc(SESSIONS_FILTER, { handler: h });
  return h.found.get('session')!.map((n) => ({
    id: childText(n, 'session-id') ?? '',
    username: childText(n, 'username'),
    sourceHost: childText(n, 'source-host'),
    transport: childText(n, 'transport'),
    inRpcs: Number(childText(n, 'in-rpcs')),
    inBadRpcs: Number(childText(n, 'in-bad-rpcs')),
  }));
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('expected the promise to reject');
}

/** A netconf channel to netconfd that the test writes to byte by byte, to choose what netconfd reads at once. */
async function rawNetconfChannel(srv: RunningNetconfd): Promise<{ client: Client; channel: ClientChannel; received: () => string }> {
  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve).once('error', reject);
    client.connect({ host: '127.0.0.1', port: srv.port, username: srv.user, privateKey: srv.clientKey });
  });
  const channel = await new Promise<ClientChannel>((resolve, reject) => client.subsys('netconf', (err, ch) => (err ? reject(err) : resolve(ch))));
  let text = '';
  channel.on('data', (b: Buffer) => (text += b.toString('utf8')));
  return { client, channel, received: () => text };
}

const eomHello = frameMessage('eom', clientHello([CAP_BASE_10])).toString('utf8');
const eomGetConfig = (id: number) => frameMessage('eom', `<rpc xmlns="${NETCONF_NS}" message-id="${id}"><get-config><source><running/></source></get-config></rpc>`).toString('utf8');
const replyIds = (text: string) => [...text.matchAll(/<rpc-reply message-id="(\d+)"/g)].map((m) => m[1]);
const sessionIdOf = (text: string) => /<session-id>(\d+)<\/session-id>/.exec(text)?.[1];

describe('our NETCONF client against yuma123 netconfd over OpenSSH (127.0.0.1)', () => {
  const unavailable = netconfdUnavailable();
  let dir: string | undefined;
  let server: RunningNetconfd | undefined;
  const open: NetconfSession[] = [];

  before(async () => {
    if (unavailable) return;
    // Short path: the UNIX socket's path must fit in 107 bytes.
    dir = await mkdtemp(join(tmpdir(), 'rb-ncd-'));
    server = await startNetconfdOverSsh(dir);
  });

  after(async () => {
    for (const s of open) s.destroy();
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Skips the test when the tools are missing; otherwise returns the running server. */
  function need(t: TestContext): RunningNetconfd | undefined {
    if (unavailable) {
      t.skip(unavailable);
      return undefined;
    }
    return server!;
  }

  function options(srv: RunningNetconfd, extra: Partial<ConnectOptions> = {}): ConnectOptions {
    return {
      name: 'netconfd',
      address: '127.0.0.1',
      port: srv.port,
      username: srv.user,
      privateKey: srv.clientKey,
      knownHostsFile: srv.knownHostsFile,
      connectTimeoutMs: 15_000,
      rpcTimeoutMs: 15_000,
      ...extra,
    };
  }

  async function connect(srv: RunningNetconfd, extra: Partial<ConnectOptions> = {}): Promise<NetconfSession> {
    try {
      const s = await NetconfSession.connect(options(srv, extra));
      open.push(s);
      // netconfd would hold our first RPC if it read it together with our hello (helpers/netconfd.ts).
      await srv.helloTakenIn(s.sessionId!);
      return s;
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${srv.logs()}`, { cause: err });
    }
  }

  it('negotiates base:1.1 (chunked framing) by public key and reads netconfd hello', { timeout: 30_000 }, async (t) => {
    const srv = need(t);
    if (!srv) return;
    const s = await connect(srv);
    assert.equal(s.framing, 'chunked');
    assert.ok(s.capabilities.includes(BASE_11), `netconfd offers base:1.1: ${s.capabilities.join(' ')}`);
    assert.ok(s.capabilities.some((c) => c.startsWith(`${NCM_NS}?module=ietf-netconf-monitoring`)), 'netconfd advertises ietf-netconf-monitoring');
    assert.match(s.sessionId ?? '', /^[1-9]\d*$/, 'netconfd assigns a numeric session-id');
    // netconfd lists this very session, as seen from the server side.
    const sessions = await netconfSessions(s);
    const mine = sessions.find((x) => x.id === s.sessionId);
    assert.ok(mine, `session ${s.sessionId} in netconf-state: ${JSON.stringify(sessions)}`);
    assert.equal(mine.username, srv.user);
    assert.equal(mine.sourceHost, '127.0.0.1');
    assert.match(mine.transport ?? '', /netconf-ssh$/);
    await s.close();
  });

  it('edits the candidate, commits, and reads the change back from running (chunked)', { timeout: 30_000 }, async (t) => {
    const srv = need(t);
    if (!srv) return;
    const s = await connect(srv);
    assert.equal(s.framing, 'chunked');
    const group = `runbook-${process.pid}-${Date.now()}`;
    const edit = await s.rpc(
      `<edit-config><target><candidate/></target><config><nacm xmlns="${NACM_NS}"><groups><group><name>${group}</name><user-name>alice</user-name><user-name>bob</user-name></group></groups></nacm></config></edit-config>`,
    );
    assert.equal(edit.ok, true, 'edit-config answers <ok/>');
    assert.equal(edit.rpc, 'edit-config');
    const commit = await s.rpc('<commit/>');
    assert.equal(commit.ok, true, 'commit answers <ok/>');

    const h = collect('data');
    let raw = '';
    const reply = await s.rpc('<get-config><source><running/></source></get-config>', { handler: h, onText: (x) => (raw += x) });
    assert.equal(reply.errors.length, 0);
    assert.equal(reply.bytes, Buffer.byteLength(raw), 'bytes counts the reply as received');
    assert.match(raw, /^<\?xml version="1\.0" encoding="UTF-8"\?>/, 'netconfd starts its reply with an XML declaration');
    const data = h.found.get('data')!;
    assert.equal(data.length, 1, 'one <data> element');
    const nacm = child(data[0]!, 'nacm');
    assert.ok(nacm, `running has the nacm container: ${raw}`);
    assert.equal(nacm.attrs.xmlns, NACM_NS);
    const groups = child(nacm, 'groups')?.children.filter((g) => g.name === 'group') ?? [];
    const ours = groups.find((g) => childText(g, 'name') === group);
    assert.ok(ours, `group ${group} in running: ${raw}`);
    assert.deepEqual(
      ours.children.filter((c) => c.name === 'user-name').map((c) => c.text.trim()),
      ['alice', 'bob'],
    );
    // And it is really gone again once deleted.
    await s.rpc(
      `<edit-config><target><candidate/></target><config><nacm xmlns="${NACM_NS}"><groups><group xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" nc:operation="delete"><name>${group}</name></group></groups></nacm></config></edit-config>`,
    );
    await s.rpc('<commit/>');
    let afterText = '';
    await s.rpc('<get-config><source><running/></source></get-config>', { onText: (x) => (afterText += x) });
    assert.ok(!afterText.includes(group), `group ${group} removed from running: ${afterText}`);
    await s.close();
  });

  it('reads a large multi-chunk <get/> reply as one well-formed message', { timeout: 30_000 }, async (t) => {
    const srv = need(t);
    if (!srv) return;
    const s = await connect(srv);
    const h = collect('netconf-state', 'modules-state');
    let raw = '';
    const reply = await s.rpc('<get/>', { handler: h, onText: (x) => (raw += x) });
    assert.ok(reply.bytes > 8_000, `a full <get/> is several chunks (${reply.bytes} bytes)`);
    const state = h.found.get('netconf-state')!;
    assert.equal(state.length, 1, 'netconf-state present once');
    const schemas = child(state[0]!, 'schemas')?.children ?? [];
    assert.ok(schemas.some((sc) => childText(sc, 'identifier') === 'ietf-netconf-monitoring'), 'schemas list ietf-netconf-monitoring');
    const modules = h.found.get('modules-state')!;
    assert.equal(modules.length, 1, 'yang-library modules-state present');
    assert.ok(modules[0]!.children.filter((m) => m.name === 'module').length >= 10, 'modules-state lists the loaded modules');
    assert.ok(raw.trimEnd().endsWith('</rpc-reply>'), 'the text ends with the reply element (no framing left in it)');
    await s.close();
  });

  it("an RPC netconfd does not know is an RpcError carrying netconfd's error-tag, and the session stays usable", { timeout: 30_000 }, async (t) => {
    const srv = need(t);
    if (!srv) return;
    const s = await connect(srv);
    const err = await caught(s.rpc('<frobnicate-widgets/>'));
    assert.ok(err instanceof RpcError, `expected RpcError, got ${String(err)}`);
    assert.equal(err.host, 'netconfd');
    assert.equal(err.rpc, 'frobnicate-widgets');
    assert.equal(err.errors.length, 1, JSON.stringify(err.errors));
    const e = err.errors[0]!;
    assert.equal(e.severity, 'error');
    assert.equal(e.type, 'rpc');
    assert.equal(e.tag, 'unknown-element');
    assert.match(e.message, /definition not found/);
    assert.match(e.badElement ?? '', /frobnicate-widgets$/);
    assert.match(err.message, /frobnicate-widgets: definition not found/);

    // An element in a namespace netconfd has no module for: another tag.
    const err2 = await caught(s.rpc('<frobnicate-widgets xmlns="urn:example:runbook:nothing"/>'));
    assert.ok(err2 instanceof RpcError, String(err2));
    assert.equal(err2.errors[0]!.tag, 'unknown-namespace');

    // allowErrors hands the errors back instead of rejecting.
    const r = await s.rpc('<frobnicate-widgets/>', { allowErrors: true });
    assert.equal(r.ok, false);
    assert.equal(r.errors[0]!.tag, 'unknown-element');

    // Still in step: the next reply is the right one.
    const sessions = await netconfSessions(s);
    const mine = sessions.find((x) => x.id === s.sessionId);
    assert.ok(mine, 'session still listed');
    // netconfd counted the three it could not parse as bad RPCs, none as good ones.
    assert.equal(mine.inBadRpcs, 3, JSON.stringify(mine));
    assert.equal(mine.inRpcs, 0, JSON.stringify(mine));
    await s.close();
  });

  it('queued RPCs each get their own reply, in order', { timeout: 30_000 }, async (t) => {
    const srv = need(t);
    if (!srv) return;
    const s = await connect(srv);
    const handlers = [collect('data'), collect('data'), collect('session')];
    const replies = await Promise.all([
      s.rpc('<get-config><source><running/></source></get-config>', { handler: handlers[0] }),
      s.rpc(`<get-config><source><running/></source><filter type="subtree"><nacm xmlns="${NACM_NS}"/></filter></get-config>`, { handler: handlers[1] }),
      s.rpc(SESSIONS_FILTER, { handler: handlers[2] }),
    ]);
    assert.deepEqual(replies.map((r) => r.rpc), ['get-config', 'get-config', 'get']);
    assert.equal(handlers[0]!.found.get('data')!.length, 1);
    assert.equal(handlers[1]!.found.get('data')!.length, 1);
    assert.ok(handlers[2]!.found.get('session')!.some((n) => childText(n, 'session-id') === s.sessionId));
    await s.close();
  });

  it('base10Only: EOM framing against netconfd works too', { timeout: 30_000 }, async (t) => {
    const srv = need(t);
    if (!srv) return;
    const s = await connect(srv, { base10Only: true });
    assert.equal(s.framing, 'eom');
    assert.ok(s.capabilities.includes(BASE_11), 'netconfd still offers 1.1; we declined it');
    const h = collect('data');
    await s.rpc('<get-config><source><running/></source></get-config>', { handler: h });
    assert.equal(h.found.get('data')!.length, 1);
    assert.ok(child(h.found.get('data')![0]!, 'nacm'), 'running config has nacm');
    const sessions = await netconfSessions(s);
    assert.ok(sessions.some((x) => x.id === s.sessionId && x.username === srv.user), JSON.stringify(sessions));
    const err = await caught(s.rpc('<frobnicate-widgets/>'));
    assert.ok(err instanceof RpcError && err.errors[0]!.tag === 'unknown-element', String(err));
    const big = await s.rpc('<get/>');
    assert.ok(big.bytes > 8_000, `full <get/> over EOM (${big.bytes} bytes)`);
    await s.close();
  });

  it("netconfd holds an RPC read together with the client's hello until more input comes; after helloTakenIn the first RPC is answered", { timeout: 60_000 }, async (t) => {
    const srv = need(t);
    if (!srv) return;
    const log = () => readFile(srv.logFile, 'utf8');
    // The cause: our hello and an RPC in one write reach netconfd in one read.
    const a = await rawNetconfChannel(srv);
    t.after(() => a.client.end());
    await waitFor(() => sessionIdOf(a.received()) !== undefined, 20_000, "netconfd's hello");
    const sid = sessionIdOf(a.received())!;
    a.channel.write(eomHello + eomGetConfig(1));
    // netconfd 2.13 logs (bytes held back, bytes read, session): the whole RPC is held back behind the hello.
    const heldBack = new RegExp(`^ses: Deferring trailing input data on ses:${Buffer.byteLength(eomGetConfig(1))} \\(\\d+ of ${sid} bytes\\)`, 'm');
    await waitFor(async () => heldBack.test(await log()), 20_000, `netconfd to hold back the RPC behind the hello of session ${sid}`);
    await waitFor(async () => (await log()).includes(`\nSession ${sid} for ${srv.user}@127.0.0.1 now active`), 20_000, `session ${sid} to be active`);
    // The hello is handled and netconfd is back waiting for input, with the RPC still held.
    assert.doesNotMatch(await log(), new RegExp(`agt_rpc: <get-config> for ${sid}=`), 'netconfd took up the held RPC without more input: the bug is fixed, and helloTakenIn can go');
    assert.deepEqual(replyIds(a.received()), []);
    // Any further input releases it: both replies come, in order.
    a.channel.write(eomGetConfig(2));
    await waitFor(() => replyIds(a.received()).length === 2, 20_000, 'the replies to both RPCs');
    assert.deepEqual(replyIds(a.received()), ['1', '2']);

    // The remedy connect() uses: the first RPC goes out once netconfd has read the hello.
    const b = await rawNetconfChannel(srv);
    t.after(() => b.client.end());
    await waitFor(() => sessionIdOf(b.received()) !== undefined, 20_000, "netconfd's hello");
    b.channel.write(eomHello);
    await srv.helloTakenIn(sessionIdOf(b.received())!);
    b.channel.write(eomGetConfig(1));
    await waitFor(() => replyIds(b.received()).length === 1, 20_000, 'the reply to the first RPC, with nothing written after it');
    assert.deepEqual(replyIds(b.received()), ['1']);
  });

  it('close() ends the session on the server; later RPCs fail as closed', { timeout: 30_000 }, async (t) => {
    const srv = need(t);
    if (!srv) return;
    const watcher = await connect(srv);
    const s = await connect(srv);
    const id = s.sessionId;
    assert.ok((await netconfSessions(watcher)).some((x) => x.id === id), 'both sessions listed');
    await s.close();
    const err = await caught(s.rpc('<get-config><source><running/></source></get-config>'));
    assert.ok(err instanceof TransportError, String(err));
    assert.equal(err.phase, 'closed');
    // netconfd drops the session from netconf-state once its close-session is done.
    const deadline = Date.now() + 10_000;
    let ids: string[] = [];
    for (;;) {
      ids = (await netconfSessions(watcher)).map((x) => x.id);
      if (!ids.includes(id!) || Date.now() > deadline) break;
      await delay(100);
    }
    assert.ok(!ids.includes(id!), `session ${id} gone from netconf-state (still: ${ids.join(', ')})`);
    assert.ok(ids.includes(watcher.sessionId!));
    await watcher.close();
  });
});

describe("tookInHello: whether netconfd's log shows it has read a session's hello", () => {
  // Excerpts of netconfd 2.13 logs at debug3; "ses:N (R of S bytes)" is (held back, read, session).
  const created = 'New session 6 created OK\nses_accept_input on session 6\n';
  it('not while only the ncx-connect header has been read', () => {
    const log = `${created}ses read OK (261) on session 6\nses: Deferring trailing input data on ses:0 (261 of 6 bytes)until the preceding message is handled.\n`;
    assert.equal(tookInHello(log, '6'), false);
  });
  it('yes when the hello came in the same read as the header and is held back behind it', () => {
    const log = `${created}ses read OK (512) on session 6\nses: Deferring trailing input data on ses:251 (512 of 6 bytes)until the preceding message is handled.\n`;
    assert.equal(tookInHello(log, '6'), true);
    assert.equal(tookInHello(log, '5'), false, 'another session');
  });
  it('yes once netconfd has handled the hello', () => {
    const log = `${created}Session 6 for alice@127.0.0.1 now active (base:1.0)\n`;
    assert.equal(tookInHello(log, '6'), true);
    assert.equal(tookInHello(log, '16'), false);
  });
});
