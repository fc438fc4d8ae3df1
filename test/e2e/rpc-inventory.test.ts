/**
 * `runbook rpc` like Ansible's ad-hoc command: `-i INVENTORY PATTERN NAME` over the
 * hosts the pattern selects, one block per host; `--cli "show ..."` through Junos's
 * `<command>` RPC, printed as text.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LAB_PASSWORD } from '../../src/lab/lab.ts';
import { runCli } from '../helpers/cli.ts';
import { HostileServer } from '../helpers/hostile-server.ts';
import { startLab } from '../helpers/lab.ts';

type StartedLab = Awaited<ReturnType<typeof startLab>>;

const SUMMARY = `Unicast-sessions on FPC0 PIC0:
Unicast-sessions: 3120
Sessions-in-use: 3120
  Valid sessions: 3100
Maximum-sessions: 1048576
`;

describe('runbook rpc over an inventory', () => {
  let lab: StartedLab;
  let dir: string;
  let inventory: string;
  before(async () => {
    lab = await startLab([
      { name: 'srx-a', scenario: 'three-peers', seed: 1 },
      { name: 'srx-b', scenario: 'three-peers', seed: 2 },
      { name: 'srx-c', scenario: 'three-peers', seed: 3 },
    ]);
    dir = await mkdtemp(join(tmpdir(), 'runbook-rpc-inv-'));
    inventory = join(dir, 'hosts');
    const line = (n: string) => `${n} ansible_host=127.0.0.1 ansible_port=${lab.host(n).port}`;
    await writeFile(
      inventory,
      `[edge]\n${line('srx-a')}\n${line('srx-b')}\n\n[core]\n${line('srx-c')}\n\n[all:vars]\nansible_user=lab\nrunbook_password_env=RB_PW\nrunbook_known_hosts=${lab.knownHostsFile}\n`,
    );
  });
  after(async () => lab.cleanup());

  it('-i INVENTORY PATTERN NAME: one block per selected host, each written whole', async () => {
    const r = await runCli(['rpc', '-i', inventory, 'edge', 'get-software-information', '--format', 'json', '--forks', '2'], { env: { RB_PW: LAB_PASSWORD } });
    assert.equal(r.code, 0, r.stderr);
    const blocks = r.stdout.split(/^(?=\S+ \| )/m);
    assert.deepEqual(
      blocks.map((b) => b.split('\n')[0]).sort(),
      ['srx-a | OK', 'srx-b | OK'],
    );
    for (const b of blocks) assert.ok(JSON.parse(b.slice(b.indexOf('\n') + 1)) !== null, 'each block holds its own reply');
    assert.doesNotMatch(r.stdout, /srx-c/);
    assert.ok(!(r.stdout + r.stderr).includes(LAB_PASSWORD));
  });

  it('an unreachable host is its own UNREACHABLE block; the others still answer', async () => {
    const broken = join(dir, 'broken');
    await writeFile(broken, `[x]\nsrx-a ansible_host=127.0.0.1 ansible_port=${lab.host('srx-a').port}\ndead ansible_host=127.0.0.1 ansible_port=1\n\n[x:vars]\nansible_user=lab\nrunbook_password_env=RB_PW\nrunbook_known_hosts=${lab.knownHostsFile}\n`);
    const r = await runCli(['rpc', '-i', broken, 'all', 'get-software-information'], { env: { RB_PW: LAB_PASSWORD } });
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(r.stdout, /^srx-a \| OK\n<rpc-reply/m);
    assert.match(r.stdout, /^dead \| UNREACHABLE\nrunbook: dead: .*connection refused/m);
  });

  it('a pattern that selects nothing, or no inventory at all, is a usage error (exit 2)', async () => {
    const none = await runCli(['rpc', '-i', inventory, 'nosuch', 'get-software-information'], { env: { RB_PW: LAB_PASSWORD } });
    assert.equal(none.code, 2);
    const noInv = await runCli(['rpc', 'edge', 'get-software-information'], { cwd: dir, env: { HOME: dir } });
    assert.equal(noInv.code, 2);
    assert.match(noInv.stderr, /'edge' is a host pattern, but no inventory was given: use -i INVENTORY, or --host ADDRESS/);
  });
});

describe('runbook rpc --cli', () => {
  let server: HostileServer;
  let dir: string;
  before(async () => {
    server = await HostileServer.start({
      onRpc: async (rpc, reply) => {
        if (rpc.name !== 'command') return false;
        await reply.whole(`${reply.open}<output>\n${SUMMARY}</output>${reply.close}`);
        return true;
      },
    });
    dir = await mkdtemp(join(tmpdir(), 'runbook-rpc-cli-'));
  });
  after(async () => server.close());

  it("sends Junos's <command> RPC and prints the text output", async () => {
    const inv = await server.writeInventory(dir);
    const r = await runCli(['rpc', '-i', inv, 'hostile-srx', '--cli', 'show security flow session summary'], { env: server.env() });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `hostile-srx | OK\n\n${SUMMARY}`);
    const sent = server.received.find((x) => x.name === 'command');
    assert.match(sent!.xml, /<command format="text">show security flow session summary<\/command>/);
  });

  it('a CLI command that is not a show is treated as changing state: refused off a terminal without --yes', async () => {
    const inv = await server.writeInventory(dir);
    const before = server.received.length;
    const r = await runCli(['rpc', '-i', inv, 'all', '--cli', 'clear security flow session all'], { env: server.env() });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Not on a terminal, so nothing can ask: add --yes to send it/);
    assert.equal(server.received.length, before, 'nothing sent');
  });
});
