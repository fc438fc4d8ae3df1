#!/usr/bin/env node
/**
 * Builds the JavaScript that bin/runbook.js runs: src/**.ts compiled by tsc into dist/
 * (same tree, imports rewritten from .ts to .js), src's other files (the HTML report's
 * script and style) copied beside, the playbook schema's validator precompiled (ajv
 * standalone code), and last the build stamp, whose time bin/runbook.js
 * compares with src/'s files. Run by `npm install`/`npm ci` (the prepare script) and by
 * `npm run build`. Type errors are `npm run typecheck`'s business, not the build's.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_STAMP, buildState } from '../bin/build-state.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  // An install without dev dependencies: runbook still runs, from src/ through tsx (a dependency).
  console.error('runbook build: typescript is not installed, nothing built; bin/runbook.js will run the TypeScript through tsx');
  process.exit(0);
}

// A build that is already the build of src/ (and of this script, its configs and the locked
// dependencies) is kept: `npm exec`/`npx` in the checkout runs prepare again, and a rebuild
// starts by deleting dist/ under any runbook process that is loading it. --force rebuilds.
if (!process.argv.includes('--force') && upToDate()) {
  console.error('runbook build: dist/ is already the build of src/; nothing to do (--force rebuilds)');
  process.exit(0);
}

function upToDate() {
  if (buildState(root) !== 'fresh') return false;
  const built = statSync(join(dist, BUILD_STAMP)).mtimeMs;
  const inputs = ['scripts/build.mjs', 'bin/build-state.js', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
  return inputs.every((f) => {
    try {
      return statSync(join(root, f)).mtimeMs <= built;
    } catch {
      return true;
    }
  });
}

// Start empty: a file deleted from src/ must not live on in dist/.
rmSync(dist, { recursive: true, force: true });
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (compiled.status !== 0) {
  console.error('runbook build: tsc failed; bin/runbook.js will run the TypeScript through tsx');
  process.exit(compiled.status ?? 1);
}
for (const entry of readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
  const from = join(entry.parentPath, entry.name);
  const to = join(dist, from.slice(join(root, 'src').length));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}
// The playbook schema's validator as code: ajv's compile is half of `runbook validate`.
const schema = await import(new URL('../dist/playbook/schema.js', import.meta.url).href);
writeFileSync(join(dist, 'playbook', schema.PRECOMPILED_VALIDATOR), schema.playbookValidatorSource());
writeFileSync(join(dist, BUILD_STAMP), `${new Date().toISOString()}\n`);
