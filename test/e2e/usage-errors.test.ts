import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';

describe('usage errors', () => {
  it('a mistyped option is one line and a pointer to the command\'s --help, exit 2', async () => {
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '--chekc']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, "runbook: unknown option '--chekc' (did you mean --check?) (see runbook apply --help)\n");
  });

  it('names the subcommand whose help to read, and refuses a bad value in one line', async () => {
    const lab = await runCli(['lab', 'serve', '--hots', '3']);
    assert.equal(lab.code, 2);
    assert.equal(lab.stderr, "runbook: unknown option '--hots' (did you mean --hosts?) (see runbook lab serve --help)\n");
    const forks = await runCli(['apply', 'playbooks/ah-cleanup.yml', '--forks', 'many']);
    assert.equal(forks.code, 2);
    assert.equal(forks.stderr.split('\n').length, 2, forks.stderr);
    assert.match(forks.stderr, /--forks.*'many'.*\(see runbook apply --help\)\n$/);
  });
});
