import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLabHosts, labFaults } from '../../../src/cli/lab-wiring.ts';
import { InventoryError } from '../../../src/inventory/errors.ts';
import type { InventoryIssue } from '../../../src/inventory/types.ts';
import { host, load, located } from '../inventory/helpers.ts';

async function labIssuesOf(name: string): Promise<InventoryIssue[]> {
  const inventory = await load(name);
  try {
    checkLabHosts(inventory);
  } catch (err) {
    assert.ok(err instanceof InventoryError, `expected an InventoryError, got ${String(err)}`);
    return [...err.issues];
  }
  assert.fail(`the lab hosts of ${name} should have been refused`);
}

describe('lab wiring: the seam between the inventory and the simulator', () => {
  it('refuses unknown scenario and fault names, and overrides the scenario cannot hold, where each was written', async () => {
    assert.deepEqual(located(await labIssuesOf('errors/lab-wiring.yml')), [
      [4, 21, "lab_scenario must be a lab scenario (one-peer, no-peer, three-peers, busy, cluster, large, full), not 'nope'"],
      [7, 18, "lab_fault must be a fault name or a list of them (refuse, wrong-host-key, reject-auth, slow, drop, rpc-error-on-clear, truncated, malformed, reject-commit), not 'explode'"],
      [11, 7, "host 'lab-z': lab_ah_sessions: scenario 'one-peer', ahSessions: 100 AH sessions do not fit 750 peers here (between 803 and 36755 do)"],
    ]);
  });

  it('refuses sizes beyond what the lab can build, quoted numbers too', async () => {
    assert.deepEqual(located(await labIssuesOf('errors/lab-sizes.yml')), [
      [5, 17, 'lab_spus must be a whole number from 1 to 64, not 65'],
      [6, 18, "lab_peers must be a whole number from 1 to 200000, not '200001'"],
    ]);
  });

  it('accepts the lab hosts of a good inventory, and combines their faults in order', async () => {
    const inventory = await load('lab-hosts.yml');
    checkLabHosts(inventory);
    assert.deepEqual(labFaults(host(inventory, 'lab-a').lab!.faults), { dropAfterBytes: 4096, rpcs: ['get-flow-session-information'] });
    assert.deepEqual(labFaults(host(inventory, 'lab-b').lab!.faults), {
      slowMs: 5000,
      rpcErrorOn: ['clear-ike-security-association', 'clear-ipsec-security-association', 'clear-flow-session'],
    });
    assert.equal(labFaults(host(inventory, 'lab-c').lab!.faults), undefined);
  });
});
