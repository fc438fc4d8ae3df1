import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import type { Report } from '../../src/report/json-report.ts';
import { stringify } from 'yaml';
import { HOSTILE_PASSWORD_ENV, HOSTILE_USER, HostileServer } from '../helpers/hostile-server.ts';
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

it('on a terminal through npx, Ctrl-C: npm gives the prompt back at once, runbook finishes the host in flight and writes the report', async () => {
  const names = ['h1', 'h2', 'h3'];
  const lab = await startLab(names.map((name, i) => ({ name, scenario: 'three-peers', seed: i + 1, faults: SLOW })));
  try {
    const inventory = await writeLabInventory(lab, Object.fromEntries(names.map((h) => [h, { min_peer_sessions: 40 }])));
    const report = join(lab.dir, 'tty-npx.json');
    const args = ['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--forks', '1', '--report', report, '--lock-dir', join(lab.dir, 'locks')];
    const t = startInPty([], { command: ['npx', '--no-install', 'runbook', ...args] });
    try {
      await t.waitFor(/h1: collect/);
      t.type('\x03');
      // npm's exit code: its shell died of the SIGINT. runbook goes on without a terminal.
      assert.equal(await t.exited, 130, t.output());
      // runbook ends by itself: the report appears whole (generous bound, only to prove it ended).
      for (let i = 0; i < 600 && !existsSync(report); i++) await new Promise((r) => setTimeout(r, 100));
      const rep = JSON.parse(await readFile(report, 'utf8')) as Report;
      assert.equal(rep.run.interrupted, true);
      assert.deepEqual(rep.run.hosts.map((h) => [h.host, h.status]), [['h1', 'changed']], 'one Ctrl-C, and the hang-up after it, are one interrupt');
      assert.deepEqual(rep.run.notRun, ['h2', 'h3']);
    } finally {
      t.child.kill('SIGKILL');
    }
  } finally {
    await lab.cleanup();
  }
});

it('on a terminal, Ctrl-C under the summary view (more than 50 hosts): hosts in flight finish, no other starts, exit 130', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'runbook-summary-'));
  const server = await HostileServer.start();
  try {
    await server.writeInventory(dir);
    const inventory = join(dir, 'many.yml');
    const hosts = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`s${String(i + 1).padStart(2, '0')}`, { ansible_host: '127.0.0.1', ansible_port: server.port }]));
    await writeFile(inventory, stringify({ all: { vars: { ansible_user: HOSTILE_USER, ansible_password: `{{ lookup('env', '${HOSTILE_PASSWORD_ENV}') }}`, runbook_known_hosts: join(dir, 'hostile_known_hosts') }, hosts } }));
    const report = join(dir, 'summary.json');
    const t = startInPty(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--forks', '2', '--report', report, '--lock-dir', join(dir, 'locks')], { env: server.env() });
    try {
      await t.waitFor(/\d+\/60 done/);
      t.type('\x03');
      assert.equal(await t.exited, 130, t.output());
      const rep = JSON.parse(await readFile(report, 'utf8')) as Report;
      assert.equal(rep.run.interrupted, true);
      assert.ok(rep.run.notRun.length > 0 && rep.run.hosts.length + rep.run.notRun.length === 60, `${rep.run.hosts.length} ran, ${rep.run.notRun.length} not`);
      assert.ok(rep.run.hosts.every((h) => h.status === 'ok'), 'the hosts in flight finished');
    } finally {
      t.child.kill('SIGKILL');
    }
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

it('on a terminal, Ctrl-C at the "Continue? [y/N]" question: exit 130, nothing contacted, no stack trace', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'runbook-question-'));
  const server = await HostileServer.start();
  try {
    const inventory = await server.writeInventory(dir);
    const t = startInPty(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '-e', 'dry_run=false', '--lock-dir', join(dir, 'locks'), '--audit-log', join(dir, 'audit.jsonl')], { env: server.env() });
    try {
      await t.waitFor(/Continue\? \[y\/N\]/);
      t.type('\x03');
      assert.equal(await t.exited, 130, t.output());
      assert.match(t.output(), /interrupted at the question: nothing was sent/);
      assert.doesNotMatch(t.output(), /internal error|AbortError/);
      assert.equal(server.accepted, 0);
    } finally {
      t.child.kill('SIGKILL');
    }
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
