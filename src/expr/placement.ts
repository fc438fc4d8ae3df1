import type { ExpressionBudget } from './budget.ts';
import type { SourceSpan } from '../contracts/source-span.ts';

/**
 * Where an expression's text starts, and whether its characters map one to one onto the
 * file's columns. They do not when the text came from a YAML scalar with escapes, or
 * one folded or spread over several lines: then everything is reported at its start.
 */
export interface Placement {
  readonly at: SourceSpan;
  readonly exact: boolean;
}

export interface CompileOptions {
  /**
   * False when the source's characters do not sit one to one on a line of the file.
   * Default: true when the source has no line break.
   */
  readonly exact?: boolean;
  /** What one evaluation may cost; default: the process's (setExpressionBudget). */
  readonly budget?: ExpressionBudget;
}

export function placementOf(source: string, at: SourceSpan, options: CompileOptions = {}): Placement {
  return { at, exact: (options.exact ?? true) && !/[\r\n]/.test(source) };
}

/** The span of the character at `offset` in the source. */
export function spanAt(placement: Placement, offset: number): SourceSpan {
  if (!placement.exact || offset <= 0) return placement.at;
  return { file: placement.at.file, line: placement.at.line, column: placement.at.column + offset };
}

/** A placement for text found `offset` characters into another placement's source. */
export function shifted(placement: Placement, offset: number): Placement {
  return { at: spanAt(placement, offset), exact: placement.exact };
}
