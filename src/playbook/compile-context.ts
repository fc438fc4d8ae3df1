import { compileExpression } from '../expr/compile.ts';
import { ExpressionError } from '../expr/errors.ts';
import { compileTemplate, literalTemplate } from '../expr/template.ts';
import type { Expression, Template } from '../expr/types.ts';
import type { ArgTemplates } from './types.ts';
import type { IssueSink } from './issues.ts';
import { checkReads, type NameScope } from './name-scope.ts';
import type { WrittenArgs } from './written.ts';
import type { PathSegment, YamlSource } from './yaml-source.ts';
import type { SourceSpan } from '../contracts/source-span.ts';

/**
 * Compiles the expressions and templates of a playbook where they were written, checks
 * the names they read, and records what is wrong instead of stopping at the first
 * problem. A broken expression is replaced by one that cannot run: the loader throws
 * before a playbook with problems reaches the engine.
 */
export class CompileContext {
  constructor(
    readonly source: YamlSource,
    readonly sink: IssueSink,
  ) {}

  expression(path: readonly PathSegment[], text: string, scope: NameScope): Expression {
    const { at, exact } = this.source.textPlacement(path);
    // Ansible habit: `when: "{{ x }}"`. JSONata would read an object constructor.
    if (/^\s*\{\{[\s\S]*\}\}\s*$/.test(text)) {
      return this.broken(new ExpressionError(at, text, `'${text.trim()}' is written as a template: expressions (when, from, filter, for_each, ...) are written without {{ }}`), path, text, at);
    }
    try {
      const compiled = compileExpression(text, at, { exact });
      checkReads(compiled, scope, path, this.sink);
      return compiled;
    } catch (err) {
      return this.broken(err, path, text, at);
    }
  }

  template(path: readonly PathSegment[], text: string, scope: NameScope): Template {
    const { at, exact } = this.source.textPlacement(path);
    try {
      const compiled = compileTemplate(text, at, { exact });
      for (const expr of compiled.expressions) checkReads(expr, scope, path, this.sink);
      return compiled;
    } catch (err) {
      return this.broken(err, path, text, at);
    }
  }

  /** RPC arguments: text is a template, numbers and booleans stand for themselves. */
  args(path: readonly PathSegment[], args: WrittenArgs, scope: NameScope): ArgTemplates {
    const out: Record<string, Template> = {};
    for (const [name, value] of Object.entries(args)) {
      out[name] = typeof value === 'string' ? this.template([...path, name], value, scope) : literalTemplate(value, this.source.valueSpan([...path, name]));
    }
    return out;
  }

  private broken(err: unknown, path: readonly PathSegment[], text: string, at: SourceSpan): Expression & Template {
    if (!(err instanceof ExpressionError)) throw err;
    this.sink.at(err.at, path, err.reason);
    const fail = async (): Promise<never> => {
      throw new ExpressionError(at, text, `expression '${text}' was not compiled: ${err.reason}`);
    };
    return { source: text, at, names: [], evaluate: fail, render: fail };
  }
}
