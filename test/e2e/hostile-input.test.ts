import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { aliasBomb } from '../helpers/yaml-bomb.ts';

/** Input built to break the reader: a located error and exit 2, never a stack trace, and the process ends. */
describe('hostile input files', () => {
  let dir: string;
  const common = () => ['--lock-dir', dir, '--audit-log', join(dir, 'audit.jsonl')];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-hostile-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('refuses an alias bomb in a playbook at its line', async () => {
    const file = join(dir, 'bomb.yml');
    await writeFile(file, `name: bomb\nhosts: all\nvars:\n${aliasBomb(9, '  ')}steps: []\n`);
    const r = await runCli(['validate', file]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:9:\\d+: aliases expand this document`));
    assert.doesNotMatch(r.stderr, /internal error|    at /);
  });

  it('refuses an alias bomb in an inventory and in -e @vars.yml before anything starts', async () => {
    const inventory = join(dir, 'bomb-inventory.yml');
    await writeFile(inventory, `all:\n  hosts:\n    fw1: { lab_scenario: busy }\nbombs:\n  vars:\n${aliasBomb(9, '    ')}`);
    const inv = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, ...common()]);
    assert.equal(inv.code, 2, inv.stdout + inv.stderr);
    assert.match(inv.stderr, /bomb-inventory\.yml:11:\d+: aliases expand this document/);
    assert.doesNotMatch(inv.stderr, /internal error|    at /);

    const vars = join(dir, 'bomb-vars.yml');
    await writeFile(vars, aliasBomb());
    const ev = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-e', `@${vars}`, ...common()]);
    assert.equal(ev.code, 2, ev.stdout + ev.stderr);
    assert.match(ev.stderr, /-e @.*bomb-vars\.yml:6:\d+: aliases expand this document/);
    assert.doesNotMatch(ev.stderr, /internal error|    at /);
  });

  it('a bad option found after the lab could have started still ends the process, exit 2', async () => {
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '--serial', '0,x', ...common()], { timeoutMs: 60_000 });
    assert.equal(r.code, 2, `exit code (null means it had to be killed)\n${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /--serial 0,x: /);
  });

  it('refuses a lab host name with a newline, located, and exits', async () => {
    const inventory = join(dir, 'newline.yml');
    await writeFile(inventory, 'all:\n  hosts:\n    ok-host: { lab_scenario: busy }\n    "lab\\nPLAY RECAP": { lab_scenario: busy }\n');
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, ...common()], { timeoutMs: 60_000 });
    assert.equal(r.code, 2, `exit code (null means it had to be killed)\n${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /newline\.yml:4:5: a host name cannot hold U\+000A/);
    assert.doesNotMatch(r.stdout, /PLAY RECAP/);
  });
});
