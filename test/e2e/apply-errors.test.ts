import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { startLab } from '../helpers/lab.ts';
import { writeLabInventory } from '../helpers/lab-inventory.ts';

type StartedLab = Awaited<ReturnType<typeof startLab>>;

describe('runbook apply: bad input is refused before any connection; failures stay per host', () => {
  let lab: StartedLab;
  let inventory: string;
  before(async () => {
    lab = await startLab([
      { name: 'good', scenario: 'one-peer', seed: 1 },
      { name: 'refused', scenario: 'no-peer', seed: 1, faults: { refuse: true } },
      { name: 'broken-reply', scenario: 'no-peer', seed: 1, faults: { badXml: 'truncated', rpcs: ['get-flow-session-information'] } },
    ]);
    inventory = await writeLabInventory(lab);
  });
  after(async () => lab.cleanup());

  const connectionsSoFar = () => lab.hosts.reduce((n, h) => n + (h.server?.accepted ?? 0), 0);

  it('a playbook with an error is refused with file, line and column, and nothing connects', async () => {
    const bad = join(lab.dir, 'bad.yml');
    await writeFile(bad, 'name: broken\nhosts: all\nsteps:\n  - name: collect\n    collect:\n      rpc: get-flow-session-information\n      itme: flow-session\n      fields: { peer: source-address }\n');
    const before = connectionsSoFar();
    const r = await runCli(['apply', bad, '-i', inventory]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /bad\.yml:7:7: .*itme/);
    assert.equal(connectionsSoFar(), before);
  });

  it("an -e value outside the seed's command-line bounds is refused, naming the rule", async () => {
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '-e', 'min_peer_sessions=40']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /min_peer_sessions/);
    assert.match(r.stderr, /50/);
    const unknown = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '-e', 'min_peers=4']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /min_peers/);
  });

  it('a limit that matches nothing is refused', async () => {
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--limit', 'nosuchhost']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /nosuchhost/);
  });

  it('one host failing and one unreachable do not stop the others; exit 3 names the failure', async () => {
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /good +ok +nothing to change/);
    assert.match(r.stdout, /refused +unreachable +connect: .*connection refused/);
    assert.match(r.stdout, /broken-reply +failed +Collect AH sessions: parse: /);
    assert.match(r.stdout, /ok=1 changed=0 skipped=0 failed=1 unreachable=1/);
  });

  it('only unreachable hosts: exit 4', async () => {
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--limit', 'good,refused']);
    assert.equal(r.code, 4, r.stdout + r.stderr);
  });
});
