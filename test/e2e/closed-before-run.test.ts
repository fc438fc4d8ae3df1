import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RUNBOOK_BIN } from '../helpers/cli.ts';

/** A reader gone before the run starts: nothing was done, and the exit code must not say success. */
describe('stdout closed before the run starts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-closed-early-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 141 (output closed), not 0, and starts no run', async () => {
    const child = spawn(process.execPath, [RUNBOOK_BIN, 'apply', 'playbooks/ah-cleanup.yml', '--report', join(dir, 'r.json'), '--audit-log', join(dir, 'a.jsonl'), '--lock-dir', dir], {
      env: { ...process.env, NO_COLOR: '1', CI: 'true', TMPDIR: dir },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    // The reader goes away before runbook writes its first line.
    child.stdout.destroy();
    const [code] = (await once(child, 'close')) as [number | null];
    assert.equal(code, 141);
  });
});
