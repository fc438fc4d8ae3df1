import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, realpathSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { BackupRef, ConfigBackup, RunningConfig } from '../contracts/backup.ts';
import { writeFileAtomic } from './atomic-write.ts';

const run = promisify(execFile);

/** What a backup is filed under: the run and ticket go into the file names and the git commit message. */
export interface BackupFolderOptions {
  /** The folder that holds one folder per host. */
  readonly dir: string;
  readonly runId?: string;
  readonly ticket?: string;
}

/**
 * A run's configuration backups: `DIR/HOST/<read at>-<run>.conf` (text) and `.set` (set
 * commands), one pair per host per run, each written atomically. When DIR is itself the
 * top of a git repository (and the pair is not ignored there), the pair is committed,
 * alone: other staged files stay staged and out of the commit. Git runs one host at a
 * time, as it takes its index lock.
 */
export class BackupFolder {
  private readonly saved = new Map<string, Promise<BackupRef>>();
  private git: Promise<unknown> = Promise.resolve();
  /** Whether the folder is a repository's top, and the identity to commit as: the same for every host, asked once. */
  private repo?: Promise<Repo | undefined>;

  constructor(private readonly opts: BackupFolderOptions) {}

  /** The host's port: its first save keeps the configuration, later ones (a second act step) return that backup. */
  forHost(host: string): ConfigBackup {
    return {
      save: (config) => {
        let done = this.saved.get(host);
        if (!done) {
          done = this.keep(host, config);
          this.saved.set(host, done);
        }
        return done;
      },
    };
  }

  private async keep(host: string, config: RunningConfig): Promise<BackupRef> {
    const folder = join(this.opts.dir, safeName(host));
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const base = join(folder, `${config.readAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${safeName(this.opts.runId ?? randomUUID().slice(0, 8))}`);
    const ref = { text: `${base}.conf`, set: `${base}.set`, commit: config.commit, readAt: config.readAt };
    writeFileAtomic(ref.text, config.text, 0o600);
    writeFileAtomic(ref.set, config.set, 0o600);
    const message = commitMessage(host, config, this.opts);
    const turn = this.git.then(async () => {
      this.repo ??= repoAt(this.opts.dir);
      const repo = await this.repo;
      return repo ? commitIn(repo, [ref.text, ref.set], message) : undefined;
    });
    this.git = turn.catch(() => undefined);
    const sha = await turn;
    return { ...ref, ...(sha !== undefined ? { git: sha } : {}) };
  }
}

/** A host name as one path segment: nothing that climbs out of the folder or splits it. */
function safeName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return s === '' || s === '.' || s === '..' ? `_${s}` : s;
}

function commitMessage(host: string, config: RunningConfig, opts: BackupFolderOptions): string {
  const ids = [opts.runId !== undefined ? `run ${opts.runId}` : undefined, opts.ticket !== undefined ? `ticket ${opts.ticket}` : undefined].filter((x) => x !== undefined);
  const c = config.commit;
  const committed = c.localtime !== undefined ? `; last commit ${c.localtime}${c.user !== undefined ? ` by ${c.user}` : ''}${c.seconds !== undefined ? ` (${c.seconds})` : ''}` : '';
  return `runbook backup of ${host}${ids.length > 0 ? ` (${ids.join(', ')})` : ''}\n\nRunning configuration read at ${config.readAt}${committed}.\n`;
}

interface Repo {
  readonly root: string;
  /** `-c` options naming runbook when the repository has no identity configured. */
  readonly identity: readonly string[];
}

/**
 * The repository to commit backups to: `dir` itself when it is the top of a git work
 * tree, else none. A folder merely inside some repository (`.runbook/backups` in an ops
 * repo) is not one: its backups would land on whatever branch the user has checked out.
 */
async function repoAt(dir: string): Promise<Repo | undefined> {
  const top = await git(dir, ['rev-parse', '--show-toplevel']).catch(() => undefined);
  // git names the top by its real path: so must the folder (a temp dir may sit behind a symlink).
  const root = realpathSync(resolve(dir));
  if (top === undefined || top.trim() !== root) return undefined;
  // A repository with no identity configured still gets its backup, under runbook's name.
  const identity = (await git(root, ['config', 'user.email']).catch(() => '')).trim() === '' ? ['-c', 'user.name=runbook', '-c', 'user.email=runbook@localhost'] : [];
  return { root, identity };
}

/**
 * Commits exactly `files` unless the repository ignores them; the commit's id, or
 * undefined. `git commit --only -- files` leaves whatever else is staged out of the commit.
 */
async function commitIn({ root, identity }: Repo, files: readonly string[], message: string): Promise<string | undefined> {
  const paths = files.map((f) => relative(root, realpathSync(resolve(f))));
  if (await git(root, ['check-ignore', '--', ...paths]).then(() => true, () => false)) return undefined;
  await git(root, ['add', '--', ...paths]);
  await git(root, [...identity, 'commit', '--quiet', '--only', '-m', message, '--', ...paths]);
  return (await git(root, ['rev-parse', 'HEAD'])).trim();
}

async function git(cwd: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run('git', [...args], { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' }, maxBuffer: 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const sub = args.find((a) => !a.startsWith('-') && !a.includes('=')) ?? '';
    throw new Error(`git ${sub} in ${cwd}: ${(e.stderr || e.message).trim().split('\n')[0]}`);
  }
}
