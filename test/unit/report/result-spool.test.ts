import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { HostResult } from '../../../src/contracts/results.ts';
import { buildReport, reportText, writeReport } from '../../../src/report/json-report.ts';
import { ResultSpool } from '../../../src/report/result-spool.ts';
import { CLEAR_IKE, hostResult, runResult } from '../../helpers/run-results.ts';

function withDir<T>(f: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-spool-test-'));
  try {
    return f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const big = (host: string, status: HostResult['status']) =>
  hostResult(host, status, { plan: [CLEAR_IKE], evidence: { top_peers: Array.from({ length: 50 }, (_, i) => ({ peer: `10.0.${i}.1`, count: i })), note: 'ünïcødé \u2028 "quoted" \\ and a line\nbreak' } });

describe('the result spool', () => {
  it('gives back each host as it was put, in host order whatever order they finished in', () => {
    withDir((parent) => {
      const spool = new ResultSpool(4, { parent });
      const results = [big('a', 'ok'), big('b', 'changed'), big('c', 'failed'), big('d', 'ok')];
      for (const i of [2, 0, 3]) spool.put(i, results[i]!);
      const hosts = spool.hosts();
      assert.equal(hosts.length, 3);
      assert.deepEqual([...hosts], [results[0], results[2], results[3]]);
      // Each pass reads the file again: the same results twice.
      assert.deepEqual([...hosts].map((h) => h.host), ['a', 'c', 'd']);
      assert.equal(spool.get(1), undefined);
      assert.equal(spool.has(1), false);
      assert.throws(() => spool.put(0, results[0]!), /already has a result/);
      spool.close();
    });
  });

  it('keeps its file private to the process, and close() removes it', () => {
    withDir((parent) => {
      const spool = new ResultSpool(1, { parent });
      spool.put(0, big('a', 'ok'));
      const [folder] = readdirSync(parent);
      const file = join(parent, folder!, 'hosts.jsonl');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(JSON.parse(readFileSync(file, 'utf8')).host, 'a');
      spool.close();
      assert.equal(existsSync(join(parent, folder!)), false);
      assert.throws(() => spool.get(0), /used after close/);
    });
  });
});

describe('a disk that refuses the spool', () => {
  it('costs no result: from the refused write on, results are kept in memory, and it is said once', () => {
    withDir((parent) => {
      const warnings: string[] = [];
      let writes = 0;
      const full = (fd: number, buffer: Buffer, offset: number, length: number, position: number) => {
        if (++writes >= 3) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        return writeSync(fd, buffer, offset, length, position);
      };
      const spool = new ResultSpool(5, { parent, warn: (m) => warnings.push(m), writeAt: full });
      const results = ['a', 'b', 'c', 'd', 'e'].map((h) => big(h, 'ok'));
      for (const i of [4, 0, 2, 1, 3]) spool.put(i, results[i]!);
      assert.deepEqual([...spool.hosts()], results);
      assert.equal(spool.hosts().length, 5);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /cannot be written \(ENOSPC\): the rest of the results are kept in memory/);
      spool.close();
      assert.deepEqual(readdirSync(parent), []);
    });
  });

  it('costs no result when its folder cannot be made at all', () => {
    withDir((parent) => {
      const warnings: string[] = [];
      const spool = new ResultSpool(2, { parent: join(parent, 'gone'), warn: (m) => warnings.push(m) });
      spool.put(1, big('b', 'failed'));
      spool.put(0, big('a', 'ok'));
      assert.deepEqual([...spool.hosts()].map((h) => h.host), ['a', 'b']);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /ENOENT/);
      spool.close();
    });
  });
});

describe('the JSON report written a host at a time', () => {
  it('is byte for byte what JSON.stringify of the whole report writes', () => {
    const run = runResult([big('a', 'ok'), big('b', 'changed'), big('c', 'failed')], { notRun: ['d'] });
    const report = buildReport(run, { version: '1.2.3', ids: { runId: '20261205T000000Z-0123abcd', ticket: 'CHG1' }, inventory: ['inventory.yml'], limit: 'a,b' });
    assert.equal([...reportText(report)].join(''), JSON.stringify(report, null, 2) + '\n');
    const empty = buildReport(runResult([]), { version: '1.2.3', inventory: [] });
    assert.equal([...reportText(empty)].join(''), JSON.stringify(empty, null, 2) + '\n');
  });

  it('reads the hosts from the spool once, one at a time, and writes the same report as from memory', () => {
    withDir((dir) => {
      const results = [big('a', 'ok'), big('b', 'changed')];
      const spool = new ResultSpool(2, { parent: dir });
      results.forEach((r, i) => spool.put(i, r));
      const fromMemory = buildReport(runResult(results), { version: '1', inventory: [] });
      writeReport(join(dir, 'spooled.json'), { ...fromMemory, run: { ...fromMemory.run, hosts: spool.hosts() } });
      assert.equal(readFileSync(join(dir, 'spooled.json'), 'utf8'), JSON.stringify(fromMemory, null, 2) + '\n');
      spool.close();
    });
  });
});
