import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';

/** A document nested a million levels deep is bad input: a located, plain sentence and exit 2, not V8's stack message. */
describe('input nested too deeply to read', () => {
  let dir: string;
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-deep-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const [what, file, text, args] of [
    ['a playbook', 'deep.yml', `name: deep\nx: ${deep(1_000_000)}\n`, (f: string) => ['validate', f]],
    ['an inventory', 'inv.yml', `all:\n  hosts:\n    a: {x: ${deep(1_000_000)}}\n`, (f: string) => ['apply', 'playbooks/ah-cleanup.yml', '-i', f, '--lock-dir', f + '.locks']],
    ['-e @file', 'vars.json', `{"x": ${deep(1_000_000)}}`, (f: string) => ['apply', 'playbooks/ah-cleanup.yml', '-e', `@${f}`, '--lock-dir', f + '.locks']],
  ] as const) {
    it(`${what}: exit 2, located, says it nests too deeply`, async () => {
      const f = join(dir, file);
      await writeFile(f, text);
      const r = await runCli(args(f));
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.ok(r.stderr.includes(f), r.stderr);
      assert.match(r.stderr, /nested too deeply to read/);
      assert.doesNotMatch(r.stdout + r.stderr, /Maximum call stack/);
    });
  }
});
