import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findAnsible } from '../../../bench/foil/ansible.ts';
import { busyRoomProblem } from '../../../bench/foil/section.ts';
import { MarkedProcesses } from '../../../bench/lib/marked-processes.ts';
import type { BenchRow } from '../../../bench/lib/rows.ts';
import { foilTable, targetChecks } from '../../../bench/report.ts';

describe('MarkedProcesses (the foil\'s memory of a process family)', () => {
  it('finds every process carrying the marker, a detached grandchild too, and adds up their memory', { skip: !existsSync('/proc/self/smaps_rollup') && 'no /proc' }, async () => {
    const marker = `RUNBOOK_TEST_MARK=${process.pid}-${Math.random()}`;
    // A child that starts a detached grandchild (as ansible-connection daemonizes), prints its pid, then waits.
    const script = `const c = require('node:child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { detached: true, stdio: 'ignore' }); c.unref(); console.log(c.pid); setTimeout(() => {}, 60000);`;
    const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, RUNBOOK_TEST_MARK: marker.split('=')[1] }, stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(child.stdout.setEncoding('utf8'), 'data')) as [string];
    const grandchild = Number(line.trim());
    try {
      const procs = new MarkedProcesses(marker);
      const pids = await procs.pids();
      assert.deepEqual(new Set(pids), new Set([child.pid, grandchild]));
      const now = await procs.sample();
      assert.equal(now.processes, 2);
      assert.ok(now.pssBytes > 0 && now.rssBytes >= now.pssBytes, JSON.stringify(now));
      assert.equal(procs.peakPssBytes, now.pssBytes);
      assert.equal(new MarkedProcesses(`${marker}-other`).seen.size, 0);
      assert.deepEqual(await new MarkedProcesses(`${marker}-other`).pids(), []);
    } finally {
      process.kill(grandchild, 'SIGKILL');
      child.kill('SIGKILL');
    }
  });
});

describe('foilTable', () => {
  it('says why the foil did not run', () => {
    assert.deepEqual(foilTable([], 'ncclient is not importable by /usr/bin/python3 (Debian package python3-ncclient)').slice(1), [
      '  skipped: ncclient is not importable by /usr/bin/python3 (Debian package python3-ncclient)',
    ]);
  });
});

describe('the foil without Ansible', () => {
  it('is skipped with the Debian package that is missing', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'runbook-no-ansible-'));
    try {
      assert.deepEqual(await findAnsible({ PATH: empty, HOME: empty }), { missing: 'ansible-playbook is not installed (Debian package ansible)' });
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('runs the busy case only with 2 GiB free per busy device (Ansible held 1.6 GiB each)', () => {
    assert.equal(busyRoomProblem(10, 24 * 2 ** 30), undefined);
    assert.equal(busyRoomProblem(10, undefined), undefined);
    assert.equal(busyRoomProblem(10, 12 * 2 ** 30), 'not run: Ansible needs about 20 GiB for 10 busy devices (2 GiB each), 12.0 GiB is available');
  });

  it('judges ≥ 100× on 50 small devices, and reports the memory ratio on busy ones', () => {
    const row = (r: Partial<BenchRow> & Pick<BenchRow, 'size' | 'role' | 'subject'>): BenchRow => ({ section: 'foil', ok: true, ...r });
    const checks = targetChecks([
      row({ size: 50, role: 'runbook', subject: 'runbook apply --check, small (100 AH sessions)', ratio: 1 }),
      row({ size: 50, role: 'foil', subject: 'Ansible 2.14 junos_rpc, small (100 AH sessions)', ratio: 104, ratio2: 12.5 }),
      row({ size: 10, role: 'foil', subject: 'Ansible 2.14 junos_rpc, busy (25k AH sessions)', ratio: 31, ratio2: 40 }),
    ]);
    assert.deepEqual(
      checks.map((c) => [c.target, c.met, c.figure]),
      [
        ["foil: runbook ≥ 100× faster than Ansible's junos_rpc collect (50 small devices)", true, '104.0× (memory 12.5×)'],
        ["foil: Ansible's memory over runbook's (10 busy devices)", undefined, '40.0× (time 31.0×)'],
      ],
    );
  });
});
