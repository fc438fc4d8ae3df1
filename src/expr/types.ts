import type { SourceSpan } from '../contracts/source-span.ts';

/** A compiled expression (JSONata), evaluated against a scope of plain data. */
export interface Expression {
  readonly source: string;
  readonly at: SourceSpan;
  /** Top-level names the expression reads (`vars`, `ah`, `item`...), for reference checks. */
  readonly names: readonly string[];
  evaluate(scope: Readonly<Record<string, unknown>>): Promise<unknown>;
}

/**
 * A string that may hold `{{ expression }}` parts. A template that is exactly one
 * `{{ ... }}` yields the expression's value with its type; otherwise the parts are
 * joined as text.
 */
export interface Template {
  readonly source: string;
  readonly at: SourceSpan;
  readonly names: readonly string[];
  render(scope: Readonly<Record<string, unknown>>): Promise<unknown>;
}
