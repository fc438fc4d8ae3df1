import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { notificationBody, parseNotifyTarget, redactUrl, runSummary, sendNotification } from '../../../src/report/notify.ts';
import { CLEAR_IKE, hostResult, runResult } from '../../helpers/run-results.ts';

describe('notification targets and bodies', () => {
  it('picks the body by the scheme, or by the format given', () => {
    assert.deepEqual(parseNotifyTarget('https://hooks.example/x'), { url: 'https://hooks.example/x', format: 'generic', on: 'always' });
    assert.deepEqual(parseNotifyTarget('slack+https://hooks.slack.com/services/T/B/C', 'failure'), { url: 'https://hooks.slack.com/services/T/B/C', format: 'slack', on: 'failure' });
    assert.equal(parseNotifyTarget('TEAMS+https://x.example/w').format, 'teams');
    assert.equal(parseNotifyTarget('https://x.example/w', 'always', 'teams').format, 'teams');
    assert.throws(() => parseNotifyTarget('mailto:ops@example.net'), /is not an http\(s\) URL/);
    assert.throws(() => parseNotifyTarget('http://'), /is not/);
  });

  it('never shows a URL past its host: webhooks keep their token in the path and query', () => {
    assert.equal(redactUrl('https://hooks.slack.com/services/T0/B0/SECRET'), 'https://hooks.slack.com/…');
    assert.equal(redactUrl('https://h.example?token=SECRET'), 'https://h.example/…');
    assert.equal(redactUrl('https://h.example'), 'https://h.example');
    assert.ok(!redactUrl('not a url with SECRET-TOKEN').includes('SECRET-TOKEN'));
  });

  it('summarises without vars or evidence, and lists at most 20 hosts of each kind', () => {
    const hosts = [
      ...Array.from({ length: 25 }, (_, i) => hostResult(`bad-${i}`, 'failed', { vars: { password: 'hunter2' }, error: { phase: 'collect', kind: 'rpc-error', message: 'busy\nsecond line' } })),
      hostResult('good', 'changed', { plan: [CLEAR_IKE], evidence: { top_peers: [{ peer: '10.0.0.1', count: 5 }] } }),
    ];
    const s = runSummary(runResult(hosts), 3);
    assert.equal(s.outcome, 'failure');
    assert.equal(s.failedHosts.length, 20);
    assert.deepEqual(s.failedHosts[0], { host: 'bad-0', status: 'failed', error: 'busy' });
    assert.deepEqual(s.unlisted, { failed: 5, changed: 0 });
    assert.deepEqual(s.changedHosts, ['good']);
    assert.equal(s.durationSeconds, 12.5);
    for (const format of ['generic', 'slack', 'teams'] as const) {
      const text = JSON.stringify(notificationBody(s, format));
      assert.ok(!text.includes('hunter2') && !text.includes('10.0.0.1'), format);
    }
  });

  it('carries the run id and the ticket in every body', () => {
    const s = runSummary(runResult([hostResult('h', 'ok')]), 0, { runId: '20261204T220602Z-3f9a61c2', ticket: 'CHG0012345' });
    assert.equal(s.runId, '20261204T220602Z-3f9a61c2');
    assert.equal(s.ticket, 'CHG0012345');
    assert.equal((notificationBody(s, 'generic') as { runId: string }).runId, '20261204T220602Z-3f9a61c2');
    assert.match((notificationBody(s, 'slack') as { text: string }).text, /\nrun 20261204T220602Z-3f9a61c2, ticket CHG0012345(\n|$)/);
    assert.ok(JSON.stringify(notificationBody(s, 'teams')).includes('"text":"run 20261204T220602Z-3f9a61c2, ticket CHG0012345"'));
    const none = runSummary(runResult([hostResult('h', 'ok')]), 0);
    assert.equal(none.runId, undefined);
  });

  it("escapes a device's text for Slack, so it cannot become a link or a mention", () => {
    const s = runSummary(runResult([hostResult('h', 'failed', { error: { phase: 'act', kind: 'rpc-error', message: '<!channel> <http://evil.example|click> & co' } })]), 3);
    const body = notificationBody(s, 'slack') as { text: string };
    assert.match(body.text, /h failed: &lt;!channel&gt; &lt;http:\/\/evil\.example\|click&gt; &amp; co/);
  });
});

describe('sending a notification: a timeout is told by our deadline, not by the error\'s name', () => {
  const target = (url: string) => parseNotifyTarget(url);

  it('a receiver that never answers: no answer in time', async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const out = await sendNotification(target(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`), {}, { attempts: 1, timeoutMs: 200 });
      assert.deepEqual(out, { delivered: false, attempts: 1, reason: 'no answer in time' });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('a fetch that rejects with AbortError once our deadline passed: no answer in time', async (t) => {
    t.mock.method(globalThis, 'fetch', (_url: string, init: RequestInit) =>
      new Promise((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(new DOMException('This operation was aborted', 'AbortError')))),
    );
    // AbortSignal.timeout's timer does not hold the event loop open; nothing else would here.
    const hold = setInterval(() => undefined, 1000);
    try {
      const out = await sendNotification(target('http://127.0.0.1:9/hook'), {}, { attempts: 1, timeoutMs: 50 });
      assert.deepEqual(out, { delivered: false, attempts: 1, reason: 'no answer in time' });
    } finally {
      clearInterval(hold);
    }
  });

  it('an error that only calls itself TimeoutError, before any deadline: its own message', async (t) => {
    t.mock.method(globalThis, 'fetch', () => Promise.reject(new DOMException('upstream proxy gave up', 'TimeoutError')));
    const out = await sendNotification(target('http://127.0.0.1:9/hook'), {}, { attempts: 1, timeoutMs: 60_000 });
    assert.deepEqual(out, { delivered: false, attempts: 1, reason: 'upstream proxy gave up' });
  });
});
