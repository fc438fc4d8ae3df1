import { basename } from 'node:path';
import type { RunIds } from '../contracts/run-ids.ts';

/**
 * The Junos commit comment (`<log>`, `show system commit`) of every commit runbook makes:
 * `runbook <run-id> <ticket> <playbook>`, then ` | ` and the act step's own
 * commit_comment when it has one. Fixed words first, so an auditor (or a script) reads the
 * run and ticket off the device; `-` stands for an id the run does not have. The playbook
 * is its file name, one word, where its title may have spaces.
 */
export function commitLog(ids: RunIds | undefined, playbookFile: string, comment: string): string {
  const head = `runbook ${ids?.runId ?? '-'} ${ids?.ticket ?? '-'} ${basename(playbookFile)}`;
  return comment === '' ? head : `${head} | ${comment}`;
}
