import type { SourceSpan } from '../playbook/types.ts';

/**
 * An expression that cannot be compiled or failed while evaluated: where it was written,
 * its text, and a sentence for a person. The engine recognises it by `name`.
 */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  readonly file: string;
  readonly line: number;
  readonly column: number;

  constructor(
    readonly at: SourceSpan,
    /** The expression's text (or the template's, for template errors). */
    readonly source: string,
    /** What is wrong, without the location: "$eval is not allowed in expressions". */
    readonly reason: string,
    /** JSONata's error code (S0201, T2001...) when JSONata raised it. */
    readonly code?: string,
  ) {
    super(`${at.file}:${at.line}:${at.column}: ${reason}`);
    this.file = at.file;
    this.line = at.line;
    this.column = at.column;
  }
}
