import type { HostResult, HostStatus, RunResult } from '../../src/contracts/results.ts';
import { recapOf } from '../../src/contracts/results.ts';

/** A host result with only what a test sets; the rest empty. */
export function hostResult(host: string, status: HostStatus, more: Partial<HostResult> = {}): HostResult {
  return { host, status, vars: {}, dryRun: true, evidence: {}, plan: [], actions: [], steps: [], log: [], startedAt: '2026-01-01T00:00:00.000Z', ms: 10, ...more };
}

export function runResult(hosts: HostResult[], more: Partial<RunResult> = {}): RunResult {
  return {
    playbook: { file: 'playbooks/ah-cleanup.yml', name: 'AH cleanup', sha256: '0'.repeat(64) },
    dryRun: hosts.every((h) => h.dryRun),
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:12.500Z',
    interrupted: false,
    hosts,
    notRun: [],
    recap: recapOf(hosts),
    ...more,
  };
}

/** A clear of one peer's IKE SA, as ah-cleanup plans it. */
export const CLEAR_IKE = { rpc: 'clear-ike-security-association', args: { 'peer-address': '10.0.0.1' }, cli: 'clear security ike security-associations 10.0.0.1', changesState: true } as const;
