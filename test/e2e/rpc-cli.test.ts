import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LAB_PASSWORD } from '../../src/lab/lab.ts';
import { runCli } from '../helpers/cli.ts';
import { startLab } from '../helpers/lab.ts';

type StartedLab = Awaited<ReturnType<typeof startLab>>;

describe('runbook rpc', () => {
  let lab: StartedLab;
  let common: string[];
  const env = { LAB_PW: LAB_PASSWORD };
  before(async () => {
    lab = await startLab([
      { name: 'a', scenario: 'three-peers', seed: 1, base11: true },
      { name: 'refused', scenario: 'no-peer', seed: 1, faults: { refuse: true } },
    ]);
    common = ['rpc', '--host', '127.0.0.1', '--user', 'lab', '--password-env', 'LAB_PW', '--known-hosts', lab.knownHostsFile];
  });
  after(async () => lab.cleanup());
  const port = (name: string) => String(lab.host(name).port);

  it('prints the reply as XML, streamed as received', async () => {
    const r = await runCli([...common, '--port', port('a'), 'get-flow-session-information', '--arg', 'protocol=ah'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" xmlns:junos="http:\/\/xml.juniper.net\/junos\/[^"]+\/junos" message-id="1">/);
    assert.equal(r.stdout.split('<protocol>ah</protocol>').length - 1, 25950);
    assert.ok(!r.stdout.includes(LAB_PASSWORD));
  });

  it('prints extracted JSON with --format json', async () => {
    const r = await runCli([...common, '--port', port('a'), 'get-flow-session-information', '--arg', 'protocol=ah', '--arg', 'summary', '--format', 'json'], { env });
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { totals: { active: number } };
    assert.equal(json.totals.active, 25950);
  });

  it('sends a raw body with --xml and converts unknown replies with xml2js', async () => {
    const r = await runCli([...common, '--port', port('a'), '--xml', '<get-software-information/>', '--format', 'json'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { 'rpc-reply': { 'software-information': { 'host-name': string } } })['rpc-reply']['software-information']['host-name'], 'a');
  });

  it('exits 3 with the device message on an rpc-error', async () => {
    const r = await runCli([...common, '--port', port('a'), 'get-bogus-information'], { env });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /rpc-error: syntax error, expecting <command> \(bad-element get-bogus-information\)/);
  });

  it('exits 4 when the device cannot be reached, naming host and phase', async () => {
    const r = await runCli([...common, '--port', port('refused'), 'get-software-information'], { env });
    assert.equal(r.code, 4);
    assert.match(r.stderr, /127\.0\.0\.1: connect: .*connection refused/);
  });

  it('refuses bad arguments before connecting, with exit 2', async () => {
    const bad = await runCli([...common, '--port', port('a'), 'get-flow-session-information', '--arg', 'protocol=ah</protocol><x>'], { env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /argument "protocol"/);
    const unknown = await runCli([...common, '--port', port('a'), 'get-flow-session-information', '--arg', 'colour=red'], { env });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /colour/);
    const noEnv = await runCli([...common, '--port', port('a'), 'get-software-information']);
    assert.equal(noEnv.code, 2);
    assert.match(noEnv.stderr, /LAB_PW is not set/);
  });
});
