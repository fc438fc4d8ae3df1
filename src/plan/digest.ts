import { createHash } from 'node:crypto';
import type { PlanArtifact } from './artifact.ts';

/**
 * JSON with object keys sorted at every depth and no whitespace: the same data always
 * gives the same bytes, whatever order a writer or an editor left the keys in.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The plan's digest: sha256 over the canonical JSON of everything in it but the digest
 * itself (playbook text, vars, inventory binding, hosts, actions, diffs, evidence, time).
 * The ticket prints it and apply prints it again, so a reviewer can see that what is
 * applied is what was reviewed; apply also refuses a plan whose content no longer hashes
 * to the digest it carries (edited after it was made). Pure.
 */
export function planDigest(plan: Omit<PlanArtifact, 'digest'> | PlanArtifact): string {
  const { digest: _ignored, ...content } = plan as PlanArtifact;
  return createHash('sha256').update(canonicalJson(content), 'utf8').digest('hex');
}
