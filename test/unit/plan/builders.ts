import type { CheckResult } from '../../../src/contracts/checks.ts';
import { createHash } from 'node:crypto';
import type { Failure, PlannedAction } from '../../../src/contracts/results.ts';
import { PLAN_FORMAT, type PlanArtifact, type PlannedHost } from '../../../src/plan/artifact.ts';
import { inventoryBinding } from '../../../src/plan/binding.ts';
import { planDigest } from '../../../src/plan/digest.ts';

/** In-memory plans for the plan module's tests: no network, no files. */

export const PLAYBOOK_TEXT = `# Clears presumably dead IPsec "protocol ah" sessions, peer by peer.
name: Clear dead IPsec AH sessions per VPN peer
hosts: all

vars:
  min_total_sessions: { type: integer, default: 10000 }
  min_peer_sessions: { type: integer, default: 1000 }
  top_peers: { type: integer, default: 3 }
  dry_run: { type: boolean, default: true }

steps:
  - name: Collect AH sessions
    register: ah
    collect:
      rpc: get-flow-session-information
      args: { protocol: ah }
      item: flow-session
      fields:
        peer: flow-information[direction='In']/source-address
  - name: Plan the clears
    plan:
      for_each: targets
      actions:
        - rpc: clear-ike-security-association
          args: { peer-address: "{{ item.peer }}" }
`;

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function ikeClear(peer: string): PlannedAction {
  return { rpc: 'clear-ike-security-association', args: { 'peer-address': peer }, cli: `clear security ike security-associations ${peer}`, changesState: true };
}

export function ipsecClear(index: number): PlannedAction {
  return { rpc: 'clear-ipsec-security-association', args: { index: String(index) }, cli: `clear security ipsec security-associations index ${index}`, changesState: true };
}

/** The ah-cleanup plan for some peers: per peer its IKE SA, then its IPsec SAs by index. */
export function clearsFor(peers: readonly { peer: string; indexes: readonly number[] }[]): PlannedAction[] {
  return peers.flatMap((p) => [ikeClear(p.peer), ...p.indexes.map(ipsecClear)]);
}

const VARS = { min_total_sessions: 10000, min_peer_sessions: 1000, top_peers: 3, dry_run: false } as const;

export function changedHost(host = 'srx-ams-01'): PlannedHost {
  const peers = [
    { peer: '4.0.0.2', count: 2412, indexes: [131073, 131074, 131075] },
    { peer: '4.0.0.7', count: 1388, indexes: [131080] },
  ];
  return {
    host,
    status: 'changed',
    vars: VARS,
    evidence: {
      'ah.count': 21167,
      'sas.count': 38,
      ah_sessions: 21167,
      unique_peers: 212,
      top_peers: peers.map(({ peer, count }) => ({ peer, count })),
      indexes: peers,
    },
    actions: clearsFor(peers),
    log: [
      'Looking for 10000+ ah sessions and 1000+ peer sessions, top 3 are cleared',
      'Number of sessions in flow table: 21167',
      'Top talkers: 4.0.0.2, 4.0.0.7',
      'Indexes for IP 4.0.0.2: 131073 131074 131075',
      'Indexes for IP 4.0.0.7: 131080',
    ],
  };
}

export function skippedHost(host = 'srx-ams-02'): PlannedHost {
  return {
    host,
    status: 'skipped',
    reason: '8271 AH sessions < min_total_sessions 10000',
    vars: VARS,
    evidence: { 'ah.count': 8271 },
    actions: [],
    log: ['Number of sessions in flow table: 8271', 'skipped: 8271 AH sessions < min_total_sessions 10000'],
  };
}

export function unreachableHost(host = 'srx-fra-01', error: Failure = { phase: 'connect', kind: 'timeout', message: 'srx-fra-01 (192.0.2.31:830): no answer within 20 s' }): PlannedHost {
  return { host, status: 'unreachable', error, vars: VARS, evidence: {}, actions: [], log: [] };
}

/**
 * A realistic three-host plan: one host to change, one below the threshold, one out of
 * reach. Its binding and digest are computed unless the overrides give them.
 */
/** A pre check as the planning run found it: passed. */
export const PRE_CHECK: CheckResult = { name: 'enough AH sessions', op: 'is-gt', table: 'ah', field: '$count', key: [], phase: 'pre', passed: true, checked: 1, failures: [], items: [{ key: {}, pre: 12 }] };

export function threeHostPlan(overrides: Partial<PlanArtifact> = {}): PlanArtifact {
  const hosts = overrides.hosts ?? [{ ...changedHost(), checks: [PRE_CHECK] }, skippedHost(), unreachableHost()];
  const targets = overrides.targets ?? hosts.map((h) => h.host);
  const content: Omit<PlanArtifact, 'digest'> = {
    format: PLAN_FORMAT,
    tool: { name: 'runbook', version: '0.1.0' },
    createdAt: '2025-01-14T09:30:00.000Z',
    runId: '20250114T092958Z-5e1f03aa',
    ticket: 'CHG0012345',
    playbook: { file: 'playbooks/ah-cleanup.yml', name: 'Clear dead IPsec AH sessions per VPN peer', sha256: sha256(PLAYBOOK_TEXT), text: PLAYBOOK_TEXT },
    extraVars: { dry_run: false },
    inventory: ['inventory/prod.yml'],
    binding: inventoryBinding(
      [...targets, 'srx-lon-01'],
      targets.map((host, i) => ({ host, address: `192.0.2.${31 + i}`, port: 830, user: 'netops' })),
    ),
    limit: 'srx-ams-*,srx-fra-01',
    targets,
    hosts,
    ...overrides,
  };
  const { format, ...rest } = content;
  return { format, digest: overrides.digest ?? planDigest(content), ...rest };
}

/** The plan with its digest computed again, after a test changed it on purpose. */
export function redigest(plan: PlanArtifact): PlanArtifact {
  return { ...plan, digest: planDigest(plan) };
}

/** A deep, writable copy for tests that break one thing. */
export function mutable(plan: PlanArtifact): Record<string, unknown> & { hosts: Record<string, unknown>[] } {
  return JSON.parse(JSON.stringify(plan)) as Record<string, unknown> & { hosts: Record<string, unknown>[] };
}
