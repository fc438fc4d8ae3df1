import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { RUNBOOK_BIN, startCli } from '../helpers/cli.ts';
import { SAME_INTERRUPT_MS } from '../../src/cli/run-control.ts';

const PLAYBOOK = fileURLToPath(new URL('../../playbooks/ah-cleanup.yml', import.meta.url));
const roots: string[] = [];

/** A fresh TMPDIR for one run: whatever the run leaves there is its own. */
function freshTmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-leftovers-'));
  roots.push(dir);
  return dir;
}

function labDirs(tmp: string): string[] {
  return readdirSync(tmp).filter((name) => name.startsWith('runbook-lab-') || name.startsWith('runbook-results-'));
}

/** The run's spool of host results (src/report/result-spool.ts). */
function spoolDirs(tmp: string): string[] {
  return readdirSync(tmp).filter((name) => name.startsWith('runbook-results-'));
}

async function until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`no ${what} within ${ms} ms`);
}

describe('runbook apply on the default lab leaves no runbook-lab-* or runbook-results-* temp dirs', () => {
  after(() => {
    for (const dir of roots) rmSync(dir, { recursive: true, force: true });
  });

  it('when SIGTERM comes while the lab is up, whether or not the run has started', async () => {
    const tmp = freshTmp();
    const child = spawn(process.execPath, [RUNBOOK_BIN, 'apply', PLAYBOOK, '-q'], { cwd: tmp, env: { ...process.env, TMPDIR: tmp, NO_COLOR: '1' }, stdio: 'ignore' });
    await until(() => labDirs(tmp).length > 0, 'lab temp dir');
    child.kill('SIGTERM');
    const [code, signal] = (await once(child, 'close')) as [number | null, string | null];
    assert.deepEqual({ code, signal }, { code: 130, signal: null });
    assert.deepEqual(labDirs(tmp), []);
  });

  it('when a second SIGTERM stops the run at once', async () => {
    const tmp = freshTmp();
    // A slow lab device (5 s before each reply) keeps its host in flight past the pause between the two signals.
    const inventory = join(tmp, 'slow.yml');
    writeFileSync(inventory, 'all:\n  hosts:\n    slow-srx: { lab_scenario: busy, lab_seed: 1, lab_fault: slow }\n');
    const { child, output } = await startCli(['apply', PLAYBOOK, '-i', inventory, '-v'], /\| collect/, { cwd: tmp, env: { TMPDIR: tmp } });
    const closed = once(child, 'close');
    // The lab's dir and the run's spool of host results.
    assert.equal(labDirs(tmp).length, 2);
    assert.equal(spoolDirs(tmp).length, 1);
    child.kill('SIGTERM');
    await until(() => /interrupted \(SIGTERM\): finishing hosts in flight/.test(output()), 'interrupt message');
    // A second signal within SAME_INTERRUPT_MS is the first passed on again; a person's second one comes later.
    await new Promise((r) => setTimeout(r, SAME_INTERRUPT_MS * 2));
    child.kill('SIGTERM');
    const [code] = (await closed) as [number];
    assert.equal(code, 130, output());
    assert.deepEqual(labDirs(tmp), []);
  });

  it('when its output goes to a reader that stops reading (EPIPE)', async () => {
    const tmp = freshTmp();
    const child = spawn(process.execPath, [RUNBOOK_BIN, 'apply', PLAYBOOK, '-vv'], { cwd: tmp, env: { ...process.env, TMPDIR: tmp, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.once('data', () => child.stdout.destroy());
    const [, signal] = (await once(child, 'close')) as [number | null, string | null];
    assert.equal(signal, null);
    assert.deepEqual(labDirs(tmp), []);
  });
});
