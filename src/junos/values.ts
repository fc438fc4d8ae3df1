/**
 * Reading device text into plain data outside the tables (whose fields declare their
 * types): Junos pads numbers with whitespace and writes "N/A" for none. These readers turn
 * text into numbers only when the text really is one, so a shape we did not foresee gives
 * `undefined` rather than a wrong number.
 */

/** A non-negative decimal integer, or undefined for anything else ("", "N/A", "0x1f", "unlim"). */
export function parseUint(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (!/^\d{1,15}$/.test(t)) return undefined;
  return Number(t);
}

/** Trimmed text, or undefined when there is none: Junos emits many empty elements. */
export function nonEmpty(text: string | undefined): string | undefined {
  const t = text?.trim();
  return t ? detach(t) : undefined;
}

/**
 * A copy of a string that does not pin the text it was cut from. V8 represents
 * substrings of 13+ characters as slices of their parent, so a kept record holding
 * "default-policy-logical-system-00/2" would keep the whole 64 KB reply chunk alive;
 * keeping 50,000 sessions then held the entire reply (196 MB heap for 148 MB of XML,
 * 51 MB with this copy). Concatenating first makes V8 flatten into a fresh small string.
 */
export function detach(text: string): string {
  return text.length < 13 ? text : (' ' + text).slice(1);
}
