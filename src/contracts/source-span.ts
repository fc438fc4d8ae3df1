/** Where something was written: a file and a 1-based line and column (line 0 for the whole file). */
export interface SourceSpan {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** One problem found in an input file, located where it was written. */
export interface LocatedIssue extends SourceSpan {
  /** A sentence for a person. */
  readonly message: string;
}
