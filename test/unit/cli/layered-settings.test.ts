import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layeredSettings } from '../../../src/cli/targets.ts';
import { DEFAULT_HOST_DEADLINE_MS } from '../../../src/engine/host-deadline.ts';
import type { InventoryHost } from '../../../src/inventory/types.ts';
import type { ConnectOptions } from '../../../src/transport/options.ts';

const host = (vars: Record<string, unknown> = {}): InventoryHost => ({ name: 'srx1', groups: ['all'], vars, varsAt: {}, at: { file: 'inv.yml', line: 1, column: 1 } });
const base = (extra: Partial<ConnectOptions> = {}): ConnectOptions => ({ name: 'srx1', address: '10.0.0.1', username: 'ops', knownHostsFile: '/k', ...extra });

describe('deadlines and limits: playbook < inventory < command line', () => {
  it('the command line wins over the inventory, which wins over the playbook', () => {
    const { options, deadlineMs } = layeredSettings(base({ rpcDeadlineMs: 60_000, maxRecords: 200 }), host({ runbook_host_deadline: 90 }), {
      playbook: { rpcDeadlineS: 10, hostDeadlineS: 20, maxRecords: 100, maxDepth: 50 },
      cli: { maxRecords: 300 },
    });
    assert.equal(options.rpcDeadlineMs, 60_000, 'inventory over playbook');
    assert.equal(options.maxRecords, 300, 'command line over inventory');
    assert.equal(options.maxDepth, 50, 'the playbook when nothing else sets it');
    assert.equal(deadlineMs, 90_000);
    assert.equal(layeredSettings(base(), host({ runbook_host_deadline: 90 }), { playbook: {}, cli: { hostDeadlineS: 5 } }).deadlineMs, 5000);
  });

  it('unset everywhere: the session defaults apply (nothing set) and the host deadline is 60 min', () => {
    const { options, deadlineMs } = layeredSettings(base(), host(), { playbook: {}, cli: {} });
    assert.equal(options.rpcDeadlineMs, undefined);
    assert.equal(options.maxReplyBytes, undefined);
    assert.equal(deadlineMs, DEFAULT_HOST_DEADLINE_MS);
  });
});
