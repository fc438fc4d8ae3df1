import { FailureError } from '../contracts/failure.ts';
import type { FailureKind } from '../contracts/results.ts';
import { loadPlaybook, parsePlaybook } from '../playbook/load.ts';
import type { Playbook } from '../playbook/types.ts';

/**
 * The playbook a host job names: by file and sha256, with its text when the job carries
 * it (then the file is not read). The sha256 is what was validated where the job was
 * made; a runner that reads other bytes refuses to run them.
 */
export interface PlaybookRef {
  readonly file: string;
  /** sha256 of the playbook's bytes, hex (Playbook.sha256). */
  readonly sha256: string;
  readonly text?: string;
}

/** The playbook port: the normalised playbook a reference names. */
export interface PlaybookSource {
  load(ref: PlaybookRef): Promise<Playbook>;
}

/** The playbook a job names is not the one found (another sha256), or cannot be loaded. */
export class PlaybookRefError extends FailureError {
  override readonly name = 'PlaybookRefError';
  readonly kind: FailureKind = 'input';
}

/** The reference of a loaded playbook, with its text so a runner elsewhere needs no copy of the file. */
export function playbookRef(playbook: Playbook): PlaybookRef {
  return { file: playbook.file, sha256: playbook.sha256, text: playbook.text };
}

/**
 * Loads and normalises each playbook once per sha256: a worker running a thousand hosts
 * of one rollout parses its playbook once. `add` seeds it with a playbook already loaded
 * (the CLI's, validated before anything started).
 */
export class PlaybookCache implements PlaybookSource {
  private readonly bySha = new Map<string, Promise<Playbook>>();

  add(playbook: Playbook): this {
    this.bySha.set(playbook.sha256, Promise.resolve(playbook));
    return this;
  }

  load(ref: PlaybookRef): Promise<Playbook> {
    const cached = this.bySha.get(ref.sha256);
    if (cached) return cached;
    const loading = read(ref);
    this.bySha.set(ref.sha256, loading);
    // A failed load is not kept: the file may be put right before the next job.
    loading.catch(() => this.bySha.delete(ref.sha256));
    return loading;
  }
}

async function read(ref: PlaybookRef): Promise<Playbook> {
  let playbook: Playbook;
  try {
    playbook = ref.text !== undefined ? parsePlaybook(ref.text, ref.file) : await loadPlaybook(ref.file);
  } catch (err) {
    throw new PlaybookRefError(`the playbook ${ref.file} cannot be loaded: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  if (playbook.sha256 !== ref.sha256) {
    throw new PlaybookRefError(`the playbook ${ref.file} is not the one this job was made with (sha256 ${playbook.sha256.slice(0, 12)} here, ${ref.sha256.slice(0, 12)} in the job)`);
  }
  return playbook;
}
