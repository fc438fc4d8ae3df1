import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';

/** Two collects the checks read, an analyze, and a collect whose argument reads the analyze (a snapshot cannot run it). */
const PLAYBOOK = `name: checked
vars: { min_sessions: 1 }
steps:
  - name: Collect AH sessions
    register: ah
    collect:
      rpc: get-flow-session-information
      args: { protocol: ah }
      item: flow-session
      fields:
        peer: "flow-information[direction='In']/source-address"
  - name: Session tables
    register: summary
    collect:
      rpc: get-flow-session-information
      args: { summary: true }
      item: flow-session-summary-information
      fields: { node: $node, spu: $spu, active: { path: active-sessions, type: integer }, max: { path: max-sessions, type: integer } }
  - name: ESP sessions, when asked for
    register: esp
    when: vars.min_sessions > 5
    collect:
      rpc: get-flow-session-information
      args: { protocol: esp }
      item: flow-session
      fields: { peer: "flow-information[direction='In']/source-address" }
  - name: Peers
    register: peers
    analyze: { from: ah.records, pipeline: [{ count_by: peer }] }
  - name: The first peer's sessions
    register: first
    collect:
      rpc: get-flow-session-information
      args: { protocol: ah, source-prefix: "{{ peers[0].peer }}" }
      item: flow-session
      fields: { peer: "flow-information[direction='In']/source-address" }
checks:
  - { name: no peer lost sessions, table: ah, key: peer, field: $count, list-not-less: true }
  - { table: summary, key: [node, spu], field: active, delta: "-10%" }
  - { table: summary, field: max, is-gt: 0, on: both }
`;

