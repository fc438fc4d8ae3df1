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

  const COLLECT = '  - name: Collect AH sessions\n    register: ah\n    collect:\n      rpc: get-flow-session-information\n      args: { protocol: ah }\n      item: flow-session\n      fields: { peer: source-address }\n';
  const BROKEN: [string, string, RegExp][] = [
    ['unknown var', COLLECT + '  - name: Gate\n    analyze:\n      require: ah.count >= vars.nope\n      otherwise: too few\n', /:12:33: .*vars\.nope is not declared/],
    ['later step referenced', '  - name: Gate\n    analyze:\n      require: ah.count > 1\n      otherwise: too few\n' + COLLECT, /:5:\d+: .*'ah' is registered by a later step/],
    ['bad expression', COLLECT + '  - name: Gate\n    analyze:\n      require: "ah.count >="\n      otherwise: too few\n', /:12:\d+: .*not a valid expression/],
    ['unknown RPC argument', COLLECT.replace('protocol: ah', 'colour: red'), /:7:15: .*unknown argument 'colour'/],
    ['wrong step order', COLLECT + '  - name: Plan\n    plan:\n      actions: [{ rpc: clear-flow-session, args: { all: true } }]\n  - name: Late\n    analyze:\n      require: ah.count > 1\n      otherwise: x\n', /:1[3-5]:\d+: .*plan/],
    ['forbidden expression', COLLECT + '  - name: Gate\n    analyze:\n      require: $eval("1")\n      otherwise: x\n', /:12:\d+: .*\$eval/],
  ];
  for (const [kind, steps, where] of BROKEN) {
    it(`a playbook with ${kind} is refused, located, before any connection; validate says the same`, async () => {
      const file = join(lab.dir, `${kind.replace(/ /g, '-')}.yml`);
      await writeFile(file, `name: ${kind}\nsteps:\n${steps}`);
      const before = connectionsSoFar();
      const r = await runCli(['apply', file, '-i', inventory]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, new RegExp(file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + where.source));
      assert.equal(connectionsSoFar(), before);
      const v = await runCli(['validate', file, 'playbooks/ah-cleanup.yml']);
      assert.equal(v.code, 2);
      assert.match(v.stdout, /ah-cleanup\.yml: ok/);
      assert.match(v.stderr, where);
    });
  }

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
    // Each failure is said once, in the host's results; the recap says where and what kind.
    assert.match(r.stdout, /^refused +unreachable +connect, see above$/m);
    assert.match(r.stdout, /^  connect: .*connection refused/m);
    assert.match(r.stdout, /^broken-reply +failed +collect \(Collect AH sessions\): parse, see above$/m);
    assert.match(r.stdout, /^  collect \(Collect AH sessions\): parse: /m);
    assert.match(r.stdout, /ok=1 changed=0 skipped=0 failed=1 unreachable=1/);
  });

  it('only unreachable hosts: exit 4', async () => {
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--limit', 'good,refused']);
    assert.equal(r.code, 4, r.stdout + r.stderr);
  });
});
