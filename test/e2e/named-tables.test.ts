import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';

/** Named tables next to the inline tables they stand for, on the built-in lab: the same records. */
const PLAYBOOK = `name: Named tables
steps:
  - name: Named IPsec SAs
    register: named
    collect: { table: ipsec-sas }
  - name: Inline IPsec SAs
    register: inline
    collect:
      rpc: get-security-associations-information
      item: ipsec-security-associations
      fields:
        gateway: { path: sa-remote-gateway, type: address, required: true }
    log:
      - "ipsec sas named {{ named.count }} inline {{ inline.count }}, peers named {{ $count($distinct(named.records.remoteGateway)) }} inline {{ $count($distinct(inline.records.gateway)) }}"
  - name: Named summary
    register: summary
    collect: { table: flow-session-summary }
  - name: Inline summary
    register: plain
    collect:
      rpc: get-flow-session-information
      args: { summary: true }
      item: flow-session-summary-information
      fields: { active: { path: active-sessions, type: integer } }
    log:
      - "sessions named {{ $sum(summary.records.active) }} inline {{ $sum(plain.records.active) }}"
`;

describe('collect: table: NAME on the lab', () => {
  it('reads what the inline table it stands for reads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'runbook-named-'));
    try {
      await writeFile(join(dir, 'named.yml'), PLAYBOOK);
      const r = await runCli(['apply', 'named.yml', '-v', '--limit', 'lab-srx-01'], { cwd: dir, timeoutMs: 120_000 });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const sas = /ipsec sas named (\d+) inline (\d+), peers named (\d+) inline (\d+)/.exec(r.stdout);
      assert.ok(sas, r.stdout);
      assert.ok(Number(sas[1]) > 0);
      assert.deepStrictEqual([sas[1], sas[3]], [sas[2], sas[4]]);
      const sessions = /sessions named (\d+) inline (\d+)/.exec(r.stdout);
      assert.ok(sessions, r.stdout);
      assert.ok(Number(sessions[1]) > 0);
      assert.equal(sessions[1], sessions[2]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
