#!/usr/bin/env node
// Entry point. Runs the JavaScript that `npm install` built into dist/ (the prepare script).
// Where dist/ is missing or older than src/ (a checkout being edited), runs the TypeScript
// through tsx instead, so nobody runs old code; on a terminal it says so in one line.
import { fileURLToPath } from 'node:url';
import { buildState } from './build-state.js';

const state = buildState(fileURLToPath(new URL('..', import.meta.url)));
if (state === 'fresh') {
  await import('../dist/cli/main.js');
} else {
  if (process.stderr.isTTY) {
    const why = state === 'missing' ? 'no build in dist/' : 'src/ changed since dist/ was built';
    process.stderr.write(`runbook: ${why}: running the TypeScript through tsx (npm run build to start faster)\n`);
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
