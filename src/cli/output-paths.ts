import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './errors.ts';

/** A place a run will write, named by the option that gave it. */
export interface OutputPath {
  readonly option: string;
  readonly path: string;
  /**
   * `file`: written whole through a rename, so its directory must exist and be writable.
   * `created`: a file or directory made with its missing parents (the audit log, the lock dir).
   */
  readonly kind: 'file' | 'created-file' | 'created-dir';
}

/**
 * Checks, before anything is contacted, that every output can be written: a run that
 * acts and then cannot write its report or audit log has lost what it did. Throws one
 * UsageError naming each option and path that cannot be written.
 */
export function checkOutputPaths(outputs: readonly OutputPath[]): void {
  const problems = outputs.map((o) => {
    const why = whyNotWritable(o);
    return why === undefined ? undefined : `${o.option} ${o.path}: ${why}`;
  });
  const found = problems.filter((p): p is string => p !== undefined);
  if (found.length > 0) throw new UsageError(`cannot write ${found.length === 1 ? 'an output' : 'outputs'}; nothing was contacted:\n  ${found.join('\n  ')}`);
}

function whyNotWritable(o: OutputPath): string | undefined {
  const path = resolve(o.path);
  const here = statOf(path);
  if (here) {
    if (o.kind === 'created-dir') {
      if (!here.isDirectory()) return 'exists and is not a directory';
      return canWrite(path, constants.W_OK | constants.X_OK) ? undefined : 'the directory is not writable';
    }
    if (here.isDirectory()) return 'is a directory';
    if (o.kind === 'created-file' && !canWrite(path, constants.W_OK)) return 'the file is not writable';
  }
  // The file is made (or replaced) in its directory; missing directories are made for `created` outputs.
  let dir = dirname(path);
  if (o.kind === 'file') {
    const d = statOf(dir);
    if (!d) return `the directory ${dir} does not exist`;
    if (!d.isDirectory()) return `${dir} is not a directory`;
    return canWrite(dir, constants.W_OK | constants.X_OK) ? undefined : `the directory ${dir} is not writable`;
  }
  for (;;) {
    const d = statOf(dir);
    if (d) {
      if (!d.isDirectory()) return `${dir} is not a directory`;
      return canWrite(dir, constants.W_OK | constants.X_OK) ? undefined : `the directory ${dir} is not writable`;
    }
    const up = dirname(dir);
    if (up === dir) return `no existing directory above it`;
    dir = up;
  }
}

function statOf(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    // ENOTDIR: a component of the path is a file; report it as the path not being creatable.
    if (code === 'ENOTDIR') return undefined;
    throw err;
  }
}

function canWrite(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}
