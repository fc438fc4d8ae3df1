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
    assert.match(md.stdout, /\| steady \| lab@127\.0\.0\.1:\d+ \| changed \| 17 \|/);
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
    // drifts was reviewed with statements and not acted on: the work asked for was not done.
    assert.equal(applied.code, 8, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /^NOT DONE: reviewed statements were not sent to drifts$/m);
    assert.match(applied.stdout, new RegExp(`^runbook: applying plan .*plan\\.json, digest ${artifact.digest}`, 'm'));
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
    // The report's vars are the ones apply acted with.
    assert.equal(rep.run.dryRun, false);
    assert.equal(byHost.get('steady')!.vars.dry_run, false);
  });

  it('is bound to the inventory it was reviewed on, and to its own content', async () => {
    const planFile = join(lab.dir, 'bound.json');
    const plan = await runCli(['plan', playbook, '-i', inventory, '-o', planFile, '-q']);
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    const artifact = JSON.parse(await readFile(planFile, 'utf8')) as PlanArtifact;
    assert.deepEqual(artifact.binding.connections.map((c) => [c.host, c.address, c.port, c.user]), ['steady', 'drifts', 'quiet'].map((h) => [h, '127.0.0.1', lab.host(h).port, 'lab']));
    assert.deepEqual(artifact.extraVars, { dry_run: false }, 'the plan is made with the vars apply --plan acts with');
    assert.equal(artifact.hosts.find((h) => h.host === 'steady')!.vars.dry_run, false);
    assert.match(artifact.hosts.find((h) => h.host === 'steady')!.log[0], /top 3 are cleared$/, 'the log says what apply --plan will do');
    assert.match(plan.stdout.split('\n')[0], /^runbook: inventory .*inventory\.yml, 3 hosts · PLAN$/);

    // The ticket shows the digest apply will print.
    const md = await runCli(['show', planFile, '--format', 'md']);
    assert.ok(md.stdout.split('\n').slice(0, 6).some((l) => l.includes(`sha256:${artifact.digest}`)), md.stdout);
    assert.match(md.stdout.split('\n')[2], /^\*\*apply --plan will SEND \d+ statements to 2 hosts: steady, drifts \(the other target gets nothing\)\.\*\*$/);

    // Inventory B: the same names, another device behind one of them. Refused, nothing sent.
    const other = join(lab.dir, 'other.yml');
    const text = await readFile(inventory, 'utf8');
    await writeFile(other, text.replace(`ansible_port: ${lab.host('steady').port}`, `ansible_port: ${lab.host('quiet').port}`));
    const before = device('quiet').stateChangingRpcs().length;
    const moved = await runCli(['apply', '--plan', planFile, '-i', other, '--yes']);
    assert.equal(moved.code, 2, moved.stdout + moved.stderr);
    assert.match(moved.stderr, /was reviewed on another inventory/);
    assert.match(moved.stderr, new RegExp(`"steady" was lab@127\\.0\\.0\\.1:${lab.host('steady').port} when reviewed, and is lab@127\\.0\\.0\\.1:${lab.host('quiet').port} now`));
    assert.equal(device('quiet').stateChangingRpcs().length, before, 'nothing sent');

    // An inventory with one more host is another inventory too.
    const bigger = join(lab.dir, 'bigger.yml');
    await writeFile(bigger, text.replace('      hosts:\n', '      hosts:\n        newcomer: { ansible_host: 192.0.2.99 }\n'));
    const grown = await runCli(['apply', '--plan', planFile, '-i', bigger, '--yes']);
    assert.equal(grown.code, 2, grown.stdout + grown.stderr);
    assert.match(grown.stderr, /"newcomer" \(lab@192\.0\.2\.99:830\) is targeted now and was not reviewed/);

    // An edited plan (a statement removed, the digest left as it was) is refused.
    const edited = JSON.parse(JSON.stringify(artifact)) as { hosts: { actions: unknown[] }[] };
    edited.hosts[0].actions.pop();
    const editedFile = join(lab.dir, 'edited.json');
    await writeFile(editedFile, JSON.stringify(edited));
    const tampered = await runCli(['apply', '--plan', editedFile, '--yes', '--use-embedded-playbook']);
    assert.equal(tampered.code, 2, tampered.stdout + tampered.stderr);
    assert.match(tampered.stderr, /digest does not match the plan's content .*edited after it was made/);
  });
});
