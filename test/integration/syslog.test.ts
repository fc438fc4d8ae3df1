import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { formatRfc5424, localLine, openSyslog, parseSyslogTarget, SyslogTargetError } from '../../src/report/syslog.ts';

describe('syslog', () => {
  it('formats RFC 5424 with the device in structured data', () => {
    const line = formatRfc5424('runbook', 'srx"1', 'starting flow session table scan.', new Date('2026-11-23T21:03:53Z'));
    assert.match(line, /^<14>1 2026-11-23T21:03:53\.000Z \S+ runbook \d+ - \[runbook@32473 device="srx\\"1"\] srx"1: starting flow session table scan\.$/);
  });

  it('carries the run id and ticket as structured data, and after the line for the local syslog', () => {
    const ids = { runId: '20261123T210353Z-0a1b2c3d', ticket: 'CHG-42' };
    const line = formatRfc5424('runbook', 'srx1', 'all done, exiting.', new Date('2026-11-23T21:03:53Z'), ids);
    assert.match(line, / - \[runbook@32473 device="srx1" run="20261123T210353Z-0a1b2c3d" ticket="CHG-42"\] srx1: all done, exiting\.$/);
    assert.equal(localLine('srx1', 'all done, exiting.', ids), 'srx1: all done, exiting. [run 20261123T210353Z-0a1b2c3d ticket CHG-42]');
    assert.equal(localLine('srx1', 'done', { runId: 'r' }), 'srx1: done [run r]');
  });

  it('sends the run ids with every UDP message', async () => {
    const server = createSocket('udp4');
    const got: string[] = [];
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', r));
    server.on('message', (m) => got.push(m.toString()));
    const sink = openSyslog({ kind: 'udp', host: '127.0.0.1', port: server.address().port }, 'runbook', undefined, { runId: '20261123T210353Z-0a1b2c3d', ticket: 'OPS#7' });
    sink.send('lab-srx-01', 'starting flow session table scan.');
    await sink.close();
    for (let i = 0; i < 50 && got.length < 1; i++) await new Promise((r) => setTimeout(r, 20));
    server.close();
    assert.match(got[0] ?? '', /\[runbook@32473 device="lab-srx-01" run="20261123T210353Z-0a1b2c3d" ticket="OPS#7"\] lab-srx-01: starting/);
  });

  it('parses targets and refuses bad ones', () => {
    assert.deepEqual(parseSyslogTarget('udp://127.0.0.1'), { kind: 'udp', host: '127.0.0.1', port: 514 });
    assert.deepEqual(parseSyslogTarget('tcp://[::1]:6514'), { kind: 'tcp', host: '::1', port: 6514 });
    assert.deepEqual(parseSyslogTarget('local'), { kind: 'local' });
    assert.throws(() => parseSyslogTarget('syslog.example'), SyslogTargetError);
  });

  it('sends each message to a UDP server', async () => {
    const server = createSocket('udp4');
    const got: string[] = [];
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', r));
    server.on('message', (m) => got.push(m.toString()));
    const sink = openSyslog({ kind: 'udp', host: '127.0.0.1', port: server.address().port }, 'runbook');
    sink.send('lab-srx-01', 'dry_run: found 1 peers to clear - 4.0.0.2');
    sink.send('lab-srx-01', 'all done, exiting.');
    await sink.close();
    for (let i = 0; i < 50 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    server.close();
    assert.equal(got.length, 2);
    assert.match(got[0], / lab-srx-01: dry_run: found 1 peers to clear - 4\.0\.0\.2$/);
    assert.match(got[1], / lab-srx-01: all done, exiting\.$/);
  });

  it('sends octet-counted frames over TCP', async () => {
    let data = '';
    const server = createServer((s) => s.on('data', (d) => (data += d.toString())));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const sink = openSyslog({ kind: 'tcp', host: '127.0.0.1', port }, 'runbook');
    sink.send('srx-a', 'starting flow session table scan.');
    await sink.close();
    for (let i = 0; i < 50 && !data.includes('scan.'); i++) await new Promise((r) => setTimeout(r, 20));
    server.close();
    const m = /^(\d+) (.*)$/s.exec(data);
    assert.ok(m, data);
    assert.equal(Number(m[1]), Buffer.byteLength(m[2]));
    assert.match(m[2], /srx-a: starting flow session table scan\.$/);
  });
});
