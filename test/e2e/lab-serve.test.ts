import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { flowSessions } from '../../src/junos/tables/flow-sessions.ts';
import { NetconfSession } from '../../src/transport/session.ts';
import { startCli } from '../helpers/cli.ts';

describe('runbook lab serve', () => {
  it('serves devices on consecutive ports, writes an inventory that works, and stops on SIGINT', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'runbook-serve-'));
    const inv = join(dir, 'lab-inventory.yml');
    // Port 0 is not allowed for consecutive ports: find a base that is likely free.
    const base = 30000 + Math.floor(Math.random() * 20000);
    const { child, output } = await startCli(
      ['lab', 'serve', '--hosts', '2', '--port', String(base), '--scenario', 'cluster', '--ah-sessions', '5000', '--peers', '30', '--dir', join(dir, 'lab'), '--inventory-out', inv],
      /Ctrl-C stops the lab/,
      { cwd: dir },
    );
    try {
      assert.match(output(), new RegExp(`ready lab-srx-01  127\\.0\\.0\\.1:${base}  scenario cluster seed 1`));
      assert.match(output(), new RegExp(`ready lab-srx-02  127\\.0\\.0\\.1:${base + 1}  scenario cluster seed 2`));
      const doc = parse(await readFile(inv, 'utf8')) as {
        all: { vars: Record<string, string>; children: { lab: { hosts: Record<string, { ansible_host: string; ansible_port: number }> } } };
      };
      const h = doc.all.children.lab.hosts['lab-srx-02'];
      assert.equal(h.ansible_port, base + 1);
      const s = await NetconfSession.connect({
        address: h.ansible_host,
        port: h.ansible_port,
        username: doc.all.vars.ansible_user,
        privateKey: await readFile(doc.all.vars.ansible_ssh_private_key_file),
        knownHostsFile: doc.all.vars.runbook_known_hosts,
      });
      const x = flowSessions();
      await s.rpc('<get-flow-session-information><protocol>ah</protocol></get-flow-session-information>', { handler: x });
      await s.close();
      assert.equal(x.result().total, 5000);
      assert.deepEqual(x.result().nodes, ['node0', 'node1']);
    } finally {
      child.kill('SIGINT');
      const [code] = (await once(child, 'close')) as [number | null];
      assert.equal(code, 0);
      assert.match(output(), /lab stopped/);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
