/**
 * Devices behind a jump host: a private OpenSSH sshd from Debian on a loopback port is
 * the bastion (its own config and keys, started and stopped by the test by pid), lab
 * devices sit behind it. The inventory says ProxyJump the way Ansible's users write it
 * (ansible_ssh_common_args, and an ssh config); sshd's own log shows the forwarded
 * channel to the device, and both hops' host keys are checked. Skipped, with the reason,
 * where sshd is not installed.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { connectionFor } from '../../src/inventory/connection.ts';
import { loadInventory } from '../../src/inventory/load.ts';
import { LAB_PASSWORD } from '../../src/lab/lab.ts';
import { TransportError } from '../../src/transport/errors.ts';
import { NetconfSession } from '../../src/transport/session.ts';
import { startLab } from '../helpers/lab.ts';
import { sshdUnavailable, sshKeygen, startSshd, type RunningSshd } from '../helpers/sshd.ts';

type StartedLab = Awaited<ReturnType<typeof startLab>>;

describe('devices behind a bastion (ProxyJump over ssh2, OpenSSH sshd as the jump host)', () => {
  const unavailable = sshdUnavailable();
  let lab: StartedLab;
  let sshd: RunningSshd;
  let dir: string;
  let knownHosts: string;
  let sshConfig: string;

  before(async () => {
    if (unavailable) return;
    dir = await mkdtemp(join(tmpdir(), 'runbook-bastion-'));
    lab = await startLab([{ name: 'srx-behind', scenario: 'three-peers', seed: 1 }]);
    sshd = await startSshd({ dir: join(dir, 'sshd'), subsystems: {}, allowTcpForwarding: true, logLevel: 'DEBUG1' });
    knownHosts = join(dir, 'known_hosts');
    await writeFile(knownHosts, (await readFile(lab.knownHostsFile, 'utf8')) + (await readFile(sshd.knownHostsFile, 'utf8')));
    sshConfig = join(dir, 'ssh_config');
    await writeFile(sshConfig, `Host bastion\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n  IdentityFile ${sshd.clientKeyFile}\n`);
  });
  after(async () => {
    await sshd?.stop();
    await lab?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Writes an INI inventory for the device with these extra host vars, and resolves its connection. */
  async function connection(extra: string, kh = knownHosts) {
    const inv = join(dir, `hosts-${Math.random().toString(36).slice(2)}`);
    const port = lab.host('srx-behind').port;
    await writeFile(inv, `[srx]\nsrx-behind ansible_host=127.0.0.1 ansible_port=${port} ansible_user=lab runbook_password_env=RB_PW runbook_known_hosts=${kh} ${extra}\n`);
    const inventory = await loadInventory([inv]);
    return connectionFor(inventory.hosts[0]!, { RB_PW: LAB_PASSWORD, HOME: dir }, { knownHostsFile: kh });
  }

  async function rpcThrough(opts: Awaited<ReturnType<typeof connection>>): Promise<string> {
    const session = await NetconfSession.connect(opts);
    try {
      const reply = await session.rpc('<get-software-information/>');
      return JSON.stringify(reply).slice(0, 200);
    } finally {
      await session.close();
    }
  }

  const forwardedTo = (port: number) => new RegExp(`server_request_direct_tcpip: originator 127\\.0\\.0\\.1 port \\d+, target 127\\.0\\.0\\.1 port ${port}\\b`);

  it('ProxyJump from ansible_ssh_common_args, the hop resolved in runbook_ssh_config: sshd logs the forwarded channel', async (t: TestContext) => {
    if (unavailable) return t.skip(unavailable);
    const opts = await connection(`ansible_ssh_common_args="-o ProxyJump=bastion" runbook_ssh_config=${sshConfig}`);
    assert.deepEqual(
      opts.jumps?.map((j) => [j.address, j.port, j.username]),
      [['127.0.0.1', sshd.port, sshd.user]],
    );
    await rpcThrough(opts);
    assert.match(sshd.log(), forwardedTo(lab.host('srx-behind').port));
  });

  it('two hops (-J bastion,bastion): each hop is its own SSH session with its own host-key check', async (t: TestContext) => {
    if (unavailable) return t.skip(unavailable);
    const before = (sshd.log().match(/Accepted publickey/g) ?? []).length;
    const opts = await connection(`ansible_ssh_common_args="-J bastion,bastion" runbook_ssh_config=${sshConfig}`);
    await rpcThrough(opts);
    const log = sshd.log();
    assert.equal((log.match(/Accepted publickey/g) ?? []).length - before, 2, 'two logins on the bastion');
    assert.match(log, forwardedTo(sshd.port), 'the first hop forwarded to the second');
  });

  it('refuses a bastion whose host key is wrong or unknown, before reaching the device', async (t: TestContext) => {
    if (unavailable) return t.skip(unavailable);
    const other = await sshKeygen(join(dir, 'other_host_key'), 'not-the-bastion');
    const wrong = join(dir, 'known_hosts_wrong');
    await writeFile(wrong, (await readFile(lab.knownHostsFile, 'utf8')) + `[127.0.0.1]:${sshd.port} ${other.split(' ').slice(0, 2).join(' ')}\n`);
    const unknown = join(dir, 'known_hosts_unknown');
    await writeFile(unknown, await readFile(lab.knownHostsFile, 'utf8'));
    for (const [kh, why] of [
      [wrong, /jump host .*@127\.0\.0\.1:\d+: HOST KEY MISMATCH/],
      [unknown, /jump host .*@127\.0\.0\.1:\d+: host key ssh-ed25519 SHA256:\S+ is not in/],
    ] as const) {
      const opts = await connection(`ansible_ssh_common_args="-o ProxyJump=bastion" runbook_ssh_config=${sshConfig}`, kh);
      await assert.rejects(NetconfSession.connect(opts), (err: unknown) => {
        assert.ok(err instanceof TransportError, String(err));
        assert.equal(err.phase, 'hostkey');
        assert.match(err.message, why);
        return true;
      });
    }
  });

  it('ProxyCommand (here OpenSSH ssh -W through the bastion) carries the session too', async (t: TestContext) => {
    if (unavailable) return t.skip(unavailable);
    const command = `ssh -F ${sshConfig} -o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=yes -o BatchMode=yes -W %h:%p bastion`;
    const opts = await connection(`ansible_ssh_common_args="-o ProxyCommand='${command}'"`);
    assert.equal(opts.jumps, undefined);
    await rpcThrough(opts);
  });
});
