import { createInterface } from 'node:readline/promises';
import { UsageError } from './errors.ts';

/**
 * Sending what changes a device needs an explicit yes: asked on a terminal. Off a
 * terminal nothing can ask, so it is refused with `offTerminal`, which says how to go
 * ahead (--yes); callers skip this when --yes was given. `preface` is shown before the
 * question (the reviewed plan, say).
 */
export async function confirmOnTerminal(question: string, offTerminal: string, preface?: string): Promise<void> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) throw new UsageError(offTerminal);
  if (preface !== undefined) process.stdout.write(preface);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question(`${question} Continue? [y/N] `);
  rl.close();
  if (!/^y(es)?$/i.test(answer.trim())) throw new UsageError('not confirmed: nothing was sent');
}
