import assert from 'node:assert/strict';
import { it } from 'node:test';
import { noAudit } from '../../../src/contracts/audit.ts';
import type { BackupRef, ConfigBackup, RunningConfig } from '../../../src/contracts/backup.ts';
import type { PlannedAction } from '../../../src/contracts/results.ts';
import type { RpcOptions, RpcReply, RpcSession } from '../../../src/contracts/session.ts';
import { parsePlaybook } from '../../../src/playbook/load.ts';
import type { ActStep } from '../../../src/playbook/types.ts';
import { actStep } from '../../../src/steps/act.ts';
import type { StepContext } from '../../../src/steps/step-result.ts';
import { parseString } from '../../../src/xml/element-stream.ts';

const playbook = parsePlaybook(
  `name: Clear
hosts: all
steps:
  - name: Plan
    plan:
      actions:
        - rpc: clear-ike-security-association
          args: { peer-address: 10.0.0.1 }
  - name: Act
    act: {}
`,
  'clear.yml',
);
const act = playbook.steps[1] as ActStep;
const clear: PlannedAction = { rpc: 'clear-ike-security-association', args: { 'peer-address': '10.0.0.1' }, cli: 'clear security ike security-associations 10.0.0.1', changesState: true };

/** Answers the backup's three reads, and a clear with `<ok/>`; records what it got. */
class Device implements RpcSession {
  readonly received: string[] = [];
  async rpc(body: string, options: RpcOptions = {}): Promise<RpcReply> {
    const rpc = /<([\w-]+)[\s/>]/.exec(body)?.[1] ?? 'rpc';
    this.received.push(rpc);
    const xml = `<rpc-reply>${this.answer(body)}</rpc-reply>`;
    if (options.handler) parseString(options.handler, xml);
    return { rpc, ok: true, errors: [], warnings: [], bytes: xml.length, ms: 0 };
  }
  async close(): Promise<void> {}
  private answer(body: string): string {
    if (body.includes('format="text"')) return '<configuration-text>\n## Last commit: 2024-01-21 14:22:30 UTC by lab\nsystem {\n    host-name a;\n}\n</configuration-text>';
    if (body.includes('format="set"')) return '<configuration-set>\nset system host-name a\n</configuration-set>';
    if (body.includes('get-configuration')) return '<configuration junos:commit-seconds="1705846950" junos:commit-localtime="2024-01-21 14:22:30 UTC" junos:commit-user="lab"><system><host-name>a</host-name></system></configuration>';
    return '<ok/>';
  }
}

function ctxOn(device: Device, backup: ConfigBackup, dryRun = false): StepContext {
  return { scope: {}, session: device, playbook, dryRun, audit: noAudit, backup, plan: [clear], progress: () => undefined, phaseStart: () => undefined };
}

it('act: the running configuration is read and kept before the first state-changing RPC, and the step carries where', async () => {
  const device = new Device();
  const kept: RunningConfig[] = [];
  const backup: ConfigBackup = { save: async (c) => (kept.push(c), { text: '/b/a.conf', set: '/b/a.set', commit: c.commit, readAt: c.readAt }) };
  const r = await actStep(act, ctxOn(device, backup));
  assert.deepEqual(device.received, ['get-configuration', 'get-configuration', 'get-configuration', 'clear-ike-security-association']);
  assert.equal(kept.length, 1);
  assert.equal(kept[0]!.text, '## Last commit: 2024-01-21 14:22:30 UTC by lab\nsystem {\n    host-name a;\n}\n');
  assert.equal(kept[0]!.set, 'set system host-name a\n');
  assert.deepEqual(kept[0]!.commit, { seconds: 1705846950, localtime: '2024-01-21 14:22:30 UTC', user: 'lab' });
  assert.equal(r.act?.backup?.text, '/b/a.conf');
  assert.equal(r.failure, undefined);
});

it('act: a backup that cannot be kept sends nothing and fails the host with kind backup', async () => {
  const device = new Device();
  const backup: ConfigBackup = { save: async (): Promise<BackupRef> => { throw new Error('EACCES: permission denied'); } };
  const r = await actStep(act, ctxOn(device, backup));
  assert.ok(!device.received.includes('clear-ike-security-association'), device.received.join(' '));
  assert.equal(r.failure?.kind, 'backup');
  assert.match(r.failure!.message, /not sent: the configuration backup could not be kept: EACCES/);
  assert.deepEqual(r.act?.actions.map((a) => a.status), ['skipped']);
});

it('act: a dry run keeps no backup', async () => {
  const device = new Device();
  let saved = 0;
  const backup: ConfigBackup = { save: async (c) => (saved++, { text: '', set: '', commit: c.commit, readAt: c.readAt }) };
  await actStep(act, ctxOn(device, backup, true));
  assert.equal(saved, 0);
  assert.deepEqual(device.received, []);
});
