import type { ConfigRpcError } from './errors.ts';
import { descend, editPath, findChild, type ConfigNode } from './tree.ts';

/**
 * What `commit check` finds wrong in a candidate that loaded fine: rules between
 * statements, which a single statement's range cannot express. Errors come in Junos's
 * commit shape (error-type application, error-tag invalid-value, the path and element
 * at fault, as commit-results-rpc-error-missing-mandatory.xml); the commit reply adds
 * "configuration check-out failed" after them.
 */
export function validateConfig(root: ConfigNode): ConfigRpcError[] {
  const errors: ConfigRpcError[] = [];
  const invalid = (path: string, badElement: string, message: string): ConfigRpcError => ({
    severity: 'error',
    type: 'application',
    tag: 'invalid-value',
    path,
    message,
    badElement,
  });

  const aging = descend(root, 'security', 'flow', 'aging');
  const high = aging && findChild(aging, 'high-watermark')?.value;
  const low = aging && findChild(aging, 'low-watermark')?.value;
  if (high !== undefined && low !== undefined && Number(low) >= Number(high)) {
    errors.push(invalid(editPath(['security', 'flow', 'aging']), 'low-watermark', `low-watermark (${low}) must be less than high-watermark (${high})`));
  }

  const defined = new Set((descend(root, 'applications')?.children ?? []).map((a) => a.keys?.[0] ?? ''));
  for (const zonePair of descend(root, 'security', 'policies')?.children ?? []) {
    const [from, to] = zonePair.keys ?? [];
    for (const policy of zonePair.children ?? []) {
      const where = ['security', 'policies', 'from-zone', from, 'to-zone', to, 'policy', policy.keys?.[0] ?? ''];
      const match = findChild(policy, 'match');
      const then = findChild(policy, 'then');
      if (!match) errors.push(invalid(editPath(where), 'match', "mgd: Missing mandatory statement: 'match'"));
      if (!then || (then.children ?? []).length === 0) errors.push(invalid(editPath(where), 'then', "mgd: Missing mandatory statement: 'then'"));
      for (const app of match ? (findChild(match, 'application')?.values ?? []) : []) {
        if (app === 'any' || app.startsWith('junos-') || defined.has(app)) continue;
        errors.push(invalid(editPath([...where, 'match']), 'application', `application '${app}' is not defined`));
      }
    }
  }
  return errors;
}
