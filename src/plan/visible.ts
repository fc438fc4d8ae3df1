/**
 * Text from a device or a hand-edited plan, made safe to show on one line: control
 * characters become escapes like \n and \x1b. A newline inside a statement would show
 * as two statements, and an escape sequence could repaint the reviewer's terminal.
 */
export function visible(text: string): string {
  return text.replace(CONTROL, escapeChar);
}

/** The same for multi-line text (the playbook): line breaks and tabs are kept. */
export function visibleLines(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.replace(CONTROL_BUT_TAB, escapeChar));
}

// C0 controls, DEL and the C1 controls, which terminals also act on.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const CONTROL_BUT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  return NAMED[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
}
