import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RUNBOOK_BIN, runCli } from '../helpers/cli.ts';
import { HOSTILE_PASSWORD_ENV, HOSTILE_USER, HostileServer, type HostileOptions, type HostileReply, type ReceivedRpc } from '../helpers/hostile-server.ts';

/**
 * Issue 10, section 1: a clear never gets wider than planned. A device that answers with
 * a tunnel index of "abc", an empty one, or an AH session with an empty source-address
 * once made ah-cleanup send `<clear-ipsec-security-association/>` (every IPsec SA) or plan
 * `clear security ike security-associations` with no peer (every IKE SA). These drive the
 * real CLI against a hostile device and assert on the wire, the report, the audit log and
 * the exit code.
 */

/** three-peers' top peers with -e min_peer_sessions=55: 2.0.0.146 (62), 2.0.0.150 (62), 1.0.0.42 (58). */
const TOP_PEER = '2.0.0.146';
const SELECT_TOP = ['-e', 'min_peer_sessions=55'];

/** The lab's SA reply with the tunnel index of every SA of `peer` replaced by `index`. */
function sasWithIndex(text: string, peer: string, index: string): string {
  return text
    .split('<ipsec-security-associations>')
    .map((part) => (part.includes(`<sa-remote-gateway>${peer}</sa-remote-gateway>`) ? part.replace(/<sa-tunnel-index>\d+<\/sa-tunnel-index>/, `<sa-tunnel-index>${index}</sa-tunnel-index>`) : part))
    .join('<ipsec-security-associations>');
}

/** Answers one RPC with the lab's reply, altered. */
function altered(rpc: string, change: (text: string) => string) {
  return async (received: ReceivedRpc, reply: HostileReply): Promise<boolean> => {
    if (received.name !== rpc) return false;
    const text = reply.labText();
    assert.ok(text !== undefined, `the lab answers ${rpc}`);
    await reply.whole(reply.open + change(text) + reply.close);
    return true;
  };
}

/** A clear sent with none of the arguments that narrow it: the wide form, every SA of its kind. */
function unnarrowedClears(server: HostileServer): string[] {
  const narrowing: Record<string, readonly string[]> = {
    'clear-ipsec-security-association': ['index', 'vpn-name'],
    'clear-ike-security-association': ['peer-address', 'index'],
  };
  return server.received
    .filter((r) => narrowing[r.name] !== undefined)
    .filter((r) => {
      const call = r.node.children[0];
      return !call?.children.some((c) => narrowing[r.name].includes(c.name) && c.text.trim() !== '');
    })
    .map((r) => r.xml);
}

/** The audit log's intent lines: one per state-changing RPC sent (each has an outcome line too). */
async function readAudit(file: string): Promise<unknown[]> {
  if (!existsSync(file)) return [];
  const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { phase?: string });
  return lines.filter((l) => l.phase === 'intent');
}

interface Run {
  readonly code: number | null;
  readonly out: string;
  readonly report: { run: { hosts: { host: string; status: string; error?: { phase: string; kind: string; message: string; step?: string }; plan: unknown[] }[] } };
  readonly audit: unknown[];
  readonly server: HostileServer;
}

