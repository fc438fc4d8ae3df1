/**
 * The CLI keeps each host's result in a spool under the OS temp dir (src/report/result-spool.ts).
 * A temp dir that cannot be written must cost no result: the run warns once, keeps the
 * results in memory, and its report and recap are whole.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { HostileServer } from '../helpers/hostile-server.ts';

describe('the result spool from the CLI', () => {
  let server: HostileServer | undefined;
  let dir: string | undefined;
  after(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a TMPDIR that does not exist: one warning, and the report and recap are whole', async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-spool-cli-'));
    server = await HostileServer.start({});
    const inv = await server.writeInventory(dir);
    const report = join(dir, 'report.json');
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inv, '--report', report, '--audit-log', join(dir, 'audit.jsonl'), '--lock-dir', dir], {
      env: { ...server.env(), TMPDIR: join(dir, 'no-such-dir') },
    });
    const warnings = r.stderr.split('\n').filter((l) => l.includes('spool of host results'));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0]!, /^runbook: warning: the spool of host results under .*no-such-dir cannot be written \(ENOENT\): the rest of the results are kept in memory$/);
    const parsed = JSON.parse(await readFile(report, 'utf8')) as { run: { hosts: { host: string; status: string; steps: unknown[] }[]; recap: Record<string, number> } };
    assert.equal(parsed.run.hosts.length, 1);
    assert.ok(parsed.run.hosts[0]!.steps.length > 0, 'the host\'s whole result is in the report');
    assert.equal(Object.values(parsed.run.recap).reduce((a, b) => a + b, 0), 1);
    assert.match(r.stdout, /PLAY RECAP/);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });
});
