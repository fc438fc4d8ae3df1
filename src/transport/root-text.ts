/**
 * What may stand outside the root element of a reply: an XML declaration, processing
 * instructions, comments, a doctype and space (Junos sends `<?xml ...?>` and comments
 * before its replies). Anything else is text the device sent instead of, or besides, its
 * reply; a router answering `% error: syntax error, device busy` sends only that.
 */

/**
 * The first stray text in `outside` (text seen outside the root, possibly cut short),
 * or undefined when it holds only what may stand there. Markup cut off at the end is
 * given the benefit of the doubt: the reader checks its well-formedness itself.
 */
export function outsideRoot(outside: string): string | undefined {
  let i = 0;
  for (;;) {
    while (i < outside.length && isSpace(outside.charCodeAt(i))) i++;
    if (i >= outside.length) return undefined;
    if (outside[i] !== '<') {
      const end = outside.indexOf('<', i);
      return outside.slice(i, end < 0 ? undefined : end).trim();
    }
    const close = outside.startsWith('<?', i) ? '?>' : outside.startsWith('<!--', i) ? '-->' : outside.startsWith('<!', i) ? '>' : undefined;
    // An element: the root, or a second one, which the reader reports itself.
    if (close === undefined) return undefined;
    const end = outside.indexOf(close, i + 2);
    if (end < 0) return undefined;
    i = end + close.length;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
