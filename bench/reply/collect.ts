/**
 * runbook's collect of one huge reply, as `runbook apply playbooks/ah-cleanup.yml` runs
 * it: the playbook's `ah` collect step over a NetconfSession to the served lab device,
 * records kept. The playbook is loaded before the clock starts.
 * `node --import tsx bench/reply/collect.ts INVENTORY`
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadPlaybook } from '../../src/playbook/load.ts';
import type { CollectStep } from '../../src/playbook/types.ts';
import { runCollect } from '../../src/steps/collect.ts';
import type { RpcSession, RpcOptions } from '../../src/contracts/session.ts';
import { NetconfSession } from '../../src/transport/session.ts';
import { REPO } from '../lib/child.ts';
import { reportResult } from '../lib/probe.ts';
import { readServedInventory } from '../lib/served-inventory.ts';

const inv = await readServedInventory(process.argv[2]!);
const host = inv.hosts[0]!;
const playbook = await loadPlaybook(join(REPO, 'playbooks/ah-cleanup.yml'));
const step = playbook.steps.find((s): s is CollectStep => s.kind === 'collect' && s.register === 'ah');
if (!step) throw new Error('playbooks/ah-cleanup.yml has no collect step registered as ah');
const privateKey = await readFile(inv.clientKeyFile);

const connectStarted = performance.now();
const session = await NetconfSession.connect({
  name: host.name,
  address: host.address,
  port: host.port,
  username: inv.user,
  privateKey,
  knownHostsFile: inv.knownHostsFile,
  connectTimeoutMs: 60_000,
  rpcTimeoutMs: 600_000,
});
const connectMs = performance.now() - connectStarted;
let bytes = 0;
// The step sees an RpcSession; this one also notes the reply's size.
const metered: RpcSession = {
  rpc: async (body: string, options?: RpcOptions) => {
    const reply = await session.rpc(body, options);
    bytes = reply.bytes;
    return reply;
  },
  close: () => session.close(),
};
const started = performance.now();
const table = await runCollect(step, { vars: {}, host: { name: host.name, groups: [] } }, metered, () => undefined);
const ms = performance.now() - started;
await session.close();
reportResult({ ok: true, connectMs, ms, bytes, items: table.count, kept: table.records.length });
