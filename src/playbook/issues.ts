import type { PlaybookIssue } from './errors.ts';
import { formatPath } from './path.ts';
import type { PathSegment, YamlSource } from './yaml-source.ts';
import type { SourceSpan } from '../contracts/source-span.ts';

/** Collects the problems the semantic checks find, each located in the YAML. */
export class IssueSink {
  readonly issues: PlaybookIssue[] = [];

  constructor(readonly source: YamlSource) {}

  /** A problem with the key at `path` (an unknown argument, a duplicate register). */
  atKey(path: readonly PathSegment[], message: string): void {
    this.at(this.source.keySpan(path), path, message);
  }

  /** A problem with the value at `path`. */
  atValue(path: readonly PathSegment[], message: string): void {
    this.at(this.source.valueSpan(path), path, message);
  }

  at(span: SourceSpan, path: readonly PathSegment[], message: string): void {
    this.issues.push({ file: span.file, line: span.line, column: span.column, path: formatPath(path), message });
  }
}
