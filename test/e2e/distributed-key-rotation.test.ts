/**
 * A worker lives for weeks; keys are rotated. Like a local run, a worker reads a key file
 * once per run, not once per life: the run after the key file changed uses the new key.
 * Shown with a key the device does not know written over the file between two runs: the
 * second run is refused (a worker caching keys for ever would have logged in with the old
 * copy), and the old key written back logs in again.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import type { Report } from '../../src/report/json-report.ts';
import { runCli, startCli, type StartedCli } from '../helpers/cli.ts';
import { ed25519KeyPair } from '../helpers/keys.ts';
import { startLab } from '../helpers/lab.ts';
import { redisUnavailable, startRedis, type RunningRedis } from '../helpers/redis.ts';

const PLAYBOOK = join(import.meta.dirname, '../../playbooks/ah-cleanup.yml');

describe('a long-lived worker and a rotated key file', { skip: redisUnavailable() }, () => {
  let dir: string;
  let redis: RunningRedis;
  let lab: Awaited<ReturnType<typeof startLab>>;
  let worker: StartedCli;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-keyrotation-'));
    redis = await startRedis(join(dir, 'redis'));
    lab = await startLab([{ name: 'rot-1', scenario: 'one-peer', seed: 1 }]);
    worker = await startCli(['worker', '--redis', redis.url, '--audit-log', join(dir, 'w/audit.jsonl')], /serving queue default/, { cwd: dir });
  });
  after(async () => {
    worker?.child.kill('SIGKILL');
    await lab?.cleanup();
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('is read again by the next run: taken away, the next run cannot log in and says which file', { timeout: 120_000 }, async () => {
    const key = join(dir, 'ops_key');
    await copyFile(lab.clientKeyFile, key);
    const h = lab.host('rot-1');
    const inventory = join(dir, 'hosts.yml');
    await writeFile(inventory, stringify({ all: { vars: { ansible_user: 'lab', ansible_ssh_private_key_file: key, runbook_known_hosts: lab.knownHostsFile }, hosts: { 'rot-1': { ansible_host: h.address, ansible_port: h.port } } } }));
    const apply = async (n: number): Promise<Report> => {
      const report = join(dir, `report-${n}.json`);
      await runCli(['apply', PLAYBOOK, '-i', inventory, '--redis', redis.url, '--report', report, '--audit-log', join(dir, 'c/audit.jsonl'), '--queue-timeout', '60'], { cwd: dir });
      return JSON.parse(await readFile(report, 'utf8')) as Report;
    };

    const first = (await apply(1)).run.hosts[0]!;
    assert.ok(first.status !== 'unreachable' && first.error === undefined, `the first run logs in with the key: ${JSON.stringify(first.error)}`);
    // Rotated: a new key the device has not been given yet. The worker, still running, must use it, not a copy of the old one.
    await writeFile(key, ed25519KeyPair().private, { mode: 0o600 });
    const second = (await apply(2)).run.hosts[0]!;
    assert.equal(second.status, 'unreachable', 'the device refuses the new key');
    assert.equal(second.error?.kind, 'auth', JSON.stringify(second.error));
    // And back: the old key, read again, logs in again.
    await copyFile(lab.clientKeyFile, key);
    const third = (await apply(3)).run.hosts[0]!;
    assert.equal(third.status, first.status, `the old key again: logged in as the first time (${JSON.stringify(third.error)})`);
  });
});
