// Is dist/ (built from src/ by scripts/build.mjs) the code in src/? Checked on every start,
// so it stays cheap: one stat per source file (about 2 ms for src/'s ~230 files).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Written last by the build: its time is when dist/ was complete. */
export const BUILD_STAMP = '.built';

/**
 * 'fresh': dist/ holds the build of src/ as it is. 'stale': a file or folder in src/ or schemas/
 * changed after the build (added, edited, deleted or renamed). 'missing': no complete build.
 * A package with no src/ (only the built code) is fresh.
 */
export function buildState(root) {
  let built;
  try {
    built = statSync(join(root, 'dist', BUILD_STAMP)).mtimeMs;
  } catch {
    return 'missing';
  }
  // schemas/: the build precompiles the playbook schema's validator.
  for (const dir of ['src', 'schemas']) if (changedSince(join(root, dir), built)) return 'stale';
  return 'fresh';
}

function changedSince(dir, time) {
  let entries;
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch {
    return false;
  }
  // Directories too: deleting or renaming a file changes its directory's time, not its own.
  if (statSync(dir).mtimeMs > time) return true;
  // parentPath is Node 20.12's name for what 20.11 calls path.
  return entries.some((entry) => statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs > time);
}
