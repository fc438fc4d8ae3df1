import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DeviceBackend } from '../../src/lab/backend.ts';
import type { Report } from '../../src/report/json-report.ts';
import { runCli } from '../helpers/cli.ts';
import { startLab } from '../helpers/lab.ts';
import { writeLabInventory } from '../helpers/lab-inventory.ts';

type StartedLab = Awaited<ReturnType<typeof startLab>>;

// ajv-formats is CommonJS: under NodeNext its default export arrives as the module object.
const addFormats = addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv };

const ONE_PEER_INDEXES = '67111733 67111734 67111735 67111736 67111737 67111738 67111739 67111740 67111741 67111742 67111724 67111743 67111725 67111726 67111730 67111731 67111732';

/** The statement lists printed in the seed's sample runs. */
const SAMPLE_1_STATEMENTS = ['clear security ike security-associations 4.0.0.2', ...ONE_PEER_INDEXES.split(' ').map((i) => `clear security ipsec security-associations index ${i}`)];
const SAMPLE_4_STATEMENTS = [
  'clear security ike security-associations 2.0.0.146',
  ...[67109704, 67109705, 67109706, 67109707, 67109708].map((i) => `clear security ipsec security-associations index ${i}`),
  'clear security ike security-associations 2.0.0.150',
  ...[67109724, 67109725, 67109726, 67109727, 67109728].map((i) => `clear security ipsec security-associations index ${i}`),
  'clear security ike security-associations 1.0.0.42',
  ...[67109684, 67109685, 67109686, 67109687].map((i) => `clear security ipsec security-associations index ${i}`),
];

function device(lab: StartedLab, name: string) {
  return (lab.host(name).backend as DeviceBackend).device;
}

describe('runbook apply playbooks/ah-cleanup.yml reproduces the seed samples', () => {
  let lab: StartedLab;
  let inventory: string;
  before(async () => {
    lab = await startLab([
      { name: 'sample-1', scenario: 'one-peer', seed: 1 },
      { name: 'sample-3', scenario: 'no-peer', seed: 1 },
      { name: 'sample-4', scenario: 'three-peers', seed: 1 },
    ]);
    // The seed's runs used thresholds edited into the script (50 and 40 per peer); the
    // inventory is where per-device thresholds live now.
    inventory = await writeLabInventory(lab, {
      'sample-1': { min_peer_sessions: 50 },
      'sample-3': { min_peer_sessions: 50 },
      'sample-4': { min_peer_sessions: 40 },
    });
  });
  after(async () => lab.cleanup());

  it('dry run: the seed\'s numbers and statements, and no device changed', async () => {
    const report = join(lab.dir, 'report.json');
    const syslogServer = createSocket('udp4');
    const syslog: string[] = [];
    syslogServer.on('message', (m) => syslog.push(m.toString()));
    await new Promise<void>((resolve) => syslogServer.bind(0, '127.0.0.1', resolve));
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--report', report, '--syslog', `udp://127.0.0.1:${syslogServer.address().port}`]);
    syslogServer.close();
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = r.stdout;
    // Sample 1
    assert.match(out, /Number of sessions in flow table: 21167\n/);
    assert.match(out, /Found 750 unique peers, with 1 peers having 50 or more sessions open\. Top 3 peers are:\n {4}4\.0\.0\.2 \(54 sessions\)\n/);
    assert.ok(out.includes(`Indexes for IP 4.0.0.2: ${ONE_PEER_INDEXES}`));
    // Sample 3
    assert.match(out, /Number of sessions in flow table: 21043\n/);
    assert.match(out, /Found 750 unique peers, with 0 peers having 50 or more sessions open\./);
    // Sample 4
    assert.match(out, /Number of sessions in flow table: 25950\n/);
    assert.match(out, /Found 750 unique peers, with 385 peers having 40 or more sessions open\. Top 3 peers are:\n {4}2\.0\.0\.146 \(62 sessions\)\n {4}2\.0\.0\.150 \(62 sessions\)\n {4}1\.0\.0\.42 \(58 sessions\)\n/);
    assert.ok(out.includes('Indexes for IP 2.0.0.146: 67109704 67109705 67109706 67109707 67109708'));
    assert.ok(out.includes('Indexes for IP 1.0.0.42: 67109684 67109685 67109686 67109687'));
    assert.match(out, /Statements to be executed \(dry run\):/);

    const rep = JSON.parse(await readFile(report, 'utf8')) as Report;
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(await readFile('schemas/report.schema.json', 'utf8')) as object);
    assert.ok(validate(rep), JSON.stringify(validate.errors));

    // Syslog speaks the seed's lines, per device.
    const lines = (host: string) => syslog.filter((l) => l.includes(`device="${host}"`)).map((l) => l.replace(/^.*?\] /, ''));
    assert.deepEqual(lines('sample-1'), [
      'sample-1: starting flow session table scan.',
      'sample-1: dry_run: found 1 peers to clear - 4.0.0.2',
      'sample-1: all done, exiting.',
    ]);
    assert.deepEqual(lines('sample-4')[1], 'sample-4: dry_run: found 3 peers to clear - 2.0.0.146 2.0.0.150 1.0.0.42');
    const byHost = new Map(rep.run.hosts.map((h) => [h.host, h]));
    assert.deepEqual(byHost.get('sample-1')!.plan.map((a) => a.cli), SAMPLE_1_STATEMENTS);
    assert.deepEqual(byHost.get('sample-3')!.plan, []);
    assert.equal(byHost.get('sample-3')!.status, 'ok');
    assert.deepEqual(byHost.get('sample-4')!.plan.map((a) => a.cli), SAMPLE_4_STATEMENTS);
    assert.ok(byHost.get('sample-4')!.actions.every((a) => a.status === 'not-sent'));
    assert.deepEqual(rep.run.recap, { ok: 1, changed: 2, skipped: 0, failed: 0, unreachable: 0 });
    for (const name of ['sample-1', 'sample-3', 'sample-4']) assert.deepEqual(device(lab, name).stateChangingRpcs(), [], name);
  });

  it('-e dry_run=false clears the selected peers and leaves every other peer as it was', async () => {
    const before = device(lab, 'sample-4').ahSessionsByPeer();
    const r = await runCli(['apply', 'playbooks/ah-cleanup.yml', '-i', inventory, '--limit', 'sample-4', '-e', 'dry_run=false', '--yes', '--audit-log', join(lab.dir, 'audit.jsonl')]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Statements sent:/);
    assert.match(r.stdout, /verify ah: 25950 before, 25768 after/);
    const afterRun = device(lab, 'sample-4').ahSessionsByPeer();
    for (const peer of ['2.0.0.146', '2.0.0.150', '1.0.0.42']) assert.equal(afterRun.get(peer) ?? 0, 0, peer);
    for (const [peer, n] of before) if (!['2.0.0.146', '2.0.0.150', '1.0.0.42'].includes(peer)) assert.equal(afterRun.get(peer), n, peer);
    assert.equal(device(lab, 'sample-4').stateChangingRpcs().length, SAMPLE_4_STATEMENTS.length);
    assert.deepEqual(device(lab, 'sample-4').tunnelIndexesOf('2.0.0.146'), []);
  });
});
