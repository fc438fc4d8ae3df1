/** What one parser made of a reply file. */
export interface ParseOutcome {
  /** `<flow-session>` items seen (or records kept, for runbook's path); the byte scan counts '<'. */
  readonly items: number;
  /** What `items` counts, for the table. */
  readonly unit: 'sessions' | "'<'";
}

export type FileParser = (file: string) => Promise<ParseOutcome>;

/** Every parser reads the file the same way: 64 KiB chunks, about what an SSH channel hands over. */
export const READ_CHUNK = 64 * 1024;

/** The element every foil counts: one per session. */
export const ITEM = 'flow-session';
