/**
 * Runs the runbook CLI on a real pseudo-terminal, as a person at a terminal would:
 * util-linux `script` allocates the pty and copies our pipe into its master side, so a
 * byte written with `type()` is a keystroke. `type('\x03')` is Ctrl-C: the pty's line
 * discipline turns it into SIGINT for the foreground process group (the CLI and anything
 * wrapping it, as on a real terminal); the test process sends no signal itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { RUNBOOK_BIN } from './cli.ts';

export interface PtyRun {
  readonly child: ChildProcess;
  /** Writes keystrokes to the terminal. */
  type(bytes: string): void;
  /** Everything the terminal showed so far (echoed keystrokes included). */
  output(): string;
  /** Resolves when the terminal has shown text matching `re` (after `from` characters); rejects at `timeoutMs` with the screen so far. */
  waitFor(re: RegExp, timeoutMs?: number, from?: number): Promise<void>;
  /** The command's exit code (script -e passes it on). */
  readonly exited: Promise<number | null>;
}

/** Shell-quotes one word for `script -c`. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The CLI as `node bin/runbook.js ARGS`, or any other command line, on a pty of 120x40. */
export function startInPty(args: readonly string[], opts: { cwd?: string; env?: Record<string, string>; command?: readonly string[] } = {}): PtyRun {
  const argv = opts.command ?? [process.execPath, RUNBOOK_BIN, ...args];
  const inner = `stty cols 120 rows 40 2>/dev/null; exec ${argv.map(shellWord).join(' ')}`;
  const env: Record<string, string | undefined> = { ...process.env, TERM: 'xterm-256color', ...opts.env };
  // A terminal session, not CI: the live view is used.
  delete env.CI;
  delete env.NO_COLOR;
  const child = spawn('script', ['-qfec', inner, '/dev/null'], { cwd: opts.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = once(child, 'close').then(([code]) => code as number | null);
  return {
    child,
    type: (bytes) => void child.stdin!.write(bytes),
    output: () => out,
    waitFor(re, timeoutMs = 60_000, from = 0) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!re.test(out.slice(from))) return;
          done();
          resolve();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`the terminal did not show ${re} within ${timeoutMs} ms; it showed:\n${out}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        void exited.then(() => {
          if (waiters.has(check)) {
            done();
            if (re.test(out.slice(from))) resolve();
            else reject(new Error(`the command ended before the terminal showed ${re}; it showed:\n${out}`));
          }
        });
        waiters.add(check);
        check();
      });
    },
    exited,
  };
}
