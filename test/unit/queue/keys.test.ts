import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { badQueueName, DEFAULT_QUEUE, jobIdOf, keys, PREFIX, QUEUE_VAR } from '../../../src/queue/keys.ts';

describe('queue names and keys', () => {
  it('takes region-like names, up to 64 characters', () => {
    for (const name of ['default', 'ams', 'eu-west-1', 'dc2.core', 'A_1', '7', 'x'.repeat(64)]) assert.equal(badQueueName(name), undefined, name);
  });

  it("refuses ':' (BullMQ's separator), '_' alone (runbook's own keys), blanks, a leading punctuation and over 64 characters", () => {
    for (const name of ['eu:west', '_', '', ' ams', 'ams ', '-x', '.x', 'a/b', 'a*', 'x'.repeat(65), 'zürich']) {
      assert.match(badQueueName(name) ?? '', /a queue name is 1 to 64 letters/, JSON.stringify(name));
    }
  });

  it("runbook's own keys are under runbook:_:, where no queue can be (a queue name cannot be '_')", () => {
    assert.equal(PREFIX, 'runbook');
    assert.equal(DEFAULT_QUEUE, 'default');
    assert.equal(QUEUE_VAR, 'runbook_queue');
    const own = [keys.playbook('ab'.repeat(32)), keys.queues(), keys.runLock('k1'), keys.device('srx-1'), keys.delivery('20261205T000000Z-abcd', 3), keys.audit('20261205T000000Z-abcd'), keys.run('20261205T000000Z-abcd')];
    assert.deepEqual(own, [`runbook:_:playbook:${'ab'.repeat(32)}`, 'runbook:_:queues', 'runbook:_:lock:k1', 'runbook:_:device:srx-1', 'runbook:_:delivery:20261205T000000Z-abcd:3', 'runbook:_:audit:20261205T000000Z-abcd', 'runbook:_:run:20261205T000000Z-abcd']);
    assert.ok(own.every((k) => k.startsWith('runbook:_:')));
    assert.notEqual(badQueueName('_'), undefined);
  });

  it("a job's id is the run and the host's place, without ':' (BullMQ ids cannot contain it)", () => {
    assert.equal(jobIdOf('20261205T000000Z-abcd', 12), '20261205T000000Z-abcd-12');
    assert.ok(!jobIdOf('20261205T000000Z-abcd', 0).includes(':'));
  });
});
