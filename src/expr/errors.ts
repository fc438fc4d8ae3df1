import { InputError } from '../contracts/input-error.ts';
import type { SourceSpan } from '../contracts/source-span.ts';

/**
 * An expression that cannot be compiled or failed while evaluated: where it was written,
 * its text, and a sentence for a person. An input error when the playbook is loaded, an 'expression' failure when a host run meets it.
 */
export class ExpressionError extends InputError {
  override readonly name = 'ExpressionError';
  override readonly kind = 'expression';
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
