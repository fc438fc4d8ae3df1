import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostJob } from '../../../src/engine/job.ts';
import { queuedJob, queueOf, readQueuedJob, secretRefs, UnqueueableJobError, QUEUED_JOB_VERSION } from '../../../src/queue/queued-job.ts';

const PLAYBOOK_TEXT = 'name: a playbook\nhosts: all\n';

function job(connection: Partial<HostJob['connection']> = {}, name = 'srx1'): HostJob {
  return {
    playbook: { file: 'playbooks/p.yml', sha256: 'ab'.repeat(32), text: PLAYBOOK_TEXT },
    host: { name, groups: ['all'], vars: { min_peer_sessions: 40 } },
    connection: { name, address: '192.0.2.1', port: 830, username: 'ops', knownHostsFile: '/k', ...connection },
    dryRun: false,
  };
}

describe('queuedJob', () => {
  it('carries the job with its references, and the playbook by sha256 without its text', () => {
    const q = queuedJob('run1', 3, job({ password: { env: 'SRX_PASSWORD' }, privateKey: { file: '/keys/id_ed25519' }, passphrase: { env: 'KEY_PASS' } }));
    assert.equal(q.v, QUEUED_JOB_VERSION);
    assert.equal(q.runId, 'run1');
    assert.equal(q.index, 3);
    assert.equal(q.queue, 'default');
    assert.deepEqual(q.job.playbook, { file: 'playbooks/p.yml', sha256: 'ab'.repeat(32) });
    assert.ok(!JSON.stringify(q).includes(PLAYBOOK_TEXT.trim().split('\n')[0]!), 'no playbook text on the queue');
    assert.deepEqual(q.job.connection.password, { env: 'SRX_PASSWORD' });
    assert.deepEqual(q.job.connection.privateKey, { file: '/keys/id_ed25519' });
    assert.deepEqual(readQueuedJob(JSON.parse(JSON.stringify(q))), JSON.parse(JSON.stringify(q)), 'what a worker reads back is what was sent');
  });

  it('refuses a secret only this process holds (vault, lab key), naming the host and the field, never the value', () => {
    for (const [connection, field] of [
      [{ password: { secret: 'srx1/password' } }, 'password'],
      [{ privateKey: { secret: 'srx1/privateKey' } }, 'privateKey'],
      [{ privateKey: { file: '/k/id' }, passphrase: { secret: 'srx1/passphrase' } }, 'passphrase'],
      [{ password: { env: 'P' }, jumps: [{ address: 'bastion', port: 22, username: 'j', privateKey: { secret: 'srx1/jump1/privateKey' } }] }, 'jump 1 privateKey'],
    ] as [Partial<HostJob['connection']>, string][]) {
      assert.throws(
        () => queuedJob('run1', 0, job(connection)),
        (err: Error) => err instanceof UnqueueableJobError && err.host === 'srx1' && err.field === field && err.message.startsWith(`host srx1: its ${field} is known only to this process`) && /lookup\('env', 'NAME'\)/.test(err.message) && !err.message.includes('srx1/'),
        field,
      );
    }
  });

  it('lists every secret reference with its field, jump hosts too', () => {
    const j = job({ password: { env: 'P' }, jumps: [{ address: 'b1', port: 22, username: 'u', privateKey: { file: '/k1' } }, { address: 'b2', port: 22, username: 'u', passphrase: { env: 'PP' } }] });
    assert.deepEqual(secretRefs(j), [['password', { env: 'P' }], ['jump 1 privateKey', { file: '/k1' }], ['jump 2 passphrase', { env: 'PP' }]]);
  });

  it("puts the host on its runbook_queue (given from the inventory: the job's vars are the playbook's), else on the default queue", () => {
    assert.equal(queuedJob('r', 0, job({ password: { env: 'P' } }), 'ams').queue, 'ams');
    assert.equal(queuedJob('r', 0, job({ password: { env: 'P' } }), 7).queue, '7');
    assert.equal(queuedJob('r', 0, job({ password: { env: 'P' } }), undefined).queue, 'default');
    assert.equal(queuedJob('r', 0, job({ password: { env: 'P' } })).queue, 'default');
    assert.equal(queueOf('h', null), 'default');
  });

  it('refuses a runbook_queue that is not a queue name, naming the host and the var', () => {
    for (const value of ['eu:west', '', '_', ['ams'], { q: 1 }, true]) {
      assert.throws(
        () => queuedJob('r', 0, job({ password: { env: 'P' } }, 'fw9'), value),
        (err: Error) => err instanceof UnqueueableJobError && err.host === 'fw9' && err.field === 'runbook_queue' && /^host fw9: runbook_queue: a queue name is/.test(err.message),
        JSON.stringify(value),
      );
    }
  });
});

describe('readQueuedJob', () => {
  it('refuses a job of another shape or version, telling to run one runbook version everywhere', () => {
    for (const data of [null, 'x', {}, { v: 2, runId: 'r', index: 0, job: {} }, { v: 1, runId: 'r', index: '0', job: {} }, { v: 1, runId: 'r', index: 0 }]) {
      assert.throws(() => readQueuedJob(data), /a job this worker cannot read .*run the same runbook version on the coordinator and the workers/, JSON.stringify(data));
    }
  });
});
