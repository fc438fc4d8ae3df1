import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditedRpc, ChangeAudit } from '../../../src/contracts/audit.ts';
import type { RpcOptions, RpcReply, RpcSession } from '../../../src/contracts/session.ts';
import type { RunEvent } from '../../../src/engine/events.ts';
import { runHost, type EngineHost } from '../../../src/engine/host-run.ts';
import type { PlannedHost } from '../../../src/plan/artifact.ts';
import { parsePlaybook } from '../../../src/playbook/load.ts';
import { parseString } from '../../../src/xml/element-stream.ts';

/** collect → analyze → plan → act, with a verify that re-collects and compares with `before`. */
const playbook = parsePlaybook(
  `name: Clear busy peers
hosts: all
vars:
  min: { type: integer, default: 2 }
syslog:
  start: starting
steps:
  - name: Sessions
    register: ah
    collect:
      rpc: get-flow-session-information
      args: { protocol: ah }
      item: flow-session
      fields:
        peer: flow-information[direction='In']/source-address
    log:
      - "{{ ah.count }} sessions"
  - name: Enough
    analyze:
      require: ah.count >= vars.min
      otherwise: "{{ ah.count }} < {{ vars.min }}"
  - name: Busy peers
    register: busy
    analyze:
      from: ah.records
      pipeline:
        - count_by: peer
        - filter: count >= vars.min
  - name: Plan the clears
    plan:
      for_each: busy
      actions:
        - rpc: clear-ike-security-association
          args: { peer-address: "{{ item.peer }}" }
      evidence:
        busy: $count(busy)
  - name: Clear
    act:
      verify: [ah]
      verify_that:
        - ah.count < before.ah.count
    log:
      - "{{ before.ah.count }} then {{ ah.count }}"
    syslog: "cleared {{ $join(busy.peer, ' ') }}"
`,
  'busy.yml',
);

/** An SRX in memory: AH sessions per peer; clearing a peer's IKE SA ends its sessions. */
class FakeSrx implements RpcSession {
  readonly received: string[] = [];
  closed = false;
  constructor(private readonly sessions: Map<string, number>) {}

