/**
 * Where JSON.parse stopped, as a 1-based line and column. V8 names a character offset
 * ("... in JSON at position 42"; Node 22 adds "(line 3 column 7)"), or nothing at all
 * when the text ends early, which means the end of the text.
 */
export function jsonErrorPosition(err: SyntaxError, text: string): { line: number; column: number } {
  const lc = /\(line (\d+) column (\d+)\)/.exec(err.message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const at = /at position (\d+)/.exec(err.message);
  const offset = at ? Math.min(Number(at[1]), text.length) : text.length;
  const before = text.slice(0, offset);
  const lastBreak = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - lastBreak };
}

/** V8's message without the position, which is given separately: "Expected ',' or '}' after property value". */
export function jsonErrorReason(err: SyntaxError): string {
  return err.message
    .replace(/\s*\(line \d+ column \d+\)/, '')
    .replace(/\s+in JSON at position \d+/, '')
    .replace(/, "[^]*" is not valid JSON$/, '');
}

/** JSON text parsed, or where and why it is not JSON; a leading byte-order mark (Windows editors save one) is skipped. */
export function parseJsonText(text: string): { ok: true; data: unknown } | { ok: false; line: number; column: number; reason: string } {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return { ok: true, data: JSON.parse(body) as unknown };
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    return { ok: false, ...jsonErrorPosition(err, body), reason: jsonErrorReason(err) };
  }
}
