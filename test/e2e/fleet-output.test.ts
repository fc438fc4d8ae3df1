import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';

describe('apply on more hosts than the live view shows', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-fleet-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('prints a table of the hosts that changed, failed or were unreachable instead of a block per host', async () => {
    // 51 lab hosts, one more than the live view's limit; every fourth seed (4k+3) is quiet and skipped, one host refuses connections.
    const hosts = Array.from({ length: 51 }, (_, i) => `    fleet-${String(i + 1).padStart(2, '0')}: { lab_seed: ${i + 1}${i === 9 ? ', lab_fault: refuse' : ''} }`);
    const inventory = join(dir, 'fleet.yml');
    await writeFile(inventory, `all:\n  vars: { lab_scenario: busy }\n  hosts:\n${hosts.join('\n')}\n`);
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--forks', '25', '--html', join(dir, 'fleet.html'), '--lock-dir', dir], { timeoutMs: 300_000 });
    assert.equal(r.code, 4, r.stdout + r.stderr);
    const skipped = Number(/skipped=(\d+)/.exec(r.stdout)![1]);
    assert.match(r.stdout, new RegExp(`^${51 - skipped} of 51 hosts changed \\(would change\\), failed or were unreachable; ${skipped} ok or skipped not listed$`, 'm'));
    assert.match(r.stdout, /^fleet-10 +unreachable +0 +0  .*refused/m);
    assert.match(r.stdout, /^fleet-01 +changed +\d+ +0 *$/m);
    assert.ok(r.stdout.includes(`Every host's statements, evidence and log: ${join(dir, 'fleet.html')} (-v prints them here).`), r.stdout);
    assert.doesNotMatch(r.stdout, /Statements to be executed \(dry run\)/, 'no per-host block');
    assert.match(r.stdout, /PLAY RECAP/);
  });
});
