import { createInterface } from 'node:readline/promises';
import { UsageError } from './errors.ts';

/**
 * Sending what changes a device needs an explicit yes: asked on a terminal. Off a
 * terminal nothing can ask, so it is refused with `offTerminal`, which says how to go
 * ahead (--yes); callers skip this when --yes was given. `preface` is shown before the
 * question (the reviewed plan, say). False when Ctrl-C was the answer: an interrupt, not a no.
 */
export async function confirmOnTerminal(question: string, offTerminal: string, preface?: string): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) throw new UsageError(offTerminal);
  if (preface !== undefined) process.stdout.write(preface);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  let answer: string;
  try {
    answer = await rl.question(`${question} Continue? [y/N] `);
  } catch (err) {
    // readline reads Ctrl-C itself at a prompt (the terminal is in raw mode): it is an interrupt, not a crash.
    if ((err as NodeJS.ErrnoException).code === 'ABORT_ERR') return false;
    throw err;
  } finally {
    rl.close();
  }
  if (!/^y(es)?$/i.test(answer.trim())) throw new UsageError('not confirmed: nothing was sent');
  return true;
}
