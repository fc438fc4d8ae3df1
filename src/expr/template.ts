import type { Template } from './types.ts';
import type { NameRead } from './ast.ts';
import { compileExpression, type CompiledExpression } from './compile.ts';
import { ExpressionError } from './errors.ts';
import { placementOf, shifted, spanAt, type CompileOptions } from './placement.ts';
import type { SourceSpan } from '../contracts/source-span.ts';

/** A compiled template, with the expressions in it for reference checks. */
export interface CompiledTemplate extends Template {
  readonly expressions: readonly CompiledExpression[];
  readonly reads: readonly NameRead[];
}

type Part = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'expr'; readonly expr: CompiledExpression };

/**
 * Compiles text with `{{ expression }}` parts. A template that is exactly one
 * `{{ expression }}` renders to the expression's value with its type; any other renders
 * to text.
 */
export function compileTemplate(source: string, at: SourceSpan, options: CompileOptions = {}): CompiledTemplate {
  const placement = placementOf(source, at, options);
  const parts: Part[] = [];
  let pos = 0;
  while (pos < source.length) {
    const open = source.indexOf('{{', pos);
    if (open < 0) {
      parts.push({ kind: 'text', text: source.slice(pos) });
      break;
    }
    if (open > pos) parts.push({ kind: 'text', text: source.slice(pos, open) });
    const close = closingBraces(source, open + 2);
    if (close < 0) throw new ExpressionError(spanAt(placement, open), source, `'{{' is not closed by '}}' in '${source}'`);
    const inner = source.slice(open + 2, close);
    const lead = inner.length - inner.trimStart().length;
    const text = inner.trim();
    if (text === '') throw new ExpressionError(spanAt(placement, open), source, `'{{ }}' holds no expression in '${source}'`);
    const part = shifted(placement, open + 2 + lead);
    parts.push({ kind: 'expr', expr: compileExpression(text, part.at, { exact: part.exact, ...(options.budget ? { budget: options.budget } : {}) }) });
    pos = close + 2;
  }

  const expressions = parts.flatMap((p) => (p.kind === 'expr' ? [p.expr] : []));
  const single = parts.length === 1 && parts[0].kind === 'expr' ? parts[0].expr : undefined;
  return {
    source,
    at,
    names: [...new Set(expressions.flatMap((e) => e.names))],
    expressions,
    reads: expressions.flatMap((e) => e.reads),
    async render(scope) {
      if (single) return single.evaluate(scope);
      let out = '';
      for (const part of parts) out += part.kind === 'text' ? part.text : stringify(await part.expr.evaluate(scope));
      return out;
    },
  };
}

/** A template for a value written as a YAML number or boolean: it renders to that value. */
export function literalTemplate(value: string | number | boolean, at: SourceSpan): CompiledTemplate {
  return { source: String(value), at, names: [], expressions: [], reads: [], render: async () => value };
}

/**
 * Where the `}}` closing an expression starts: braces and quotes inside the expression
 * (an object constructor, a string holding '}}') do not close it.
 */
function closingBraces(source: string, from: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = from; i < source.length; i++) {
    const c = source[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0 && source[i + 1] === '}') return i;
      if (depth > 0) depth--;
    }
  }
  return -1;
}

/** A value as text in a template: numbers plain, lists joined by ', ', nothing as ''. */
export function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(stringify).join(', ');
  return JSON.stringify(value);
}
