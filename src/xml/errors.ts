/** A reply that is not well-formed XML, or that ended before its elements were closed. */
export class XmlParseError extends Error {
  override readonly name = 'XmlParseError';
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${message} (line ${line}, column ${column})`);
  }
}
