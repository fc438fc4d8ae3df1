import assert from 'node:assert/strict';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupFolder } from '../../src/report/config-backup.ts';
import { after, before, describe, it } from 'node:test';
import type { HostResult } from '../../src/contracts/results.ts';
import type { RpcOptions, RpcReply, RpcSession } from '../../src/contracts/session.ts';
import { hostJobs, localPorts, openNetconf } from '../../src/cli/host-jobs.ts';
import { playbookSettings } from '../../src/cli/limit-options.ts';
import { resolveTargets } from '../../src/cli/targets.ts';
import { runHostJob, type HostJob, type JobPorts } from '../../src/engine/job.ts';
import { PlaybookCache } from '../../src/engine/playbook-source.ts';
import { loadPlaybook } from '../../src/playbook/load.ts';
import type { Report } from '../../src/report/json-report.ts';
import { parseString } from '../../src/xml/element-stream.ts';
import { runCli } from '../helpers/cli.ts';
import { startLab } from '../helpers/lab.ts';
import { writeLabInventory } from '../helpers/lab-inventory.ts';

/** One RPC as the device answered it: the request, the reply's text, and the reply as the session returned it. */
interface Exchange {
  readonly body: string;
  readonly text: string;
  readonly reply: RpcReply;
}

/** Opens real sessions through the CLI's opener and records every exchange. */
function recording(exchanges: Exchange[]): JobPorts['openSession'] {
  return async (settings, secrets) => {
    const session = await openNetconf(settings, secrets);
    return {
      rpc: async (body: string, options: RpcOptions = {}) => {
        let text = '';
        const reply = await session.rpc(body, { ...options, onText: (t) => ((text += t), options.onText?.(t)) });
        exchanges.push({ body, text, reply });
        return reply;
      },
      close: () => session.close(),
    };
  };
}

/** A session with no device behind it: answers each RPC with the recorded reply, and fails on any other. */
function replaying(exchanges: readonly Exchange[]): JobPorts['openSession'] {
  let next = 0;
  return async (): Promise<RpcSession> => ({
    rpc: async (body: string, options: RpcOptions = {}) => {
      const x = exchanges[next++];
      assert.ok(x, `an RPC the device was never sent: ${body}`);
      assert.equal(body, x.body);
      if (options.handler) parseString(options.handler, x.text);
      options.onText?.(x.text);
      return x.reply;
    },
    close: async () => undefined,
  });
}

/** A HostResult without what depends on the clock. */
function untimed(r: HostResult): unknown {
  const { ms: _ms, startedAt: _at, backup, ...rest } = r;
  // A backup's files are named by the time it was read and the run: the configuration's commit stamp is the device's.
  const log = r.log.map((e) => (e.text.startsWith('backup: ') ? { ...e, text: 'backup: (files)' } : e));
  return { ...rest, log, ...(backup ? { backup: backup.commit } : {}), steps: r.steps.map(({ ms: _s, ...step }) => step), actions: r.actions.map(({ ms: _a, ...action }) => action) };
}

