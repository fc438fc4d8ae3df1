import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a whole file so that a reader (or the next run) sees the old content or the new,
 * never a part: a temporary file in the same directory, fsync'd, then renamed over the
 * target, and the directory fsync'd so the rename itself survives a crash. A kill at any
 * moment leaves the previous file intact. Synchronous, so a run stopped at once (a second
 * Ctrl-C) can write and then exit with nothing left pending.
 */
export function writeFileAtomic(file: string, text: string, mode = 0o644): void {
  writeFileAtomicParts(file, [text], mode);
}

/** writeFileAtomic of a text made piece by piece: only one piece is in memory at a time. */
export function writeFileAtomicParts(file: string, parts: Iterable<string>, mode = 0o644): void {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    for (const part of parts) writeSync(fd, part);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkQuietly(tmp);
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, file);
  } catch (err) {
    unlinkQuietly(tmp);
    throw err;
  }
  syncDir(dir);
}

function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse to fsync a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}
