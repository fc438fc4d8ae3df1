import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chalk } from 'chalk';
import type { RunEvent } from '../../../src/engine/events.ts';
import type { HostResult, HostStatus } from '../../../src/contracts/results.ts';
import { summaryRenderer } from '../../../src/cli/render/summary.ts';
import { FakeTerminal, FakeTimer } from './fake-terminal.ts';

const style = new Chalk({ level: 0 });
const names = (n: number) => Array.from({ length: n }, (_, i) => `srx-${String(i + 1).padStart(3, '0')}`);

function result(host: string, status: HostStatus, error?: HostResult['error']): HostResult {
  return { host, status, vars: {}, dryRun: true, evidence: {}, plan: [], actions: [], steps: [], log: [], startedAt: '2026-01-01T00:00:00Z', ms: 10, ...(error ? { error } : {}) };
}

function setup(hosts: readonly string[], columns = 100) {
  const term = new FakeTerminal(columns);
  const timer = new FakeTimer();
  const r = summaryRenderer(term, hosts, style, { timer, frameMs: 100 });
  const send = (...events: RunEvent[]) => events.forEach((e) => r.sink(e));
  return { term, timer, r, send };
}

describe('summaryRenderer', () => {
  it('shows counts, done/total and the hosts in flight with their phases', () => {
    const hosts = names(100);
    const { term, timer, send } = setup(hosts);
    send({ type: 'run-start', hosts, dryRun: true, forks: 10 });
    for (const h of hosts.slice(0, 6)) send({ type: 'host-start', host: h });
    send({ type: 'step-start', host: 'srx-001', phase: 'collect', step: 'Collect AH sessions' });
    send({ type: 'step-start', host: 'srx-002', phase: 'analyze', step: 'Enough AH sessions' });
    send({ type: 'host-done', result: result('srx-002', 'changed') });
    send({ type: 'host-done', result: result('srx-003', 'skipped') });
    timer.advanceTo(0);
    assert.deepEqual(term.screen, [
      '2/100 done  ok 0  changed 1  skipped 1  failed 0  unreachable 0  0.0 s',
      'in flight 4 (connect 3, collect 1): srx-001, srx-004, srx-005 +1 more',
    ]);
  });

  it('redraws at most once per frame, however many events arrive', () => {
    const hosts = names(300);
    const { term, timer, send } = setup(hosts);
    send({ type: 'run-start', hosts, dryRun: true, forks: 50 });
    timer.advanceTo(0);
    assert.equal(term.writes.length, 1, 'the first frame is drawn at once');
    timer.advanceTo(10);
    for (const h of hosts) {
      send({ type: 'host-start', host: h });
      send({ type: 'step-start', host: h, phase: 'collect', step: 'Collect AH sessions' });
      send({ type: 'progress', host: h, step: 'Collect AH sessions', count: 5000 });
      send({ type: 'log', host: h, entry: { level: 1, text: 'Number of sessions in flow table: 5000' } });
      send({ type: 'host-done', result: result(h, 'ok') });
    }
    assert.equal(term.writes.length, 1, 'events alone draw nothing');
    assert.equal(timer.pending, 1, 'one frame is scheduled, not one per event');
    timer.advanceTo(99);
    assert.equal(term.writes.length, 1);
    timer.advanceTo(100);
    assert.equal(term.writes.length, 2, 'the next frame comes 100 ms after the last one');
    assert.deepEqual(term.screen, ['300/300 done  ok 300  changed 0  skipped 0  failed 0  unreachable 0  0.1 s']);
    timer.advanceTo(1000);
    assert.equal(term.writes.length, 2, 'nothing changed: no frame');
  });

  it('prints failures as permanent lines above the live ones', () => {
    const hosts = names(60);
    const { term, timer, send } = setup(hosts);
    send({ type: 'run-start', hosts, dryRun: true, forks: 5 });
    for (const h of hosts.slice(0, 3)) send({ type: 'host-start', host: h });
    timer.advanceTo(0);
    send({ type: 'host-done', result: result('srx-001', 'unreachable', { phase: 'connect', kind: 'auth', message: 'srx-001: auth: all authentication methods failed' }) });
    timer.advanceTo(100);
    send({
      type: 'host-done',
      result: result('srx-002', 'failed', { phase: 'collect', kind: 'rpc-error', step: 'Collect AH sessions', message: 'syntax error' }),
    });
    send({ type: 'host-done', result: result('srx-003', 'ok') });
    timer.advanceTo(250);
    assert.deepEqual(term.screen, [
      'UNREACHABLE srx-001: auth: all authentication methods failed',
      'FAILED srx-002: Collect AH sessions: rpc-error: syntax error',
      '3/60 done  ok 1  changed 0  skipped 0  failed 1  unreachable 1  0.2 s',
    ]);
  });

  it('says when a rollout stops and which batch each starts', () => {
    const hosts = names(60);
    const { term, timer, send } = setup(hosts);
    send({ type: 'run-start', hosts, dryRun: true, forks: 5 });
    send({ type: 'batch-start', index: 1, hosts: hosts.slice(0, 1) });
    send({ type: 'run-stopped', reason: 'batch 1: 1 of 1 hosts failed', afterBatch: 1 });
    timer.advanceTo(0);
    assert.deepEqual(term.screen, ['batch 1: 1 host', 'STOPPED after batch 1: batch 1: 1 of 1 hosts failed', '0/60 done  ok 0  changed 0  skipped 0  failed 0  unreachable 0  0.0 s']);
  });

  it('cuts the live lines to the terminal width, so a redraw erases exactly what it drew', () => {
    const hosts = names(80).map((h) => `a-very-long-host-name-in-a-big-fleet-${h}`);
    const { term, timer, send } = setup(hosts, 50);
    send({ type: 'run-start', hosts, dryRun: true, forks: 20 });
    for (const h of hosts.slice(0, 20)) send({ type: 'host-start', host: h });
    timer.advanceTo(0);
    assert.equal(term.screen.length, 2);
    for (const line of term.screen) assert.ok(line.length <= 49, `${JSON.stringify(line)} is wider than the terminal`);
    assert.match(term.screen[1]!, /^in flight 20 \(connect 20\): a-very-long/);
  });

  it('ends with the final counts as a permanent line, the live lines gone and no frame left', async () => {
    const hosts = names(70);
    const { term, timer, r, send } = setup(hosts);
    send({ type: 'run-start', hosts, dryRun: true, forks: 5 });
    send({ type: 'host-start', host: 'srx-001' });
    timer.advanceTo(0);
    timer.advanceTo(30);
    send({ type: 'host-done', result: result('srx-001', 'changed') });
    await r.end();
    assert.equal(timer.pending, 0);
    assert.deepEqual(term.screen, ['1/70 done  ok 0  changed 1  skipped 0  failed 0  unreachable 0  0.0 s']);
    r.sink({ type: 'host-start', host: 'srx-002' });
    timer.advanceTo(1000);
    assert.deepEqual(term.screen, ['1/70 done  ok 0  changed 1  skipped 0  failed 0  unreachable 0  0.0 s'], 'nothing is drawn after the end');
  });
});
