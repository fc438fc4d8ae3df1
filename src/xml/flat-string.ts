/**
 * A flat copy of a string. V8 keeps a substring of 13+ characters as a slice of its
 * parent, so a value cut from a 64 KB reply chunk and kept (in a record, in a name table)
 * would keep the whole chunk alive; a copy owns just its characters, and compares on
 * V8's fast path (no indirection).
 */
export function flatCopy(text: string): string {
  if (text.length < 13) return text;
  if (text.length > 4096) return Buffer.from(text, 'utf16le').toString('utf16le');
  const codes = new Array<number>(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
  return String.fromCharCode.apply(null, codes);
}
