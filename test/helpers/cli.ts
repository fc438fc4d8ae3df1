import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// What a user runs: the build in dist/ when it is the build of src/ (after npm ci, as in CI),
// else the TypeScript through tsx, so a test never runs code older than src/.
export const RUNBOOK_BIN = fileURLToPath(new URL('../../bin/runbook.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the runbook CLI as a user would, with no terminal and the given environment additions. */
export function runCli(args: readonly string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUNBOOK_BIN, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, NO_COLOR: '1', CI: 'true', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface StartedCli {
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /** Resolves once the output matches `pattern`; rejects if the CLI exits first. */
  until(pattern: RegExp): Promise<void>;
}

/** Starts the CLI and resolves once its stdout matches `ready`, leaving it running. */
export function startCli(args: readonly string[], ready: RegExp, opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<StartedCli> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUNBOOK_BIN, ...args], { cwd: opts.cwd, env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let exited = false;
    const waiters: { pattern: RegExp; resolve: () => void; reject: (err: Error) => void }[] = [];
    const settleWaiters = () => {
      for (const w of [...waiters]) {
        if (w.pattern.test(out)) w.resolve();
        else if (exited) w.reject(new Error(`CLI exited before printing ${w.pattern}; output:\n${out}`));
        else continue;
        waiters.splice(waiters.indexOf(w), 1);
      }
    };
    const until = (pattern: RegExp) =>
      new Promise<void>((res, rej) => {
        waiters.push({ pattern, resolve: res, reject: rej });
        settleWaiters();
      });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI did not print ${ready} within ${opts.timeoutMs ?? 30_000} ms; output so far:\n${out}`));
    }, opts.timeoutMs ?? 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      settleWaiters();
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve({ child, output: () => out, until });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      exited = true;
      settleWaiters();
      if (!ready.test(out)) reject(new Error(`CLI exited with ${code} before printing ${ready}; output:\n${out}`));
    });
  });
}