describe('a host run is a job', () => {
  let lab: Awaited<ReturnType<typeof startLab>>;
  let inventory: string;
  let playbookFile: string;
  before(async () => {
    lab = await startLab([{ name: 'steady', scenario: 'three-peers', seed: 1 }]);
    inventory = await writeLabInventory(lab, { steady: { min_peer_sessions: 40 } });
    playbookFile = join(lab.dir, 'ah-cleanup.yml');
    await copyFile('playbooks/ah-cleanup.yml', playbookFile);
  });
  after(async () => lab.cleanup());

  it('from JSON, with a fake session replaying the device, gives the HostResult the CLI gave on the lab', async () => {
    const report = join(lab.dir, 'report.json');
    const cli = await runCli(['apply', playbookFile, '-i', inventory, '--report', report, '-q', '--audit-log', join(lab.dir, 'audit.jsonl')]);
    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
    const fromCli = (JSON.parse(await readFile(report, 'utf8')) as Report).run.hosts[0]!;
    assert.equal(fromCli.status, 'changed', 'a dry run with clears planned: the replay has something to reproduce');

    // The job as the CLI makes it, run once against the lab with the CLI's ports, its RPCs recorded.
    const playbook = await loadPlaybook(playbookFile);
    const targets = await resolveTargets(playbook, { inventoryFiles: [inventory], extraVars: [], knownHosts: lab.knownHostsFile });
    const { jobs, secrets, lab: started } = await hostJobs(targets, playbook, { dryRun: (vars) => vars.dry_run !== false, timeouts: { playbook: playbookSettings(playbook), cli: {} } });
    assert.equal(started, undefined, 'the inventory names real addresses: no in-process lab');
    const job = jobs[0]!;
    const exchanges: Exchange[] = [];
    const recorded = await runHostJob(job, { ...localPorts(playbook, secrets), openSession: recording(exchanges), emit: () => undefined });
    assert.deepEqual(untimed(recorded), untimed(fromCli));

    // Serialised and read back, as a queue would carry it; a runner with no secrets, no device and a fresh playbook cache.
    const wire = JSON.stringify(job);
    assert.doesNotMatch(wire, /PRIVATE KEY/, 'the key is named by its file');
    assert.deepEqual(job.connection.privateKey, { file: lab.clientKeyFile });
    const noSecrets = { resolve: async () => assert.fail('a fake session needs no secret') };
    const replayed = await runHostJob(JSON.parse(wire) as HostJob, { openSession: replaying(exchanges), secrets: noSecrets, playbooks: new PlaybookCache(), emit: () => undefined });
    assert.deepEqual(untimed(replayed), untimed(fromCli));
  });

  it('acting: the job replayed from JSON gives the HostResult the CLI gave on an identical lab device', async () => {
    // The CLI acts on one device; the job records against its twin (same scenario, same seed), then replays.
    const twin = await startLab([{ name: 'steady', scenario: 'three-peers', seed: 1 }]);
    try {
      const report = join(lab.dir, 'acting-report.json');
      const args = ['-i', inventory, '--report', report, '-q', '--yes', '-e', 'dry_run=false', '--audit-log', join(lab.dir, 'acting-audit.jsonl'), '--lock-dir', lab.dir];
      const cli = await runCli(['apply', playbookFile, ...args]);
      assert.equal(cli.code, 0, cli.stdout + cli.stderr);
      const fromCli = (JSON.parse(await readFile(report, 'utf8')) as Report).run.hosts[0]!;
      assert.ok(fromCli.actions.length > 0 && fromCli.actions.every((a) => a.status === 'sent'), 'the clears were sent');

      const playbook = await loadPlaybook(playbookFile);
      const twinInventory = await writeLabInventory(twin, { steady: { min_peer_sessions: 40 } });
      const targets = await resolveTargets(playbook, { inventoryFiles: [twinInventory], extraVars: ['dry_run=false'], knownHosts: twin.knownHostsFile });
      const { jobs, secrets } = await hostJobs(targets, playbook, { dryRun: (vars) => vars.dry_run !== false, timeouts: { playbook: playbookSettings(playbook), cli: {} } });
      const exchanges: Exchange[] = [];
      // An acting job keeps the running configuration first (the backup port), as the CLI's does.
      const backup = (name: string) => new BackupFolder({ dir: join(twin.dir, name), runId: name }).forHost('steady');
      await runHostJob(jobs[0]!, { ...localPorts(playbook, secrets), openSession: recording(exchanges), emit: () => undefined, backup: backup('recorded') });
      const noSecrets = { resolve: async () => assert.fail('a fake session needs no secret') };
      const replayed = await runHostJob(JSON.parse(JSON.stringify(jobs[0])) as HostJob, { openSession: replaying(exchanges), secrets: noSecrets, playbooks: new PlaybookCache(), emit: () => undefined, backup: backup('replayed') });
      assert.ok(replayed.backup && fromCli.backup, 'both kept a backup');
      assert.deepEqual(untimed(replayed), untimed(fromCli));
    } finally {
      await twin.cleanup();
    }
  });

  it('a password from the environment is in the job by reference only, and the secrets port of the CLI resolves it', async () => {
    const secret = 'hunter2-do-not-print';
    process.env.RUNBOOK_TEST_JOB_PASSWORD = secret;
    try {
      const inv = await writeLabInventory(lab, { steady: { runbook_password_env: 'RUNBOOK_TEST_JOB_PASSWORD', ansible_ssh_private_key_file: null } });
      const playbook = await loadPlaybook(playbookFile);
      const targets = await resolveTargets(playbook, { inventoryFiles: [inv], extraVars: [], knownHosts: lab.knownHostsFile });
      const { jobs, secrets } = await hostJobs(targets, playbook, { dryRun: () => true, timeouts: { playbook: {}, cli: {} } });
      const wire = JSON.stringify(jobs);
      assert.ok(!wire.includes(secret), wire);
      assert.deepEqual(jobs[0]!.connection.password, { env: 'RUNBOOK_TEST_JOB_PASSWORD' }, 'a runner elsewhere reads its own environment');
      assert.equal(await secrets.resolve(jobs[0]!.connection.password!), secret);
    } finally {
      delete process.env.RUNBOOK_TEST_JOB_PASSWORD;
    }
  });
});
