import type { ConfigOutcome } from '../contracts/results.ts';

/** What a configuration change says in the host's log: the diff, then what became of it. */
export function configLines(c: ConfigOutcome, dryRun: boolean): string[] {
  if (c.result === 'unchanged') return ['configuration: no change (the statements are already in the running configuration)'];
  const lines = c.diff === '' ? [] : ['configuration diff (show | compare):', ...c.diff.split('\n').map((l) => `  ${l}`)];
  switch (c.result) {
    case 'checked':
      lines.push(dryRun ? 'configuration: commit check passed; discarded (dry run)' : 'configuration: commit check passed');
      break;
    case 'committed':
      lines.push(`configuration: committed (commit confirmed ${c.confirmMinutes ?? '?'}, verified, confirmed)`);
      break;
    default:
      lines.push(`configuration: ${c.result}${c.reason ? `: ${c.reason}` : ''}`);
  }
  for (const w of c.warnings) lines.push(`configuration warning: ${w}`);
  return lines;
}
