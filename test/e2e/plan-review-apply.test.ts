import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DeviceBackend } from '../../src/lab/backend.ts';
import type { PlanArtifact } from '../../src/plan/artifact.ts';
import type { Report } from '../../src/report/json-report.ts';
import { runCli } from '../helpers/cli.ts';
import { startLab } from '../helpers/lab.ts';
import { writeLabInventory } from '../helpers/lab-inventory.ts';

type StartedLab = Awaited<ReturnType<typeof startLab>>;

describe('plan → show → apply --plan: act exactly as reviewed', () => {
  let lab: StartedLab;
  let inventory: string;
  let playbook: string;
  const device = (name: string) => (lab.host(name).backend as DeviceBackend).device;
  before(async () => {
    lab = await startLab([
      { name: 'steady', scenario: 'three-peers', seed: 1 },
      { name: 'drifts', scenario: 'three-peers', seed: 2 },
      { name: 'quiet', scenario: 'no-peer', seed: 1 },
    ]);
    inventory = await writeLabInventory(lab, { steady: { min_peer_sessions: 40 }, drifts: { min_peer_sessions: 40 }, quiet: { min_peer_sessions: 50 } });
    // A copy of the playbook, so tampering with it touches nothing shared.
    playbook = join(lab.dir, 'ah-cleanup.yml');
    await copyFile('playbooks/ah-cleanup.yml', playbook);
  });
  after(async () => lab.cleanup());

  it('plans, renders for a ticket, refuses stale or tampered input, and acts only where nothing drifted', async () => {
    const planFile = join(lab.dir, 'plan.json');
    const audit = join(lab.dir, 'audit.jsonl');
    const plan = await runCli(['plan', playbook, '-i', inventory, '-o', planFile, '-q']);
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    for (const name of ['steady', 'drifts', 'quiet']) assert.deepEqual(device(name).stateChangingRpcs(), [], 'planning sent nothing');
    const artifact = JSON.parse(await readFile(planFile, 'utf8')) as PlanArtifact;
    assert.equal(artifact.playbook.text, await readFile(playbook, 'utf8'));
    assert.deepEqual(artifact.targets, ['steady', 'drifts', 'quiet']);
    const steadyActions = artifact.hosts.find((h) => h.host === 'steady')!.actions;
    assert.equal(steadyActions[0].cli, 'clear security ike security-associations 2.0.0.146');

    const md = await runCli(['show', planFile, '--format', 'md']);
    assert.equal(md.code, 0, md.stderr);
    assert.match(md.stdout, /^# Plan: Clear dead IPsec AH sessions per VPN peer/m);
    assert.match(md.stdout, /\| steady \| changed \| 17 \|/);
    assert.ok(md.stdout.includes('clear security ipsec security-associations index 67109704'));

    // Not on a terminal, acting needs --yes.
    const noYes = await runCli(['apply', '--plan', planFile]);
    assert.equal(noYes.code, 2);
    assert.match(noYes.stderr, /add --yes/);

    // A plan older than allowed is refused.
    const old = await runCli(['apply', '--plan', planFile, '--yes', '--max-plan-age', '0.0000001', '--audit-log', audit]);
    assert.equal(old.code, 2);
    assert.match(old.stderr, /more than .* allowed/);

    // The device state moves on between review and apply: one of drifts' peers clears itself.
    const peer = artifact.hosts.find((h) => h.host === 'drifts')!.actions[0].args['peer-address'];
    for (const index of device('drifts').tunnelIndexesOf(peer)) device('drifts').clearIpsecSas({ index });

    // A tampered playbook is refused; nothing is sent.
    const original = await readFile(playbook, 'utf8');
    await writeFile(playbook, original.replace('default: 3\n', 'default: 30\n'));
    const tampered = await runCli(['apply', '--plan', planFile, '--yes', '--audit-log', audit]);
    assert.equal(tampered.code, 2, tampered.stdout + tampered.stderr);
    assert.match(tampered.stderr, /has changed since the plan was made/);
    assert.deepEqual(device('steady').stateChangingRpcs(), []);

    // With the reviewed text embedded in the plan, it runs: steady acts, drifts is skipped with the difference.
    const report = join(lab.dir, 'applied.json');
    const applied = await runCli(['apply', '--plan', planFile, '--yes', '--use-embedded-playbook', '--report', report, '--audit-log', audit]);
    await writeFile(playbook, original);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    const rep = JSON.parse(await readFile(report, 'utf8')) as Report;
    const byHost = new Map(rep.run.hosts.map((h) => [h.host, h]));
    assert.equal(byHost.get('steady')!.status, 'changed');
    assert.deepEqual(byHost.get('steady')!.actions.map((a) => a.action.cli), steadyActions.map((a) => a.cli));
    assert.equal(device('steady').stateChangingRpcs().length, steadyActions.length);
    assert.equal(byHost.get('drifts')!.status, 'skipped');
    assert.match(byHost.get('drifts')!.reason!, /drifted since the plan was reviewed/);
    assert.match(applied.stdout, new RegExp(`- clear security ike security-associations ${peer.replace(/\./g, '\\.')}`));
    assert.equal(device('drifts').stateChangingRpcs().filter((r) => r.rpc.startsWith('clear')).length, 0, 'nothing sent to the drifted host');
    assert.equal(byHost.get('quiet')!.status, 'ok');
  });
});
