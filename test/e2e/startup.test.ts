import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { BUILD_STAMP, buildState } from '../../bin/build-state.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const temp = mkdtempSync(join(tmpdir(), 'runbook-startup-'));
after(() => rmSync(temp, { recursive: true, force: true }));

// A module hook that writes the URL of every module the process loads to a file.
const hook = join(temp, 'log-loads.mjs');
writeFileSync(hook, `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) { appendFileSync(process.env.LOADS_LOG, url + '\\\\n'); return next(url, context); }
\`));
`);

function run(args: readonly string[], opts: { cwd?: string; loads?: boolean } = {}) {
  const log = join(temp, `loads-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(log, '');
  const result = spawnSync(process.execPath, opts.loads ? ['--import', pathToFileURL(hook).href, ...args] : args, {
    cwd: opts.cwd ?? repo,
    env: { ...process.env, LOADS_LOG: log, NO_COLOR: '1', CI: 'true' },
    encoding: 'utf8',
  });
  const loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((url) => url.replace(pathToFileURL(repo).href, ''));
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, loaded };
}

// What no command but the ones that use them may load: the simulator, the engine, the transport and the heavy libraries.
const HEAVY = /^src\/(lab|engine|transport|steps|report)\/|^node_modules\/(xml2js|ssh2|listr2|playwright-core|prom-client|chart\.js)\//;

describe('start-up: only what the command needs is loaded', () => {
  it('--help loads no command and nothing heavy', () => {
    const r = run(['--import', 'tsx', 'src/cli/main.ts', '--help'], { loads: true });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Commands:\n {2}apply \[options\] \[playbook\]/);
    assert.deepEqual(r.loaded.filter((u) => u.startsWith('src/cli/commands/')), []);
    assert.deepEqual(r.loaded.filter((u) => HEAVY.test(u) || u.includes('node_modules/ajv/')), []);
  });

  it('validate loads its own command only, and none of the simulator, the engine or the transport', () => {
    const r = run(['--import', 'tsx', 'src/cli/main.ts', 'validate', 'playbooks/ah-cleanup.yml'], { loads: true });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.loaded.filter((u) => u.startsWith('src/cli/commands/')), ['src/cli/commands/validate.ts']);
    assert.deepEqual(r.loaded.filter((u) => HEAVY.test(u)), []);
  });
});

describe('the built CLI (dist/, built by npm install)', { skip: buildState(repo) === 'fresh' ? false : `dist/ is ${buildState(repo)} (npm run build)` }, () => {
  const cases = [['--help'], ['validate', 'playbooks/ah-cleanup.yml'], ['validate', 'test/fixtures/playbooks/many-errors.yml'], ['apply', '--bogus']];
  it('runs from dist/ without tsx, and says what the TypeScript says', () => {
    for (const args of cases) {
      const built = run(['bin/runbook.js', ...args], { loads: true });
      const source = run(['--import', 'tsx', 'src/cli/main.ts', ...args]);
      assert.deepEqual({ code: built.code, stdout: built.stdout, stderr: built.stderr }, { code: source.code, stdout: source.stdout, stderr: source.stderr }, args.join(' '));
      assert.ok(built.loaded.includes('dist/cli/main.js'), `${args.join(' ')}: dist/cli/main.js was not loaded`);
      assert.deepEqual(built.loaded.filter((u) => u.includes('node_modules/tsx/') || u.startsWith('src/')), []);
    }
  });
});

describe('bin/runbook.js chooses dist/ only while it is the build of src/', () => {
  // A copy of bin/ over a tree whose dist/ and src/ say which ran.
  const root = join(temp, 'tree');
  mkdirSync(join(root, 'bin'), { recursive: true });
  for (const f of ['runbook.js', 'build-state.js']) copyFileSync(join(repo, 'bin', f), join(root, 'bin', f));
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  mkdirSync(join(root, 'src/cli'), { recursive: true });
  mkdirSync(join(root, 'schemas'));
  writeFileSync(join(root, 'src/cli/main.ts'), "const ran: string = 'src';\nconsole.log(ran);\n");
  writeFileSync(join(root, 'schemas/playbook.schema.json'), '{}');
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }');
  // File times from a clock of our own, ten seconds a tick: each write is later than the last, whatever the file system's resolution.
  let clock = Date.now();
  const tick = () => new Date((clock += 10_000));
  const build = () => {
    mkdirSync(join(root, 'dist/cli'), { recursive: true });
    writeFileSync(join(root, 'dist/cli/main.js'), "console.log('dist');\n");
    writeFileSync(join(root, 'dist', BUILD_STAMP), '');
    const at = tick();
    utimesSync(join(root, 'dist', BUILD_STAMP), at, at);
  };
  const ran = () => {
    const r = run([join(root, 'bin/runbook.js')], { cwd: temp });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'not a terminal: no note');
    return r.stdout.trim();
  };
  const touch = (file: string) => {
    const at = tick();
    utimesSync(join(root, file), at, at);
  };

  it('runs the TypeScript through tsx when there is no build', () => {
    assert.equal(ran(), 'src');
  });
  it('runs dist/ once built', () => {
    build();
    assert.equal(ran(), 'dist');
  });
  it('runs the TypeScript again when a source file changes after the build', () => {
    touch('src/cli/main.ts');
    assert.equal(ran(), 'src');
    build();
    touch('src/cli');
    assert.equal(ran(), 'src', 'a file added, deleted or renamed');
    build();
    touch('schemas/playbook.schema.json');
    assert.equal(ran(), 'src', 'the schema the build precompiles');
    build();
    assert.equal(ran(), 'dist');
  });
});
