import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunEvent } from '../../../src/engine/events.ts';
import { runHostJob, type HostJob, type JobPorts } from '../../../src/engine/job.ts';
import { PlaybookCache, playbookRef } from '../../../src/engine/playbook-source.ts';
import { connectOptionsOf } from '../../../src/transport/connection-settings.ts';
import { SecretUnavailableError, type SecretRef } from '../../../src/contracts/secrets.ts';
import { parsePlaybook } from '../../../src/playbook/load.ts';
import { playbook, FakeFleet } from './fakes.ts';

const job: HostJob = {
  playbook: playbookRef(playbook),
  host: { name: 'srx1', groups: ['all'], vars: {} },
  connection: { name: 'srx1', address: '192.0.2.1', port: 830, username: 'ops', knownHostsFile: '/k', password: { env: 'SRX_PASSWORD' } },
  dryRun: true,
};

/** A fake device answering the fakes' one collect, through the fleet's connect. */
function ports(overrides: Partial<JobPorts> = {}): JobPorts {
  const device = new FakeFleet().hosts(['srx1'])[0]!;
  return { openSession: () => device.connect(), secrets: { resolve: async () => 'x' }, playbooks: new PlaybookCache(), emit: () => undefined, ...overrides };
}

describe('runHostJob', () => {
  it('runs a host from its JSON form', async () => {
    const events: RunEvent[] = [];
    const r = await runHostJob(JSON.parse(JSON.stringify(job)) as HostJob, ports({ emit: (e) => events.push(e) }));
    assert.equal(r.status, 'ok');
    assert.deepEqual(r.steps.map((s) => [s.name, s.status]), [['Software', 'done']]);
    assert.deepEqual([events[0]?.type, events.at(-1)?.type], ['host-start', 'host-done']);
  });

  it('never throws: an opener that throws leaves the host unreachable, with the error', async () => {
    const r = await runHostJob(job, ports({ openSession: () => Promise.reject(new Error('no route to the management network')) }));
    assert.equal(r.status, 'unreachable');
    assert.deepEqual([r.error?.phase, r.error?.message], ['connect', 'no route to the management network']);
  });

  it('never throws: a playbook that is not the one the job was made with fails the host, naming both sha256s', async () => {
    const wrong = { ...job, playbook: { ...job.playbook, sha256: 'f'.repeat(64) } };
    const events: RunEvent[] = [];
    const r = await runHostJob(wrong, ports({ emit: (e) => events.push(e) }));
    assert.equal(r.status, 'failed');
    assert.equal(r.error?.kind, 'input');
    assert.match(r.error!.message, /is not the one this job was made with \(sha256 [0-9a-f]{12} here, ffffffffffff in the job\)/);
    assert.deepEqual(events.map((e) => e.type), ['host-start', 'host-done'], 'the renderers hear of the host like any other');
  });

  it('never throws: a playbook file that cannot be read fails the host', async () => {
    const missing = { ...job, playbook: { file: '/nonexistent/playbook.yml', sha256: playbook.sha256 } };
    const r = await runHostJob(missing, ports());
    assert.equal(r.status, 'failed');
    assert.match(r.error!.message, /cannot be loaded: .*no such file/);
  });

  it('never throws: a port that throws (playbooks, event sink, secrets) ends as data', async () => {
    const broken = await runHostJob(job, ports({ playbooks: { load: () => Promise.reject(new TypeError('cache broke')) } }));
    assert.deepEqual([broken.status, broken.error?.message], ['failed', 'cache broke']);

    const sinkThrows = await runHostJob(job, ports({ emit: () => { throw new Error('renderer bug'); } }));
    assert.equal(sinkThrows.status, 'ok', 'an event sink that throws loses its events, not the host');

    const noSecret = await runHostJob(job, ports({ openSession: (c, secrets) => connectOptionsOf(c, secrets).then(() => assert.fail('resolved')), secrets: { resolve: (ref: SecretRef) => Promise.reject(new SecretUnavailableError(ref, 'it is not set')) } }));
    assert.equal(noSecret.error?.kind, 'input');
    assert.match(noSecret.error!.message, /the credential in the environment variable SRX_PASSWORD cannot be read: it is not set/);
  });

  it('never throws: a connect retry that is not one fails the host', async () => {
    const r = await runHostJob({ ...job, connectRetry: { attempts: 0, backoffMs: 10 } }, ports());
    assert.equal(r.status, 'failed');
    assert.match(r.error!.message, /retries.attempts: 0/);
  });

  it('the reviewed entry reaches the gate: a host the plan does not list is skipped', async () => {
    const planning = parsePlaybook(`${playbook.text}  - name: Plan nothing
    plan:
      for_each: "[]"
      actions:
        - rpc: clear-ike-security-association
          args: { peer-address: "{{ item }}" }
`, 'planning.yml');
    const reviewedJob: HostJob = { ...job, playbook: playbookRef(planning), reviewed: { entry: null } };
    const r = await runHostJob(reviewedJob, ports());
    assert.deepEqual([r.status, r.reason], ['skipped', 'not in the reviewed plan (it was not planned when the plan was made)']);
  });

  it('reads time only from its clock port: startedAt and every ms are what the port says', async () => {
    // Each read of the clock is 5 ms after the one before: job start, host start, step start, step end, host end.
    const r = await runHostJob(job, ports({ clock: { now: steppingClock(Date.parse('2026-01-01T00:00:00.000Z'), 5) } }));
    assert.equal(r.status, 'ok');
    assert.deepEqual([r.startedAt, r.ms], ['2026-01-01T00:00:00.005Z', 15]);
    assert.deepEqual(r.steps.map((s) => [s.name, s.ms]), [['Software', 5]]);

    const wrong = { ...job, playbook: { ...job.playbook, sha256: 'f'.repeat(64) } };
    const failed = await runHostJob(wrong, ports({ clock: { now: steppingClock(Date.parse('2026-01-01T00:00:00.000Z'), 5) } }));
    assert.deepEqual([failed.status, failed.startedAt, failed.ms], ['failed', '2026-01-01T00:00:00.000Z', 5], 'a host that fails before it runs is timed by the port too');
  });

  it('loads a playbook once per sha256', async () => {
    const cache = new PlaybookCache();
    const ref = playbookRef(playbook);
    const [a, b] = await Promise.all([cache.load(ref), cache.load(ref)]);
    assert.equal(a, b);
  });
});

/** A clock that reads `start`, then `step` ms more at every read. */
function steppingClock(start: number, step: number): () => number {
  let t = start - step;
  return () => (t += step);
}
