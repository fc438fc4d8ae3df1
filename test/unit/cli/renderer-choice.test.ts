import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LISTR_MAX_HOSTS, rendererKind } from '../../../src/cli/run-control.ts';

describe('rendererKind', () => {
  const tty = { tty: true, ci: false, verbosity: 1 } as const;

  it('uses listr2 on a terminal for fleets a screen can show, the summary above that', () => {
    assert.equal(rendererKind({ ...tty, hosts: 5 }), 'listr');
    assert.equal(rendererKind({ ...tty, hosts: LISTR_MAX_HOSTS }), 'listr');
    assert.equal(rendererKind({ ...tty, hosts: LISTR_MAX_HOSTS + 1 }), 'summary');
    assert.equal(rendererKind({ ...tty, hosts: 1000 }), 'summary');
  });

  it('prints plain lines without a terminal, in CI, and at verbosity 0', () => {
    assert.equal(rendererKind({ ...tty, tty: false, hosts: 1000 }), 'plain');
    assert.equal(rendererKind({ ...tty, ci: true, hosts: 5 }), 'plain');
    assert.equal(rendererKind({ ...tty, verbosity: 0, hosts: 1000 }), 'plain');
  });
});
