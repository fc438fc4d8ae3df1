import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HostResult } from '../../src/contracts/results.ts';
import type { DeviceBackend } from '../../src/lab/backend.ts';
import { renderSet } from '../../src/lab/config/render.ts';
import type { Report } from '../../src/report/json-report.ts';
import { runCli } from '../helpers/cli.ts';
import { startLab } from '../helpers/lab.ts';
import { writeLabInventory } from '../helpers/lab-inventory.ts';

type StartedLab = Awaited<ReturnType<typeof startLab>>;

/**
 * The shipped session-table playbooks end to end: the CLI, real SSH to lab devices that
 * keep a running and a candidate configuration, and the devices' state afterwards.
 */
describe('session-table playbooks against the lab', () => {
  let lab: StartedLab;
  let inventory: string;
  let n = 0;
  const device = (name: string) => (lab.host(name).backend as DeviceBackend).device;
  const running = (name: string) => renderSet(device(name).config.running);
  const commits = (name: string) => device(name).stateChangingRpcs().filter((r) => r.rpc === 'commit-configuration' && r.outcome === 'ok').length;
  before(async () => {
    lab = await startLab([
      { name: 'base1', scenario: 'busy', seed: 1 },
      { name: 'base2', scenario: 'busy', seed: 2 },
      { name: 'reject', scenario: 'busy', seed: 3, faults: { rejectCommit: true } },
      { name: 'verify', scenario: 'busy', seed: 4 },
      { name: 'full1', scenario: 'full', seed: 1 },
      { name: 'full2', scenario: 'full', seed: 2 },
      { name: 'full3', scenario: 'full', seed: 3 },
      { name: 'full4', scenario: 'full', seed: 4 },
      { name: 'plan1', scenario: 'busy', seed: 5 },
      { name: 'plan2', scenario: 'busy', seed: 6 },
    ]);
    inventory = await writeLabInventory(lab);
  });
  after(async () => lab.cleanup());

  const run = async (playbook: string, limit: string, extra: string[] = []) => {
    const report = join(lab.dir, `report-${++n}.json`);
    const r = await runCli(['apply', playbook, '-i', inventory, '--limit', limit, '--report', report, '--lock-dir', join(lab.dir, 'locks'), '--audit-log', join(lab.dir, 'audit.jsonl'), ...extra], { timeoutMs: 120_000 });
    assert.ok(r.code !== 2 && r.code !== 1, r.stdout + r.stderr);
    const rep = JSON.parse(await readFile(report, 'utf8')) as Report;
    const hosts = Object.fromEntries(rep.run.hosts.map((h) => [h.host, h])) as Record<string, HostResult>;
    return { ...r, rep, hosts };
  };
  const act = ['-e', 'dry_run=false', '--yes'];

  it('flow-aging-baseline: the dry run shows the diff and changes nothing', async () => {
    const before = running('base1');
    const r = await run('playbooks/flow-aging-baseline.yml', 'base1');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const h = r.hosts.base1;
    assert.equal(h.status, 'changed');
    assert.equal(h.config?.result, 'checked');
    assert.match(h.config?.diff ?? '', /\+ +early-ageout 20;/);
    assert.match(h.config?.diff ?? '', /\+ +tcp-initial-timeout 280;/);
    assert.match(h.config?.diff ?? '', /\+ +rst-invalidate-session;/);
    assert.deepEqual(h.config?.trail, ['lock', 'load set (4)', 'show | compare', 'commit check', 'rollback 0', 'unlock']);
    assert.match(r.stdout, /configuration: commit check passed; discarded \(dry run\)/);
    assert.deepEqual(running('base1'), before);
    assert.deepEqual(device('base1').stateChangingRpcs(), []);
    assert.equal(device('base1').config.lockHolder, undefined);
  });

  it('flow-aging-baseline: acting commits with commit confirmed, verifies, confirms; a second run changes nothing', async () => {
    const r = await run('playbooks/flow-aging-baseline.yml', 'base1,base2', [...act, '-e', 'fin_invalidate_session=true']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    for (const name of ['base1', 'base2']) {
      const h = r.hosts[name];
      assert.equal(h.status, 'changed', name);
      assert.equal(h.config?.result, 'committed');
      assert.equal(h.config?.confirmMinutes, 5);
      assert.deepEqual(h.config?.trail, ['lock', 'load set (4)', 'show | compare', 'commit confirmed 5', 'commit', 'unlock']);
      const config = running(name);
      for (const line of [
        'set security flow aging early-ageout 20',
        'set security flow tcp-session tcp-initial-timeout 280',
        'set security flow tcp-session rst-invalidate-session',
        'set security flow tcp-session fin-invalidate-session',
      ]) {
        assert.ok(config.includes(line), `${name}: ${line}\n${config.join('\n')}`);
      }
      assert.equal(commits(name), 2, 'commit confirmed, then the confirming commit');
      assert.equal(device(name).config.confirmDeadline, undefined, 'nothing left to roll back');
    }
    const again = await run('playbooks/flow-aging-baseline.yml', 'base1,base2', [...act, '-e', 'fin_invalidate_session=true']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    for (const name of ['base1', 'base2']) {
      assert.equal(again.hosts[name].status, 'ok', name);
      assert.equal(again.hosts[name].config?.result, 'unchanged');
      assert.equal(commits(name), 2, 'no commit on the second run');
    }
    assert.match(again.stdout, /configuration already in place/);
  });

  it('flow-aging-baseline: the guide\'s bounds are the schema\'s (tcp-initial-timeout at least 4 s), refused before connecting', async () => {
    const accepted = lab.hosts.reduce((sum, h) => sum + (h.server?.accepted ?? 0), 0);
    const r = await runCli(['apply', 'playbooks/flow-aging-baseline.yml', '-i', inventory, '--limit', 'base1', '-e', 'tcp_initial_timeout=3']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /tcp_initial_timeout.*must be at least 4/);
    assert.equal(lab.hosts.reduce((sum, h) => sum + (h.server?.accepted ?? 0), 0), accepted);
  });

  it('a commit the device rejects leaves its configuration as it was, the reason reported', async () => {
    const before = running('reject');
    const r = await run('playbooks/flow-aging-baseline.yml', 'reject', act);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    const h = r.hosts.reject;
    assert.equal(h.status, 'failed');
    assert.equal(h.config?.result, 'failed');
    assert.match(h.error?.message ?? '', /commit confirmed 5: /);
    assert.ok((h.error?.deviceErrors ?? []).length > 0);
    assert.deepEqual(h.config?.trail.slice(-2), ['rollback 0', 'unlock']);
    assert.deepEqual(running('reject'), before);
    assert.equal(device('reject').config.lockHolder, undefined);
    assert.equal(device('reject').config.candidateModified, false);
  });

  it('a confirmed commit whose verify fails is rolled back: configuration as before, the reason reported', async () => {
    const before = running('verify');
    const r = await run('test/fixtures/playbooks/baseline-verify-fails.yml', 'verify', act);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    const h = r.hosts.verify;
    assert.equal(h.status, 'failed');
    assert.equal(h.config?.result, 'rolled-back');
    assert.equal(h.error?.phase, 'verify');
    assert.match(h.error?.message ?? '', /flow\.records\[0\]\.early_ageout = 31 is false; rolled back/);
    assert.deepEqual(h.config?.trail, ['lock', 'load set (1)', 'show | compare', 'commit confirmed 5', 'rollback 1', 'commit (rollback)', 'unlock']);
    assert.deepEqual(running('verify'), before);
    assert.equal(device('verify').config.confirmDeadline, undefined);
  });

  it('session-table-guard: above the watermark it clears by filter and turns on aggressive aging; then it is below', async () => {
    const dry = await run('playbooks/session-table-guard.yml', 'full1', ['-e', 'clear_destination_port=53']);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    const planned = dry.hosts.full1;
    assert.equal(planned.status, 'changed');
    assert.deepEqual(planned.plan.map((a) => a.cli), [
      'clear security flow session destination-port 53',
      'set security flow aging high-watermark 90',
      'set security flow aging low-watermark 70',
      'set security flow aging early-ageout 20',
    ]);
    assert.ok((planned.evidence.busiest_percent as number) > 90);
    assert.deepEqual(device('full1').stateChangingRpcs(), []);

    const inUse = device('full1').sessions.aliveCount;
    const r = await run('playbooks/session-table-guard.yml', 'full1', [...act, '-e', 'clear_destination_port=53']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const h = r.hosts.full1;
    assert.equal(h.status, 'changed');
    const cleared = h.actions[0].reply?.cleared ?? 0;
    assert.ok(cleared > 0);
    assert.equal(h.config?.result, 'committed');
    assert.ok(running('full1').includes('set security flow aging high-watermark 90'));
    assert.equal(device('full1').sessions.aliveCount, inUse - cleared);
    assert.match(r.stdout, new RegExp(`\\(${cleared} sessions cleared\\)`));

    // Still above 80 % without the port 53 sessions, but the aging settings are in place.
    const again = await run('playbooks/session-table-guard.yml', 'full1', act);
    assert.equal(again.hosts.full1.status, 'ok', again.stdout);
    assert.equal(again.hosts.full1.config?.result, 'unchanged');
    assert.equal(commits('full1'), 2);
  });

  it('session-table-guard: aggressive aging takes effect on the device at commit, so the next run finds the table lower', async () => {
    const inUse = device('full4').sessions.aliveCount;
    const r = await run('playbooks/session-table-guard.yml', 'full4', act);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.hosts.full4.config?.result, 'committed');
    const after = device('full4').sessions.aliveCount;
    // Only sessions with less than early-ageout (20 s) left go, so aging stops short of the low watermark here.
    assert.ok(after < inUse * 0.9, `${inUse} -> ${after}`);
    assert.match(r.stdout, new RegExp(`sessions in use: ${inUse} before, ${after} after`));
    const again = await run('playbooks/session-table-guard.yml', 'full4', [...act, '-e', 'high_watermark=85']);
    assert.equal(again.hosts.full4.status, 'skipped');
    assert.match(again.hosts.full4.reason ?? '', /below the high watermark 85%/);
  });

  it('session-table-guard: below the watermark nothing is planned', async () => {
    const r = await run('playbooks/session-table-guard.yml', 'base2', ['-e', 'clear_protocol=udp']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.hosts.base2.status, 'skipped');
    assert.deepEqual(r.hosts.base2.plan, []);
  });

  it('multicast-leaf-timeout: binds a custom application; leaf sessions then outlive UDP\'s 60 s; a second run changes nothing', async () => {
    const r = await run('playbooks/multicast-leaf-timeout.yml', 'full2', act);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const h = r.hosts.full2;
    assert.equal(h.config?.result, 'committed');
    assert.match(h.config?.diff ?? '', /\+ +inactivity-timeout 300;/);
    assert.ok(running('full2').includes('set applications application mcast-video inactivity-timeout 300'));
    assert.match(r.stdout, /leaf sessions now time out after (\d+)-300 s/);
    const min = Number(/leaf sessions now time out after (\d+)-/.exec(r.stdout)?.[1]);
    assert.ok(min > 60, r.stdout);
    const again = await run('playbooks/multicast-leaf-timeout.yml', 'full2', act);
    assert.equal(again.hosts.full2.status, 'ok');
  });

  it('plan, review, apply: the plan carries each host\'s diff, and apply commits only the diff that was reviewed', async () => {
    const planFile = join(lab.dir, 'baseline-plan.json');
    const plan = await runCli(['plan', 'playbooks/flow-aging-baseline.yml', '-i', inventory, '--limit', 'plan1,plan2', '-e', 'early_ageout=30', '-o', planFile, '-q', '--audit-log', join(lab.dir, 'audit.jsonl')]);
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    const artifact = JSON.parse(await readFile(planFile, 'utf8')) as { hosts: { host: string; config?: { diff: string; result: string } }[] };
    for (const h of artifact.hosts) {
      assert.equal(h.config?.result, 'checked', h.host);
      assert.match(h.config?.diff ?? '', /\+ +early-ageout 30;/);
    }
    const md = await runCli(['show', planFile, '--format', 'md']);
    assert.match(md.stdout, /\*\*Configuration diff\*\*[^\n]*\n\n```diff\n\[edit security\]\n\+   flow \{/);
    assert.deepEqual(device('plan1').stateChangingRpcs(), []);

    // Someone else commits part of it on plan2: the same statements would now make another diff.
    const other = await run('playbooks/flow-aging-baseline.yml', 'plan2', act);
    assert.equal(other.hosts.plan2.config?.result, 'committed');
    const plan2Before = running('plan2');

    const apply = await runCli(['apply', '--plan', planFile, '-i', inventory, '--yes', '--lock-dir', join(lab.dir, 'locks'), '--audit-log', join(lab.dir, 'audit.jsonl'), '--report', join(lab.dir, 'plan-apply.json')]);
    // plan2 was reviewed with a change and did not get it: not done, exit 8.
    assert.equal(apply.code, 8, apply.stdout + apply.stderr);
    assert.match(apply.stdout, /^NOT DONE: reviewed statements were not sent to plan2$/m);
    const rep = JSON.parse(await readFile(join(lab.dir, 'plan-apply.json'), 'utf8')) as Report;
    const byHost = Object.fromEntries(rep.run.hosts.map((h) => [h.host, h]));
    assert.equal(byHost.plan1.config?.result, 'committed');
    assert.ok(running('plan1').includes('set security flow aging early-ageout 30'));
    assert.equal(byHost.plan2.status, 'skipped');
    assert.equal(byHost.plan2.config?.result, 'drifted');
    assert.match(byHost.plan2.reason ?? '', /not the one reviewed/);
    assert.deepEqual(running('plan2'), plan2Before);
    assert.equal(device('plan2').config.lockHolder, undefined);
  });

  it('clear-sessions: by filter with the device\'s count, by id, all only when asked; nothing asked is nothing done', async () => {
    const none = await run('playbooks/clear-sessions.yml', 'full3', act);
    assert.equal(none.code, 7, 'nothing to do');
    assert.equal(none.hosts.full3.status, 'skipped');
    assert.match(none.hosts.full3.reason ?? '', /nothing asked for/);
    assert.deepEqual(none.hosts.full3.steps, [], 'decided before connecting');

    const udp = await run('playbooks/clear-sessions.yml', 'full3', [...act, '-e', 'protocol=udp', '-e', 'destination_port=123']);
    assert.equal(udp.code, 0, udp.stdout + udp.stderr);
    const h = udp.hosts.full3;
    assert.deepEqual(h.plan.map((a) => a.cli), ['clear security flow session protocol udp destination-port 123']);
    const matched = h.evidence.matching_sessions as number;
    assert.ok(matched > 0);
    assert.equal(h.actions[0].reply?.cleared, matched);
    assert.deepEqual(h.verify, { matching: { before: matched, after: 0 } });
    const twice = await run('playbooks/clear-sessions.yml', 'full3', [...act, '-e', 'protocol=udp', '-e', 'destination_port=123']);
    assert.equal(twice.hosts.full3.status, 'skipped');
    assert.equal(twice.hosts.full3.reason, 'no session matches');

    const id = device('full3').sessions.id[0];
    const one = await run('playbooks/clear-sessions.yml', 'full3', [...act, '-e', `session_id=${id}`]);
    assert.deepEqual(one.hosts.full3.plan.map((a) => a.cli), [`clear security flow session session-identifier ${id}`]);
    assert.equal(one.hosts.full3.actions[0].reply?.cleared, 1);

    const mixed = await run('playbooks/clear-sessions.yml', 'full3', [...act, '-e', 'all=true', '-e', 'protocol=tcp']);
    assert.equal(mixed.hosts.full3.status, 'skipped');
    assert.match(mixed.hosts.full3.reason ?? '', /all cannot be combined/);

    const all = await run('playbooks/clear-sessions.yml', 'full3', [...act, '-e', 'all=true']);
    assert.equal(all.code, 0, all.stdout + all.stderr);
    const a = all.hosts.full3;
    assert.deepEqual(a.plan.map((x) => x.cli), ['clear security flow session all']);
    assert.match(all.stdout, /clear all leaves tunnel and resource-manager sessions in place/);
    const left = device('full3').sessions.aliveCount;
    assert.equal(a.actions[0].reply?.cleared, (a.evidence.matching_sessions as number) - left);
    assert.equal(a.verify?.matching.after, left);
  });
});
