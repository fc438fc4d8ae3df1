import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import type { Report } from '../../src/report/json-report.ts';
import { startLab } from '../helpers/lab.ts';
import { writeLabInventory } from '../helpers/lab-inventory.ts';
import { startInPty } from '../helpers/pty.ts';

/** Each host answers its flow-session collect after a pause, so a run can be caught mid-way. */
const SLOW = { slowMs: 1500, rpcs: ['get-flow-session-information'] };

/**
 * Ctrl-C typed at a terminal (a real pty: the keystroke, not a signal from the test)
 * keeps the README's promise under the live view, as it does off a terminal.
 */
it('on a terminal, Ctrl-C under the listr view: the host in flight finishes, no other starts, the report is written, exit 130', async () => {
  const names = ['h1', 'h2', 'h3'];
  const lab = await startLab(names.map((name, i) => ({ name, scenario: 'three-peers', seed: i + 1, faults: SLOW })));
  try {
    const inventory = await writeLabInventory(lab, Object.fromEntries(names.map((h) => [h, { min_peer_sessions: 40 }])));
    const report = join(lab.dir, 'tty-listr.json');
    const t = startInPty(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--forks', '1', '--report', report, '--lock-dir', join(lab.dir, 'locks')]);
    try {
      await t.waitFor(/h1: collect/);
      t.type('\x03');
      const code = await t.exited;
      assert.equal(code, 130, t.output());
      assert.match(t.output(), /interrupted \(SIGINT\): finishing hosts in flight/);
      const rep = JSON.parse(await readFile(report, 'utf8')) as Report;
      assert.equal(rep.run.interrupted, true);
      assert.deepEqual(rep.run.hosts.map((h) => [h.host, h.status]), [['h1', 'changed']]);
      assert.deepEqual(rep.run.notRun, ['h2', 'h3']);
      assert.match(stripVTControlCharacters(t.output()), /h2 +not run/);
    } finally {
      t.child.kill('SIGKILL');
    }
  } finally {
    await lab.cleanup();
  }
});
