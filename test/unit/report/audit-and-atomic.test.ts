import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeFileAtomic } from '../../../src/report/atomic-write.ts';
import { AuditLog } from '../../../src/report/audit-log.ts';

const dir = mkdtempSync(join(tmpdir(), 'runbook-unit-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('AuditLog', () => {
  it('writes an intent before the RPC and an outcome when it ends, numbered alike', () => {
    const file = join(dir, 'a', 'audit.jsonl');
    const log = new AuditLog(file, { id: 'run-1', playbook: 'p.yml' });
    const audit = log.forHost('h1');
    const ended = audit.sending({ rpc: 'clear-ike-security-association', cli: 'clear security ike security-associations 1.0.0.1', args: { 'peer-address': '1.0.0.1' } });
    // On disk before the RPC would be sent.
    assert.deepEqual(lines(file).map((l) => [l.phase, l.seq, l.host, l.run, l.rpc]), [['intent', 1, 'h1', 'run-1', 'clear-ike-security-association']]);
    assert.deepEqual(lines(file)[0]!.args, { 'peer-address': '1.0.0.1' });
    ended({ outcome: 'ok', reply: { cleared: 1, messages: [], warnings: [] } });
    ended({ outcome: 'unknown', error: { phase: 'act', kind: 'closed', message: 'late' } });
    const all = lines(file);
    assert.deepEqual(all.map((l) => [l.phase, l.seq, l.outcome]), [['intent', 1, undefined], ['outcome', 1, 'ok']], 'one outcome per intent');
    assert.equal(all[1]!.cli, 'clear security ike security-associations 1.0.0.1');
    log.close();
  });

  it('puts the run id and the ticket on every line', () => {
    const file = join(dir, 't', 'audit.jsonl');
    const log = new AuditLog(file, { id: '20261204T220602Z-3f9a61c2', ticket: 'CHG0012345', playbook: 'p.yml' });
    log.forHost('h1').sending({ rpc: 'commit-configuration', cli: 'commit' })({ outcome: 'ok' });
    log.close();
    assert.deepEqual(lines(file).map((l) => [l.phase, l.run, l.ticket, l.playbook]), [
      ['intent', '20261204T220602Z-3f9a61c2', 'CHG0012345', 'p.yml'],
      ['outcome', '20261204T220602Z-3f9a61c2', 'CHG0012345', 'p.yml'],
    ]);
  });

  it('creates no file until there is a line; endPending gives each unanswered RPC its outcome, unknown', () => {
    const file = join(dir, 'b', 'audit.jsonl');
    const log = new AuditLog(file, { id: 'run-2', playbook: 'p.yml' });
    assert.equal(existsSync(file), false);
    const a = log.forHost('h1').sending({ rpc: 'load-configuration', cli: 'load set terminal', statements: ['set a b'] });
    log.forHost('h2').sending({ rpc: 'commit-configuration', cli: 'commit confirmed 5' });
    a({ outcome: 'failed', error: { phase: 'act', kind: 'rpc-error', message: 'no' } });
    log.endPending('stopped at once');
    log.close();
    assert.deepEqual(lines(file).map((l) => [l.phase, l.host, l.outcome ?? null]), [['intent', 'h1', null], ['intent', 'h2', null], ['outcome', 'h1', 'failed'], ['outcome', 'h2', 'unknown']]);
    assert.deepEqual(log.sentTo('h2').map((e) => e.end?.outcome), ['unknown']);
    assert.deepEqual(lines(file)[0]!.statements, ['set a b']);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves no temporary file', () => {
    const file = join(dir, 'report.json');
    writeFileSync(file, 'old\n');
    writeFileAtomic(file, 'new\n');
    assert.equal(readFileSync(file, 'utf8'), 'new\n');
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  });

  it('when the write cannot finish, the previous file is untouched and no temporary file is left', () => {
    const target = join(dir, 'is-a-dir');
    mkdirSync(join(target, 'inside'), { recursive: true });
    assert.throws(() => writeFileAtomic(target, 'x'));
    assert.ok(existsSync(join(target, 'inside')));
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  });
});

describe('writeFileAtomic under SIGKILL', () => {
  it('a process killed at any moment of a large write leaves the previous file or the new one, never a part', async () => {
    const killDir = mkdtempSync(join(tmpdir(), 'runbook-atomic-kill-'));
    try {
      const file = join(killDir, 'report.json');
      const module = new URL('../../../src/report/atomic-write.ts', import.meta.url).href;
      // A child that rewrites the file for ever, 16 MiB at a time (the texts made once, so the
      // loop is all writing), and says when the first write is done: killed then, it is most
      // often in the middle of a write. Four kills: a write in place (O_TRUNC) was seen torn
      // in about half of single tries; the atomic write must never be.
      const script = `import { writeFileAtomic } from ${JSON.stringify(module)}; const t = ['b'.repeat(16 << 20), 'a'.repeat(16 << 20)]; for (let i = 0; ; i++) { writeFileAtomic(${JSON.stringify(file)}, t[i % 2]); if (i === 0) process.stdout.write('go\\n'); }`;
      for (let round = 0; round < 4; round++) {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        await once(child.stdout, 'data');
        await new Promise((r) => setTimeout(r, 50 + 30 * round));
        child.kill('SIGKILL');
        await once(child, 'close');
        const now = readFileSync(file, 'utf8');
        assert.equal(now.length, 16 << 20, `the file has ${now.length} bytes: a torn write`);
        assert.ok(now === 'a'.repeat(16 << 20) || now === 'b'.repeat(16 << 20), 'one whole write, not a mix');
      }
    } finally {
      rmSync(killDir, { recursive: true, force: true });
    }
  });
});
