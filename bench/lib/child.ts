import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RESULT_MARKER } from './probe.ts';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface ChildRun<T> {
  /** What the child reported on its BENCH-RESULT line; undefined when it died first. */
  readonly result: T | undefined;
  /** Spawn to exit, as seen from here: startup included. */
  readonly wallMs: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Why the child gave no result (its last stderr line: "JavaScript heap out of memory", ...). */
  readonly failure?: string;
  readonly stdout: string;
}

export interface ChildOptions {
  readonly nodeArgs?: readonly string[];
  readonly timeoutMs?: number;
  readonly env?: Readonly<Record<string, string>>;
  /** Send the child's stdout to this file instead of reading it (no BENCH-RESULT then). */
  readonly stdoutFile?: string;
}

/** Runs a TypeScript measuring script in a fresh Node process and reads its BENCH-RESULT line. */
export function runTsChild<T>(script: string, args: readonly string[], opts: ChildOptions = {}): Promise<ChildRun<T>> {
  return runNode<T>(['--import', 'tsx', ...(opts.nodeArgs ?? []), script, ...args], opts);
}

/** Runs `node ARGS...` from the repository root, keeping stdout (small) and the tail of stderr. */
export function runNode<T>(args: readonly string[], opts: ChildOptions = {}): Promise<ChildRun<T>> {
  return new Promise((resolve, reject) => {
    const outFd = opts.stdoutFile ? openSync(opts.stdoutFile, 'w') : undefined;
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, ...opts.env }, stdio: ['ignore', outFd ?? 'pipe', 'pipe'] });
    if (outFd !== undefined) closeSync(outFd);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout = keepTail(stdout + d)));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = keepTail(stderr + d)));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      const line = stdout
        .split('\n')
        .filter((l) => l.startsWith(RESULT_MARKER))
        .at(-1);
      const result = line ? (JSON.parse(line.slice(RESULT_MARKER.length)) as T) : undefined;
      const failure = result ? undefined : whyItDied(stderr, code, signal, opts.timeoutMs !== undefined && wallMs >= opts.timeoutMs);
      resolve({ result, wallMs, code, signal, stdout, ...(failure ? { failure } : {}) });
    });
  });
}

function keepTail(s: string): string {
  return s.length > 256 * 1024 ? s.slice(-128 * 1024) : s;
}

function whyItDied(stderr: string, code: number | null, signal: NodeJS.Signals | null, timedOut: boolean): string {
  if (timedOut) return 'timed out';
  if (/heap out of memory|Allocation failed/i.test(stderr)) return 'out of memory: JavaScript heap limit reached';
  const last = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /error/i.test(l) && !l.startsWith('at '))
    .at(-1);
  return last ?? (signal ? `killed by ${signal}` : `exited with code ${code}`);
}
