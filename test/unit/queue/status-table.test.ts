import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statusTable } from '../../../src/cli/commands/queue.ts';

const zero = { waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0 };

describe('runbook queue status table', () => {
  it('one line per queue, counts right-aligned, workers listed or (none)', () => {
    const text = statusTable('redis://r:6379', [
      { name: 'ams', jobs: { ...zero, waiting: 1200, active: 10, failed: 3 }, workers: ['ams-1', 'ams-2'] },
      { name: 'default', jobs: zero, workers: [] },
    ]);
    assert.equal(
      text,
      [
        'queues in Redis at redis://r:6379:',
        'QUEUE    WAITING  ACTIVE  COMPLETED  FAILED  DELAYED  WORKERS',
        'ams         1200      10          0       3        0  ams-1, ams-2',
        'default        0       0          0       0        0  (none)',
        '',
      ].join('\n'),
    );
  });

  it('says so when Redis knows no queue', () => {
    assert.match(statusTable('redis://r:6379', []), /^no queues in Redis at redis:\/\/r:6379/);
  });

  it('shows names read from Redis as visible text: a worker name cannot move the cursor or recolour the terminal', () => {
    const text = statusTable('redis://r:6379', [{ name: 'q', jobs: zero, workers: ['evil\x1b[2J'] }]);
    assert.ok(!text.includes('\x1b'), JSON.stringify(text));
  });
});
