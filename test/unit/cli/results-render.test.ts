import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chalk } from 'chalk';
import type { ActionResult, Failure, HostResult, PlannedAction, RunResult } from '../../../src/contracts/results.ts';
import { recapOf } from '../../../src/contracts/results.ts';
import { hostResultLines, recapLines } from '../../../src/cli/render/results.ts';
import { plainRenderer } from '../../../src/cli/render/plain.ts';

const style = new Chalk({ level: 0 });

function host(over: Partial<HostResult> & { host: string }): HostResult {
  return { status: 'ok', vars: {}, dryRun: false, evidence: {}, plan: [], actions: [], steps: [], log: [], startedAt: '2026-01-01T00:00:00Z', ms: 100, ...over };
}

function run(hosts: HostResult[]): RunResult {
  return { playbook: { file: 'p.yml', name: 'p', sha256: '0'.repeat(64) }, dryRun: false, startedAt: '', finishedAt: '', interrupted: false, hosts, notRun: [], recap: recapOf(hosts) };
}

const FORGED = 'evil\nPLAY RECAP\nfw9       ok  \u202eforged\u001b[2J';

describe('human output escapes what devices and inventories say', () => {
  it('no device- or inventory-sourced string can start a line, move the cursor or reorder text', () => {
    const h = host({
      host: FORGED,
      status: 'skipped',
      reason: 'peer \r\nok=9 changed=0',
      log: [{ level: 1, text: 'Top talkers: 1.2.3.4\nfw2 changed' }],
    });
    const text = [...hostResultLines(h, 1, style), ...recapLines(run([h]), style)].join('\n');
    const lines = text.split('\n');
    assert.equal(lines.filter((l) => l.startsWith('PLAY RECAP')).length, 1, text);
    assert.equal(lines.filter((l) => /^ok=/.test(l)).length, 1, text);
    assert.ok(text.includes('evil\\nPLAY RECAP\\nfw9       ok  \\u202eforged\\x1b[2J'), text);
    assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(text), 'no raw control or bidi character is left');

    const out: string[] = [];
    const r = plainRenderer({ write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream, 2, style);
    r.sink({ type: 'run-start', hosts: [FORGED], dryRun: true, forks: 1 });
    r.sink({ type: 'step-start', host: FORGED, phase: 'collect', step: 'x\ny' });
    r.sink({ type: 'host-done', result: h });
    assert.equal(out.join('').split('\n').filter((l) => l.startsWith('PLAY RECAP') || l.startsWith('fw9')).length, 0, out.join(''));
    assert.match(out[0], /^DRY RUN: 1 host, 1 at a time\n$/, 'one host is "1 host"');
  });
});

describe('a failure is said once', () => {
  const failure: Failure = { phase: 'act', kind: 'rpc-error', step: 'Commit, verify and confirm', message: 'commit confirmed 5: configuration check-out failed' };
  const statements = ['set a 1', 'set b 2', 'set c 3', 'delete d'];
  const actions: PlannedAction[] = statements.map((cli) => ({ rpc: 'load-configuration', args: {}, cli, changesState: true, config: cli }));

  it('a failed commit is one line for the change, not FAILED on every statement', () => {
    const results: ActionResult[] = actions.map((action) => ({ action, status: 'failed', error: failure }));
    const h = host({
      host: 'fw1',
      status: 'failed',
      error: failure,
      plan: actions,
      actions: results,
      config: { statements, diff: '+ a', result: 'failed', reason: failure.message, warnings: [], trail: [] },
      log: [{ level: 1, text: `configuration: failed: ${failure.message}` }],
    });
    const text = hostResultLines(h, 1, style).join('\n');
    assert.equal(text.split(failure.message).length - 1, 1, text);
    assert.doesNotMatch(text, /FAILED/);
    assert.match(text, /^  act \(Commit, verify and confirm\): rpc-error: commit confirmed 5/m);
    for (const s of statements) assert.match(text, new RegExp(`^    ${s}$`, 'm'));
  });

  it('each failed RPC says its own error once, without the host or kind twice, and the host error is not repeated', () => {
    const a = (cli: string): PlannedAction => ({ rpc: 'clear-x', args: {}, cli, changesState: true });
    const err = (n: number): Failure => ({ phase: 'act', kind: 'rpc-error', message: `fw2: rpc-error: clear-x: operation failed ${n}` });
    const h = host({
      host: 'fw2',
      status: 'failed',
      error: err(1),
      plan: [a('clear 1'), a('clear 2')],
      actions: [
        { action: a('clear 1'), status: 'failed', error: err(1) },
        { action: a('clear 2'), status: 'failed', error: err(2) },
      ],
    });
    const text = hostResultLines(h, 1, style).join('\n');
    assert.equal(text.split('operation failed 1').length - 1, 1, text);
    assert.match(text, /FAILED clear 1: rpc-error: clear-x: operation failed 1$/m);
    assert.doesNotMatch(text, /fw2: rpc-error/);
  });

  it('the recap names where and what kind, and leaves the message to the host\'s results when they were printed', () => {
    const h = host({ host: 'fw1', status: 'unreachable', error: { phase: 'connect', kind: 'hostkey', message: 'fw1: hostkey: HOST KEY MISMATCH' } });
    const above = recapLines(run([h]), style, { failuresAbove: true }).join('\n');
    assert.match(above, /^fw1 {7}unreachable  connect: hostkey, see above$/m);
    assert.doesNotMatch(above, /MISMATCH/);
    const alone = recapLines(run([h]), style).join('\n');
    assert.match(alone, /^fw1 {7}unreachable  hostkey: HOST KEY MISMATCH$/m, 'with -q the recap is the only place, so it says it');
    const block = hostResultLines(h, 1, style).join('\n');
    assert.equal(block, 'fw1 (unreachable)\n  connect: hostkey: HOST KEY MISMATCH', 'said once, without the host twice');
  });

  it('the progress line names the phase, not the error the results below tell', () => {
    const out: string[] = [];
    const r = plainRenderer({ write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream, 1, style);
    r.sink({ type: 'host-done', result: host({ host: 'fw1', status: 'unreachable', error: { phase: 'connect', kind: 'hostkey', message: 'fw1: hostkey: HOST KEY MISMATCH' } }) });
    assert.equal(out.join(''), 'fw1 | unreachable in connect (0.1 s)\n');
  });
});

describe('the recap claims only what was done', () => {
  it('says "verified" for a committed change only when a verify ran', () => {
    const config = { statements: ['set a 1'], diff: '+ a 1', result: 'committed' as const, confirmMinutes: 5, warnings: [], trail: [] };
    const unverified = host({ host: 'fw1', status: 'changed', config });
    const verified = host({ host: 'fw2', status: 'changed', config, verify: {} });
    const text = recapLines(run([unverified, verified]), style).join('\n');
    assert.match(text, /^fw1 .*committed \(commit confirmed 5, no verify step, confirmed\)$/m);
    assert.match(text, /^fw2 .*committed \(commit confirmed 5, verified, confirmed\)$/m);
  });
});
