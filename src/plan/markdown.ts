/**
 * Markdown escaping for text we did not write: host names, device messages, evidence.
 * GitHub- and GitLab-flavoured Markdown are the targets, as ticket systems render those.
 */

/**
 * Inline text, including table cells: `|` would end a cell, a backtick open code, `<`
 * start HTML, `*`, `~`, `[`, `]` and word-edge `_` make emphasis, strikethrough or links.
 * `_` inside a word (min_total_sessions) does nothing in GFM and stays readable as is.
 */
export function inline(text: string): string {
  return text
    .replace(/[\\`|*<>~[\]]/g, (c) => `\\${c}`)
    .replace(/_/g, (c, offset: number, whole: string) => (isWordChar(whole[offset - 1]) && isWordChar(whole[offset + 1]) ? c : `\\${c}`));
}

/**
 * A code span that holds any text: its fence is one backtick longer than the longest
 * run inside, padded when the text starts or ends with a backtick. In a table cell a
 * `|` ends the cell even inside code, so it is escaped there too (GFM removes the \).
 */
export function codeSpan(text: string, inTable = false): string {
  const fence = '`'.repeat(longestRun(text, '`') + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  const body = inTable ? text.replace(/\|/g, '\\|') : text;
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** A fenced block that no line of its content can close early. */
export function fencedBlock(lines: readonly string[], info = ''): string[] {
  const fence = '`'.repeat(Math.max(3, ...lines.map((l) => longestRun(l, '`') + 1)));
  return [`${fence}${info}`, ...lines, fence];
}

/** Text inside HTML (a <summary>), where Markdown escapes do not apply. */
export function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}\p{N}]/u.test(c);
}