describe('runbook snapshot and runbook check', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-snapshot-'));
    await writeFile(join(dir, 'checked.yml'), PLAYBOOK);
    await writeFile(join(dir, 'nochecks.yml'), PLAYBOOK.slice(0, PLAYBOOK.indexOf('checks:')));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const cli = (args: string[]) => runCli(args, { cwd: dir });
  const snapshotFile = async (name: string, host: string) => JSON.parse(await readFile(join(dir, 'snaps', name, `${host}.json`), 'utf8'));

  it('snapshot runs the collect steps on each lab host and writes one runbook-snapshot/1 file per host, with no secret', async () => {
    const r = await cli(['snapshot', 'checked.yml', '--name', 'pre', '-o', 'snaps', '-l', 'lab-srx-01,lab-srx-03']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.deepEqual((await readdir(join(dir, 'snaps', 'pre'))).sort(), ['lab-srx-01.json', 'lab-srx-03.json']);
    assert.match(r.stdout, /^lab-srx-03: ah 8271, summary \d+; esp not collected: its when \(vars\.min_sessions > 5\) is false; first not collected: its arguments read peers, which only a full run computes → snaps\/pre\/lab-srx-03\.json$/m);
    assert.match(r.stdout, /snapshot pre: 2 of 2 hosts written under snaps\/pre/);
    const s = await snapshotFile('pre', 'lab-srx-03');
    assert.equal(s.format, 'runbook-snapshot/1');
    assert.deepEqual([s.name, s.host, s.playbook.file, s.playbook.name], ['pre', 'lab-srx-03', 'checked.yml', 'checked']);
    assert.match(s.playbook.sha256, /^[0-9a-f]{64}$/);
    assert.ok(!Number.isNaN(Date.parse(s.takenAt)));
    assert.deepEqual(Object.keys(s.tables), ['ah', 'summary']);
    assert.equal(s.tables.ah.rpc, 'get-flow-session-information');
    assert.equal(s.tables.ah.count, 8271, 'the lab scenario of lab-srx-03 (README: 8271 AH sessions)');
    assert.equal(s.tables.ah.records.length, 8271);
    assert.match(s.tables.ah.records[0].peer, /^\d+\.\d+\.\d+\.\d+$/);
    assert.ok(s.tables.summary.records.every((rec: { active: unknown; max: unknown }) => typeof rec.active === 'number' && typeof rec.max === 'number'));
    assert.deepEqual(Object.keys(s.skipped), ['esp', 'first']);
    const text = await readFile(join(dir, 'snaps', 'pre', 'lab-srx-03.json'), 'utf8');
    for (const secret of ['127.0.0.1', 'PRIVATE KEY', 'runbook-lab-', 'password', 'username']) assert.ok(!text.includes(secret), `the snapshot holds ${secret}`);
  });

  it('check: the same state twice passes every check, exit 0', async () => {
    const r = await cli(['snapshot', 'checked.yml', '--name', 'post', '-o', 'snaps', '-l', 'lab-srx-01,lab-srx-03']);
    assert.equal(r.code, 0, r.stderr);
    const c = await cli(['check', '--pre', 'snaps/pre', '--post', 'snaps/post']);
    assert.equal(c.code, 0, c.stdout + c.stderr);
    assert.match(c.stdout, /^lab-srx-01: pre \(.+\) → post \(.+\)$/m);
    assert.match(c.stdout, /^ {2}PASS {2}no peer lost sessions \(pre → post\): \d+ items$/m);
    assert.match(c.stdout, /^8 checks on 2 hosts: 8 passed, 0 failed$/m);
  });

  it('check: a check with where is left to the run, said on stderr; only such checks is bad input', async () => {
    await writeFile(join(dir, 'where.yml'), `${PLAYBOOK}  - { name: unselected, table: ah, key: peer, field: $count, where: "$not(peer in peers[0].peer)", list-not-less: true }\n`);
    const c = await cli(['check', 'where.yml', '--pre', 'snaps/pre', '--post', 'snaps/post']);
    assert.equal(c.code, 0, c.stdout + c.stderr);
    assert.match(c.stderr, /^note: check 'unselected' is not run offline: its where \(\$not\(peer in peers\[0\]\.peer\)\) is decided only in a run$/m);
    assert.doesNotMatch(c.stdout, /unselected/);
    assert.match(c.stdout, /^8 checks on 2 hosts: 8 passed, 0 failed$/m);
    await writeFile(join(dir, 'where-only.yml'), `${PLAYBOOK.slice(0, PLAYBOOK.indexOf('checks:'))}checks:\n  - { table: ah, key: peer, field: $count, where: "peer != ''", list-not-less: true }\n`);
    const only = await cli(['check', 'where-only.yml', '--pre', 'snaps/pre', '--post', 'snaps/post']);
    assert.equal(only.code, 2, only.stdout + only.stderr);
    assert.match(only.stderr, /where-only\.yml: every check has a where, decided only in a run: nothing to check offline/);
  });

  it('check: a failed check names the items and the figures, exit 3; --format json has them as data', async () => {
    const post = await snapshotFile('post', 'lab-srx-01');
    const gone = post.tables.ah.records[0].peer;
    const lost = post.tables.ah.records.filter((r: { peer: string }) => r.peer === gone).length;
    post.tables.ah.records = post.tables.ah.records.filter((r: { peer: string }) => r.peer !== gone);
    const spu = post.tables.summary.records[0];
    const before = spu.active;
    spu.active = Math.floor(before / 2);
    await writeFile(join(dir, 'post-01.json'), JSON.stringify(post));
    const pre = join('snaps', 'pre', 'lab-srx-01.json');

    const c = await cli(['check', '--pre', pre, '--post', 'post-01.json']);
    assert.equal(c.code, 3, c.stdout + c.stderr);
    assert.match(c.stdout, new RegExp(`^ {2}FAIL {2}no peer lost sessions \\(pre → post\\): 1 of \\d+ items failed\\n {10}peer=${gone.replaceAll('.', '\\.')}: ${lost} records in pre, 0 in post \\[pre ${lost}, post 0\\]$`, 'm'));
    assert.match(c.stdout, new RegExp(`spu=${spu.spu}: active ${before} → ${spu.active} \\(-${before - spu.active}\\) is outside -10%: ${String(before - (before * 10) / 100).replace('.', '\\.')}\\.\\.${before}`));
    assert.match(c.stdout, /^4 checks on 1 host: 2 passed, 2 failed$/m);

    const j = await cli(['check', '--pre', pre, '--post', 'post-01.json', '--format', 'json', 'checked.yml']);
    assert.equal(j.code, 3);
    const out = JSON.parse(j.stdout);
    assert.equal(out.format, 'runbook-check/1');
    assert.equal(out.passed, false);
    const delta = out.hosts[0].results.find((r: { op: string }) => r.op === 'delta');
    assert.deepEqual(delta.failures[0], {
      key: { node: spu.node, spu: spu.spu },
      pre: before,
      post: spu.active,
      delta: spu.active - before,
      deltaPercent: ((spu.active - before) / before) * 100,
      bound: '-10%',
      allowed: { min: before - (before * 10) / 100, max: before },
      reason: delta.failures[0].reason,
    });
  });

  it('check: device strings cannot forge a line of the output', async () => {
    const post = await snapshotFile('post', 'lab-srx-03');
    post.tables.ah.records.push({ peer: '9.9.9.9\n  PASS  forged \u001b[32m' });
    await writeFile(join(dir, 'forged.json'), JSON.stringify(post));
    const c = await cli(['check', '--pre', 'snaps/pre/lab-srx-03.json', '--post', 'forged.json']);
    assert.equal(c.code, 0, c.stdout + c.stderr);
    assert.doesNotMatch(c.stdout, /^ {2}PASS {2}forged/m);
    assert.ok(!c.stdout.includes('\u001b'));
    post.tables.summary.records[0].spu = 'FPC0\nFAIL';
    post.tables.summary.records[0].active = 0;
    await writeFile(join(dir, 'forged.json'), JSON.stringify(post));
    const f = await cli(['check', '--pre', 'snaps/pre/lab-srx-03.json', '--post', 'forged.json']);
    assert.equal(f.code, 3);
    assert.match(f.stdout, /spu=FPC0\\nFAIL: in post, missing in pre/);
  });

  it('check: bad input is exit 2, located, and says what is wrong', async () => {
    await writeFile(join(dir, 'broken.json'), '{\n  "format": "runbook-snapshot/1",\n  oops\n}\n');
    const broken = await cli(['check', '--pre', 'broken.json', '--post', 'snaps/post/lab-srx-01.json']);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /broken\.json:3:3: not JSON/);

    await writeFile(join(dir, 'plan.json'), JSON.stringify({ format: 'runbook-plan/2' }));
    assert.match((await cli(['check', '--pre', 'plan.json', '--post', 'plan.json'])).stderr, /plan\.json: format: not a runbook snapshot: format is "runbook-plan\/2", expected "runbook-snapshot\/1"/);

    const bad = await snapshotFile('pre', 'lab-srx-01');
    bad.tables.ah.records[2] = { peer: { nested: true } };
    await writeFile(join(dir, 'bad-value.json'), JSON.stringify(bad));
    assert.match((await cli(['check', '--pre', 'bad-value.json', '--post', 'bad-value.json'])).stderr, /bad-value\.json: tables\.ah\.records\[2\]\.peer: must be a string, a number or null/);

    const hosts = await cli(['check', '--pre', 'snaps/pre/lab-srx-01.json', '--post', 'snaps/post/lab-srx-03.json']);
    assert.equal(hosts.code, 2);
    assert.match(hosts.stderr, /the pre and post snapshots are of different hosts: host lab-srx-01 has a pre snapshot/);

    const none = await cli(['check', '--pre', 'snaps/pre', '--post', 'snaps/post', 'nochecks.yml']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /nochecks\.yml: the playbook has no checks: to run/);

    await writeFile(join(dir, 'edited.yml'), `# edited since\n${PLAYBOOK}`);
    const edited = await cli(['check', '--pre', 'snaps/pre', '--post', 'snaps/post', 'edited.yml']);
    assert.equal(edited.code, 0, edited.stderr);
    assert.match(edited.stderr, /^warning: snaps\/pre\/lab-srx-01\.json was taken with another version of checked\.yml \(sha256 [0-9a-f]{12}…, now [0-9a-f]{12}…\)$/m);

    const missing = await cli(['check', '--pre', 'nowhere', '--post', 'snaps/post']);
    assert.deepEqual([missing.code, missing.stderr.trim()], [2, 'runbook: --pre nowhere: no such file or directory']);
  });

  it('snapshot: a failing host does not stop the others; exit 3 for a failure, 4 for unreachable only', async () => {
    await writeFile(join(dir, 'faults.yml'), 'all:\n  hosts:\n    good: { lab_scenario: one-peer }\n    refused: { lab_scenario: no-peer, lab_fault: refuse }\n    broken: { lab_scenario: no-peer, lab_fault: truncated }\n');
    const r = await cli(['snapshot', 'checked.yml', '-i', 'faults.yml', '--name', 'f', '-o', 'snaps']);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /^good: ah \d+, summary \d+; esp not collected: .* → snaps\/f\/good\.json$/m);
    assert.match(r.stdout, /^refused: unreachable \(connect\): .*refused/m);
    assert.match(r.stdout, /^broken: failed \(parse\): /m);
    assert.match(r.stdout, /^snapshot f: 1 of 3 hosts written under snaps\/f$/m);
    assert.deepEqual(await readdir(join(dir, 'snaps', 'f')), ['good.json']);
    const only = await cli(['snapshot', 'checked.yml', '-i', 'faults.yml', '-l', 'refused', '--name', 'g', '-o', 'snaps']);
    assert.equal(only.code, 4, only.stdout + only.stderr);
  });

  it('snapshot: bad input is exit 2 and nothing is contacted or written', async () => {
    const name = await cli(['snapshot', 'checked.yml', '--name', '../up', '-o', 'out']);
    assert.equal(name.code, 2);
    assert.match(name.stderr, /--name \.\.\/up: a snapshot name is letters, digits/);
    await writeFile(join(dir, 'badcheck.yml'), PLAYBOOK.replace('delta: "-10%"', 'delta: "-10%%"'));
    const bad = await cli(['snapshot', 'badcheck.yml', '--name', 'pre', '-o', 'out']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /badcheck\.yml:\d+:\d+: checks\[1\]\.delta: delta "-10%%" is not a bound/);
    await assert.rejects(readdir(join(dir, 'out')));
  });
});