  async rpc(body: string, options: RpcOptions = {}): Promise<RpcReply> {
    const rpc = /<([\w-]+)[\s/>]/.exec(body.replace(/^<rpc>/, ''))?.[1] ?? 'rpc';
    this.received.push(rpc);
    const peer = /<peer-address>([^<]*)</.exec(body)?.[1];
    if (rpc === 'clear-ike-security-association' && peer) this.sessions.delete(peer);
    const xml = rpc === 'get-flow-session-information' ? `<rpc-reply><flow-session-information>${this.flows()}</flow-session-information></rpc-reply>` : '<rpc-reply><ok/></rpc-reply>';
    if (options.handler) parseString(options.handler, xml);
    return { rpc, ok: true, errors: [], warnings: [], bytes: xml.length, ms: 0 };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private flows(): string {
    const one = (peer: string) => `<flow-session><flow-information><direction>In</direction><source-address>${peer}</source-address></flow-information></flow-session>`;
    return [...this.sessions].flatMap(([peer, n]) => Array.from({ length: n }, () => one(peer))).join('');
  }
}

function hostOn(device: FakeSrx, more: Partial<EngineHost> = {}): EngineHost {
  return { name: 'srx1', groups: ['edge'], vars: { min: 2 }, dryRun: false, connect: async () => device, ...more };
}

function recordingAudit(): { audit: ChangeAudit; sent: AuditedRpc[] } {
  const sent: AuditedRpc[] = [];
  return { sent, audit: { sending: (rpc) => (sent.push(rpc), () => undefined) } };
}

const peersOf = () => new Map([['10.0.0.1', 3], ['10.0.0.2', 1], ['10.0.0.3', 2]]);

describe('runHost with a fake session: collect → analyze → plan → act', () => {
  it('acts on the plan, verifies against the earlier table, and says so in the result and the events', async () => {
    const device = new FakeSrx(peersOf());
    const events: RunEvent[] = [];
    const { audit, sent } = recordingAudit();
    const r = await runHost(playbook, hostOn(device), { emit: (e) => events.push(e), audit: () => audit });
    assert.equal(r.status, 'changed', JSON.stringify(r.error));
    assert.deepEqual(device.received, ['get-flow-session-information', 'clear-ike-security-association', 'clear-ike-security-association', 'get-flow-session-information']);
    assert.deepEqual(sent.map((a) => a.cli), ['clear security ike security-associations 10.0.0.1', 'clear security ike security-associations 10.0.0.3']);
    assert.deepEqual(r.plan.map((a) => a.args['peer-address']), ['10.0.0.1', '10.0.0.3']);
    assert.deepEqual(r.actions.map((a) => a.status), ['sent', 'sent']);
    assert.deepEqual(r.evidence, { 'ah.count': 6, busy: 2 });
    assert.deepEqual(r.verify, { ah: { before: 6, after: 1 } });
    assert.deepEqual(r.steps.map((s) => [s.name, s.status, s.count]), [['Sessions', 'done', 6], ['Enough', 'done', undefined], ['Busy peers', 'done', 2], ['Plan the clears', 'done', 2], ['Clear', 'done', 2]]);
    assert.deepEqual(r.log.map((e) => e.text), ['6 sessions', 'verify ah: 6 before, 1 after', '6 then 1']);
    assert.equal(device.closed, true);
    const said = events.map((e) => (e.type === 'step-start' ? `${e.phase}:${e.step}` : e.type === 'syslog' ? `syslog:${e.message}` : e.type));
    assert.deepEqual(said.filter((s) => s !== 'progress'), [
      'host-start', 'connect:connect', 'syslog:starting', 'collect:Sessions', 'log', 'analyze:Enough', 'analyze:Busy peers', 'plan:Plan the clears',
      'act:Clear', 'verify:verify ah', 'log', 'log', 'syslog:cleared 10.0.0.1 10.0.0.3', 'host-done',
    ]);
  });

  it('reads time only from its clock: the host\'s, each step\'s and each RPC\'s ms', async () => {
    let t = Date.parse('2026-01-01T00:00:00.000Z') - 5;
    const clock = { now: () => (t += 5) };
    const r = await runHost(playbook, hostOn(new FakeSrx(peersOf())), { emit: () => undefined, clock });
    assert.equal(r.status, 'changed', JSON.stringify(r.error));
    // Two reads per step; the act step reads twice more per RPC it sends.
    assert.deepEqual(r.steps.map((s) => [s.name, s.ms]), [['Sessions', 5], ['Enough', 5], ['Busy peers', 5], ['Plan the clears', 5], ['Clear', 25]]);
    assert.deepEqual(r.actions.map((a) => a.ms), [5, 5]);
    assert.deepEqual([r.startedAt, r.ms], ['2026-01-01T00:00:00.000Z', 75]);
  });

  it('a require that is not met ends the host skipped before anything is planned', async () => {
    const device = new FakeSrx(new Map([['10.0.0.1', 1]]));
    const r = await runHost(playbook, hostOn(device), { emit: () => undefined });
    assert.equal(r.status, 'skipped');
    assert.equal(r.reason, '1 < 2');
    assert.deepEqual(r.steps.map((s) => s.name), ['Sessions', 'Enough']);
    assert.deepEqual(device.received, ['get-flow-session-information']);
  });

  it('a verify that does not hold fails the host; what was sent stays in the result', async () => {
    const device = new FakeSrx(peersOf());
    // The device clears nothing: the second collect sees the same sessions.
    device.rpc = ((rpc) => async (body: string, options?: RpcOptions) => rpc(body.replace(/<peer-address>[^<]*</, '<peer-address>none<'), options))(device.rpc.bind(device));
    const r = await runHost(playbook, hostOn(device), { emit: () => undefined });
    assert.equal(r.status, 'failed');
    assert.deepEqual(r.error, { phase: 'verify', kind: 'verify', message: 'verify failed: ah.count < before.ah.count is false', step: 'Clear' });
    assert.deepEqual(r.actions.map((a) => a.status), ['sent', 'sent']);
    assert.deepEqual(r.verify, { ah: { before: 6, after: 6 } });
  });

  it('a step that throws becomes the host\'s failure, located at the step; runHost does not throw', async () => {
    const device = new FakeSrx(peersOf());
    device.rpc = async () => {
      throw new Error('the reply broke');
    };
    const r = await runHost(playbook, hostOn(device), { emit: () => undefined });
    assert.equal(r.status, 'failed');
    assert.deepEqual(r.error, { phase: 'collect', kind: 'internal', message: 'the reply broke', step: 'Sessions' });
    assert.deepEqual(r.steps.map((s) => [s.name, s.status]), [['Sessions', 'failed']]);
    assert.equal(device.closed, true);
  });

  it('apply --plan: acts on the reviewed plan, and skips a host whose fresh plan drifted or that was not reviewed', async () => {
    const reviewedEntry = async (peers: Map<string, number>): Promise<PlannedHost> => {
      const planned = await runHost(playbook, hostOn(new FakeSrx(peers), { dryRun: true }), { emit: () => undefined });
      return { host: 'srx1', status: planned.status, vars: planned.vars, evidence: planned.evidence, actions: planned.plan, log: [] };
    };
    const entry = await reviewedEntry(peersOf());
    const same = new FakeSrx(peersOf());
    assert.equal((await runHost(playbook, hostOn(same, { reviewed: { entry } }), { emit: () => undefined })).status, 'changed');
    assert.equal(same.received.filter((n) => n.startsWith('clear')).length, 2);

    const drifted = new FakeSrx(new Map([['10.0.0.1', 3], ['10.0.0.2', 2]]));
    const r = await runHost(playbook, hostOn(drifted, { reviewed: { entry } }), { emit: () => undefined });
    assert.equal(r.status, 'skipped');
    assert.match(r.reason!, /^drifted since the plan was reviewed: /);
    assert.deepEqual(r.log.slice(-3).map((e) => e.text), [`skipped: ${r.reason}`, '  - clear security ike security-associations 10.0.0.3', '  + clear security ike security-associations 10.0.0.2']);
    assert.deepEqual(drifted.received, ['get-flow-session-information'], 'nothing sent to a drifted host');

    const unknown = new FakeSrx(peersOf());
    const u = await runHost(playbook, hostOn(unknown, { reviewed: { entry: null } }), { emit: () => undefined });
    assert.equal(u.status, 'skipped');
    assert.equal(u.reason, 'not in the reviewed plan (it was not planned when the plan was made)');
  });
});
