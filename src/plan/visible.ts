/**
 * Text from a device, an inventory or a hand-edited plan, made safe to show on one line:
 * control characters become escapes like \n and \x1b, bidi controls like \u202e. A
 * newline inside a statement would show as two statements (or forge a recap line), an
 * escape sequence could repaint the reviewer's terminal, and a bidi override shows text
 * in another order than it is. Every human output uses this; JSON stays exact.
 */
export function visible(text: string): string {
  return text.replace(CONTROL, escapeChar);
}

/** The same for multi-line text (the playbook): line breaks and tabs are kept. */
export function visibleLines(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.replace(CONTROL_BUT_TAB, escapeChar));
}

// C0 controls, DEL and the C1 controls, which terminals also act on; then the bidi
// marks, embeddings, overrides and isolates (Trojan Source, CVE-2021-42574).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_BUT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`);
}
