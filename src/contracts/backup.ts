/**
 * The configuration backup port: before the first state-changing RPC on a host, the
 * running configuration is read (steps/backup.ts) and handed to this port, which keeps
 * it (report/config-backup.ts writes it to files, and commits it when they are in a git
 * repository). Injected like the audit sink, so the act step knows nothing of files.
 */

/** When and by whom the configuration was committed (the junos:commit-* attributes of `<configuration>`). */
export interface BackupCommitStamp {
  readonly seconds?: number;
  readonly localtime?: string;
  readonly user?: string;
}

/** The running configuration as read from the device. */
export interface RunningConfig {
  /** `show configuration`: as the device sent it, `## Last commit` line first. */
  readonly text: string;
  /** `show configuration | display set`. */
  readonly set: string;
  readonly commit: BackupCommitStamp;
  /** When it was read (ISO 8601). */
  readonly readAt: string;
}

/** Where a backup was kept: for the report, and for `runbook restore --from`. */
export interface BackupRef {
  /** The text form's file. */
  readonly text: string;
  /** The set form's file. */
  readonly set: string;
  /** The configuration's own commit stamp, as read. */
  readonly commit: BackupCommitStamp;
  readonly readAt: string;
  /** The git commit that holds the two files, when the folder is in a git repository. */
  readonly git?: string;
}

/**
 * Keeps one host's backups. `save` returns where the configuration was kept, or throws
 * when it could not be kept: then nothing is sent to the host.
 */
export interface ConfigBackup {
  save(config: RunningConfig): Promise<BackupRef>;
}
