import { randomBytes } from 'node:crypto';

/**
 * Who changed what under which ticket: the ids every trace of a run carries (the commit
 * comment on the device, audit lines, syslog, the report, the plan, the ticket).
 */
export interface RunIds {
  /** This run's id (newRunId). */
  readonly runId: string;
  /** The change ticket the run is made under, when one was given (ticketProblem says what is allowed). */
  readonly ticket?: string;
}

/**
 * A run id that sorts by when the run started and reads as a time in `show system
 * commit` and the audit log: `20261204T220602Z-3f9a61c2` (UTC to the second, then 32
 * random bits so two runs started in one second still differ). Shorter than a UUID,
 * which matters in a one-line Junos commit comment.
 */
export function newRunId(now: Date = new Date(), random: Buffer = randomBytes(4)): string {
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  return `${stamp}-${random.toString('hex')}`;
}

/** Ticket ids as change systems write them (CHG0012345, OPS-42, INC#7): one word, no spaces or quotes. */
const TICKET = /^[A-Za-z0-9][A-Za-z0-9._:/#+@-]*$/;
export const TICKET_MAX = 64;

/**
 * Why `ticket` cannot be a ticket id, or undefined when it can. It goes into a Junos
 * commit comment, a syslog structured-data field and file names, so it is one short word
 * of printable ASCII.
 */
export function ticketProblem(ticket: string): string | undefined {
  if (ticket === '') return 'a ticket id cannot be empty';
  if (ticket.length > TICKET_MAX) return `a ticket id has at most ${TICKET_MAX} characters (this one has ${ticket.length})`;
  if (!TICKET.test(ticket)) return 'a ticket id is one word: a letter or digit, then letters, digits and . _ : / # + @ - (no spaces, quotes or control characters)';
  return undefined;
}
