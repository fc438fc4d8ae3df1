import { dirname, join } from 'node:path';

/**
 * Where configuration backups go: --backup-dir, else `backups/` beside the audit log
 * (`.runbook/backups` by default), so a run told where to write its audit log keeps its
 * backups there too.
 */
export function backupDirOf(opts: { readonly backupDir?: string; readonly auditLog: string }): string {
  return opts.backupDir ?? join(dirname(opts.auditLog), 'backups');
}