describe('a clear never gets wider than planned (hostile device, real CLI)', () => {
  let dir: string;
  const servers: HostileServer[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-narrow-'));
  });
  after(async () => {
    for (const s of servers) await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  let runs = 0;
  async function apply(playbook: string, onRpc: HostileOptions['onRpc'], extra: readonly string[]): Promise<Run> {
    const server = await HostileServer.start({ onRpc });
    servers.push(server);
    const sub = join(dir, `run-${++runs}`);
    await mkdir(sub);
    const inv = await server.writeInventory(sub);
    const report = join(sub, 'report.json');
    const audit = join(sub, 'audit.jsonl');
    const r = await runCli(['apply', playbook, '-i', inv, ...SELECT_TOP, ...extra, '--report', report, '--audit-log', audit, '--lock-dir', sub], { env: server.env() });
    return { code: r.code, out: r.stdout + r.stderr, report: JSON.parse(await readFile(report, 'utf8')) as Run['report'], audit: await readAudit(audit), server };
  }

  const ACTING = ['-e', 'dry_run=false', '--yes'];

  for (const [what, index, says] of [
    ['not a number', 'abc', /the device's value is "abc", not an integer/],
    ['empty', '', /the device's value is "", empty, which the field requires \(integer\)/],
  ] as const) {
    it(`a tunnel index that is ${what}: the host fails at the SA collect, located; no clear is sent or audited; exit 3`, async () => {
      for (const mode of [ACTING, []]) {
        const r = await apply('playbooks/ah-cleanup.yml', altered('get-security-associations-information', (t) => sasWithIndex(t, TOP_PEER, index)), mode);
        assert.equal(r.code, 3, r.out);
        assert.ok(r.server.rpcNames.includes('get-security-associations-information'), r.server.rpcNames.join(','));
        assert.deepEqual(r.server.rpcNames.filter((n) => n.startsWith('clear-')), [], 'nothing is cleared when a record is bad');
        assert.deepEqual(unnarrowedClears(r.server), []);
        assert.deepEqual(r.audit, []);
        const host = r.report.run.hosts[0];
        assert.equal(host.status, 'failed');
        assert.equal(host.error?.kind, 'bad-value');
        assert.equal(host.error?.step, 'Collect IPsec SAs');
        assert.deepEqual(host.plan, []);
        assert.match(host.error?.message ?? '', /^playbooks\/ah-cleanup\.yml:\d+:\d+: step 'Collect IPsec SAs': ipsec-security-associations record \d+: field index \(sa-tunnel-index\): /);
        assert.match(host.error?.message ?? '', says);
        assert.match(r.out, says);
      }
    });
  }

  it('an AH session with an empty source-address: the host fails at the flow collect; no IKE clear without a peer; exit 3', async () => {
    const empty = (t: string) => t.replaceAll(`<source-address>${TOP_PEER}</source-address>`, '<source-address></source-address>');
    for (const mode of [ACTING, []]) {
      const r = await apply('playbooks/ah-cleanup.yml', altered('get-flow-session-information', empty), mode);
      assert.equal(r.code, 3, r.out);
      assert.deepEqual(r.server.rpcNames.filter((n) => n.startsWith('clear-')), []);
      assert.deepEqual(r.audit, []);
      const host = r.report.run.hosts[0];
      assert.equal(host.status, 'failed');
      assert.equal(host.error?.step, 'Collect AH sessions');
      assert.match(host.error?.message ?? '', /step 'Collect AH sessions': flow-session record \d+: field peer \(flow-information\[direction='In'\]\/source-address\): the device's value is "", empty, which the field requires \(address\) \(and 61 more records fail\)/);
    }
  });

  it('a source-address that is not an address fails the same way, naming the value', async () => {
    const r = await apply('playbooks/ah-cleanup.yml', altered('get-flow-session-information', (t) => t.replace(`<source-address>${TOP_PEER}</source-address>`, '<source-address>2.0.0.999</source-address>')), ACTING);
    assert.equal(r.code, 3, r.out);
    assert.deepEqual(r.server.rpcNames.filter((n) => n.startsWith('clear-')), []);
    assert.match(r.report.run.hosts[0].error?.message ?? '', /field peer .*the device's value is "2\.0\.0\.999", not an IPv4 or IPv6 address/);
  });

  /**
   * The second line of defence, for a playbook that declares no types: the empty value
   * reads as null, and the plan refuses to leave out an argument that narrows a clear.
   */
  async function untypedAhCleanup(): Promise<string> {
    const text = (await readFile('playbooks/ah-cleanup.yml', 'utf8'))
      .replace(/peer: \{ path: "([^"]+)", type: address, required: true \}/, 'peer: "$1"')
      .replace(/index: \{ path: sa-tunnel-index,[^}]*\}/, 'index: sa-tunnel-index')
      .replace(/gateway: \{ path: sa-remote-gateway,[^}]*\}/, 'gateway: sa-remote-gateway')
      // The log line whose $join happened to throw on a null peer: without it, nothing else stops the plan.
      .replace(/\n +- "Top talkers: [^\n]*/, '');
    assert.doesNotMatch(text, /type: address|required: true|Top talkers/);
    const file = join(dir, 'ah-cleanup-untyped.yml');
    await writeFile(file, text);
    return file;
  }

  it('untyped fields: an empty tunnel index renders null, and the plan fails naming step, argument and value; nothing is sent', async () => {
    const playbook = await untypedAhCleanup();
    const r = await apply(playbook, altered('get-security-associations-information', (t) => sasWithIndex(t, TOP_PEER, '')), ACTING);
    assert.equal(r.code, 3, r.out);
    assert.deepEqual(unnarrowedClears(r.server), []);
    assert.deepEqual(r.server.rpcNames.filter((n) => n.startsWith('clear-')), [], 'the plan failed as a whole: not even the narrowed clears went out');
    assert.deepEqual(r.audit, []);
    const host = r.report.run.hosts[0];
    assert.equal(host.status, 'failed');
    assert.equal(host.error?.phase, 'plan');
    assert.equal(host.error?.step, 'Plan the clears');
    assert.match(
      host.error?.message ?? '',
      /ah-cleanup-untyped\.yml:\d+:\d+: step 'Plan the clears': clear-ipsec-security-association argument index \('\{\{ index \}\}'\) rendered null: it narrows a state-changing RPC, so it cannot be left out \(without it the RPC clears every IPsec SA on the device\)/,
    );
  });

  it('untyped fields: an empty source-address makes a null peer, and the IKE clear is refused rather than sent with no peer', async () => {
    const playbook = await untypedAhCleanup();
    const empty = (t: string) => t.replaceAll(`<source-address>${TOP_PEER}</source-address>`, '<source-address></source-address>');
    for (const mode of [ACTING, []]) {
      const r = await apply(playbook, altered('get-flow-session-information', empty), mode);
      assert.equal(r.code, 3, r.out);
      assert.deepEqual(r.server.rpcNames.filter((n) => n.startsWith('clear-')), []);
      assert.deepEqual(r.audit, []);
      const host = r.report.run.hosts[0];
      assert.equal(host.error?.step, 'Plan the clears');
      assert.match(host.error?.message ?? '', /clear-ike-security-association argument peer-address \('\{\{ item\.peer \}\}'\) rendered null: .*clears every IKE SA on the device/);
    }
  });

  it('the lab as it is: ah-cleanup still clears, each clear narrowed', async () => {
    const r = await apply('playbooks/ah-cleanup.yml', () => false, ACTING);
    assert.equal(r.code, 0, r.out);
    const clears = r.server.rpcNames.filter((n) => n.startsWith('clear-'));
    assert.ok(clears.includes('clear-ike-security-association') && clears.includes('clear-ipsec-security-association'), clears.join(','));
    assert.deepEqual(unnarrowedClears(r.server), []);
    assert.equal(r.audit.length, clears.length);
  });

  it('clear-sessions -e all=true: the dry run, the plan, the ticket and the audit log flag the wide clear', async () => {
    const server = await HostileServer.start();
    servers.push(server);
    const sub = join(dir, 'wide');
    await mkdir(sub);
    const inv = await server.writeInventory(sub);
    const common = ['-i', inv, '-e', 'all=true'];
    const dry = await runCli(['apply', 'playbooks/clear-sessions.yml', ...common, '--lock-dir', sub, '--audit-log', join(sub, 'audit.jsonl')], { env: server.env() });
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.match(dry.stdout, /clear security flow session all {3}\(WIDE: clears every flow session on the device except tunnel and resource-manager sessions\)/);
    assert.match(dry.stdout, /1 WIDE clear \(all: true\)/);
    const planFile = join(sub, 'plan.json');
    const plan = await runCli(['plan', 'playbooks/clear-sessions.yml', ...common, '-o', planFile], { env: server.env() });
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    const artifact = JSON.parse(await readFile(planFile, 'utf8')) as { hosts: { actions: { rpc: string; wide?: string }[] }[] };
    assert.deepEqual(artifact.hosts[0].actions.map((a) => [a.rpc, a.wide]), [['clear-flow-session-all', 'clears every flow session on the device except tunnel and resource-manager sessions']]);
    const md = await runCli(['show', planFile, '--format', 'md']);
    assert.equal(md.code, 0, md.stderr);
    assert.match(md.stdout, /> \*\*WIDE: clear security flow session all clears every flow session on the device except tunnel and resource-manager sessions\*\*/);
    const text = await runCli(['show', planFile, '--format', 'text']);
    assert.match(text.stdout, /\n {2}WIDE: clear security flow session all clears every flow session/);
    assert.ok(!server.rpcNames.some((n) => n.startsWith('clear-')), 'dry run and plan send no clear');
    const audit = join(sub, 'acting-audit.jsonl');
    const reportFile = join(sub, 'acting-report.json');
    const acting = await runCli(['apply', 'playbooks/clear-sessions.yml', ...common, '-e', 'dry_run=false', '--yes', '--lock-dir', sub, '--audit-log', audit, '--report', reportFile], { env: server.env() });
    assert.equal(acting.code, 0, acting.stdout + acting.stderr);
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as Run['report'] & { run: { hosts: { actions: { action: { wide?: string } }[] }[] } };
    assert.match(report.run.hosts[0].actions[0].action.wide ?? '', /every flow session/);
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    (addFormatsModule as unknown as { default: (a: Ajv) => Ajv }).default(ajv);
    const validate = ajv.compile(JSON.parse(await readFile('schemas/report.schema.json', 'utf8')) as object);
    assert.ok(validate(report), JSON.stringify(validate.errors));
    assert.deepEqual(server.rpcNames.filter((n) => n.startsWith('clear-')), ['clear-flow-session-all']);
    assert.deepEqual(
      (await readAudit(audit)).map((l) => [(l as { cli: string }).cli, (l as { wide?: string }).wide]),
      [['clear security flow session all', 'clears every flow session on the device except tunnel and resource-manager sessions']],
    );
  });
});

describe('runbook rpc: a state-changing RPC is asked about, and a clear needs its selector', () => {
  let server: HostileServer;
  let dir: string;
  let common: string[];
  before(async () => {
    server = await HostileServer.start();
    dir = await mkdtemp(join(tmpdir(), 'runbook-narrow-rpc-'));
    await server.writeInventory(dir);
    common = ['rpc', '--host', '127.0.0.1', '--port', String(server.port), '--user', HOSTILE_USER, '--password-env', HOSTILE_PASSWORD_ENV, '--known-hosts', join(dir, 'hostile_known_hosts'), '--audit-log', join(dir, 'rpc-audit.jsonl')];
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('off a terminal without --yes: refused with exit 2, nothing connects or is sent', async () => {
    const accepted = server.accepted;
    for (const args of [
      ['clear-ipsec-security-association', '--arg', 'index=67108866'],
      ['--xml', '<clear-ike-security-association><peer-address>2.0.0.146</peer-address></clear-ike-security-association>'],
      ['request-reboot'],
    ]) {
      const r = await runCli([...common, ...args], { env: server.env() });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /changes device state.*Not on a terminal, so nothing can ask: add --yes to send it/);
    }
    assert.equal(server.accepted, accepted, 'nothing connected');
    assert.deepEqual(server.rpcNames.filter((n) => n !== 'close-session'), []);
  });

  it('with --yes: sent as asked', async () => {
    const r = await runCli([...common, 'clear-ipsec-security-association', '--arg', 'index=67108866', '--yes'], { env: server.env() });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const sent = server.received.filter((x) => x.name === 'clear-ipsec-security-association');
    assert.equal(sent.length, 1);
    assert.match(sent[0].xml, /<clear-ipsec-security-association><index>67108866<\/index><\/clear-ipsec-security-association>/);
    // Audited as apply audits: the intent before the send, the outcome when the answer came.
    const audit = (await readFile(join(dir, 'rpc-audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { seq: number; run: string; phase: string; rpc: string; cli: string; outcome?: string; args?: Record<string, string> });
    const intent = audit.find((l) => l.phase === 'intent' && l.args?.index === '67108866');
    const mine = audit.filter((l) => l.run === intent?.run && l.seq === intent?.seq);
    assert.deepEqual(mine.map((l) => [l.phase, l.rpc, l.outcome]), [['intent', 'clear-ipsec-security-association', undefined], ['outcome', 'clear-ipsec-security-association', 'ok']]);
    assert.equal(mine[0].cli, 'clear security ipsec security-associations index 67108866');
  });

  const python = spawnSync('python3', ['--version']).status === 0;
  /** Runs runbook on a pseudo-terminal and answers its question with `answer`. */
  function onTerminal(answer: string, args: readonly string[]): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn('python3', ['test/helpers/pty-answer.py', answer, process.execPath, RUNBOOK_BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...server.env() } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out }));
    });
  }

  it('on a terminal it asks, saying what is sent (and WIDE); no sends nothing, yes sends', { skip: python ? false : 'needs python3 for a pseudo-terminal' }, async () => {
    const before = server.received.filter((x) => x.name.startsWith('clear-')).length;
    const no = await onTerminal('n', [...common, 'clear-ike-security-association', '--arg', 'peer-address=2.0.0.150']);
    assert.equal(no.code, 2, no.out);
    assert.match(no.out, /This sends clear security ike security-associations 2\.0\.0\.150 to 127\.0\.0\.1, which changes device state\. Continue\? \[y\/N\]/);
    assert.match(no.out, /not confirmed: nothing was sent/);
    assert.equal(server.received.filter((x) => x.name.startsWith('clear-')).length, before, 'no clear sent');
    const yes = await onTerminal('y', [...common, 'clear-ipsec-security-association', '--wide']);
    assert.equal(yes.code, 0, yes.out);
    assert.match(yes.out, /This sends clear security ipsec security-associations \(WIDE: it clears every IPsec SA on the device\) to 127\.0\.0\.1/);
    assert.equal(server.received.filter((x) => x.name.startsWith('clear-')).length, before + 1);
  });

  it('a read is not asked about', async () => {
    const r = await runCli([...common, 'get-software-information'], { env: server.env() });
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  it('a clear with no selector is refused even with --yes (exit 2, nothing sent) unless --wide says so', async () => {
    const before = server.received.length;
    for (const args of [
      ['clear-ipsec-security-association'],
      ['--xml', '<clear-ipsec-security-association><index></index></clear-ipsec-security-association>'],
      ['--xml', '<clear-ike-security-association/>'],
      ['clear-flow-session-all'],
    ]) {
      const r = await runCli([...common, ...args, '--yes'], { env: server.env() });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /clears every (IPsec SA|IKE SA|flow session) on the device.*--wide/);
    }
    assert.equal(server.received.length, before, 'nothing sent');
    const wide = await runCli([...common, 'clear-ipsec-security-association', '--wide', '--yes'], { env: server.env() });
    assert.equal(wide.code, 0, wide.stdout + wide.stderr);
    assert.ok(server.received.some((x) => /<clear-ipsec-security-association\/>/.test(x.xml)));
  });
});
