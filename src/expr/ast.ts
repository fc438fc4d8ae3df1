/**
 * Reads a JSONata syntax tree for two things: the names an expression reads from its
 * scope (so the loader can check them against vars, registers and loop variables), and
 * constructs runbook does not allow. The tree is JSONata's own, untyped; this module is
 * the one place that knows its shape.
 */

/** A top-level name the expression reads: `vars` in `vars.top_peers`, with its member. */
export interface NameRead {
  readonly name: string;
  /** Offset of the name in the source. */
  readonly offset: number;
  /** The name after it (`top_peers`), when the next path step is a plain name. */
  readonly member?: string;
  readonly memberOffset?: number;
  /** Read through `$$` (or a top-level `$`): not a free name, but still a read of the scope. */
  readonly viaRoot: boolean;
}

export interface AstProblem {
  readonly offset: number;
  readonly reason: string;
}

export interface AstFacts {
  readonly reads: readonly NameRead[];
  readonly problems: readonly AstProblem[];
}

/** Property names that lead to JavaScript internals rather than data. */
export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** JSONata's built-in functions, less $eval (it would compile text we never checked). */
export const BUILTIN_FUNCTIONS: ReadonlySet<string> = new Set([
  'sum', 'count', 'max', 'min', 'average', 'string', 'substring', 'substringBefore', 'substringAfter',
  'lowercase', 'uppercase', 'length', 'trim', 'pad', 'match', 'contains', 'replace', 'split', 'join',
  'formatNumber', 'formatBase', 'formatInteger', 'parseInteger', 'number', 'floor', 'ceil', 'round',
  'abs', 'sqrt', 'power', 'random', 'boolean', 'not', 'map', 'zip', 'filter', 'single', 'reduce',
  'sift', 'keys', 'lookup', 'append', 'exists', 'spread', 'merge', 'reverse', 'each', 'error',
  'assert', 'type', 'sort', 'shuffle', 'distinct', 'encodeUrlComponent', 'encodeUrl',
  'decodeUrlComponent', 'decodeUrl', 'toMillis', 'fromMillis', 'clone', 'now', 'millis',
]);

type Node = { readonly type: string } & Readonly<Record<string, unknown>>;
/** Whether names at this point are read from the scope (root) or from the current item. */
type Context = 'root' | 'relative';

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

function nodes(value: unknown): Node[] {
  return Array.isArray(value) ? value.filter(isNode) : [];
}

function str(node: Node, key: string): string | undefined {
  const v = node[key];
  return typeof v === 'string' ? v : undefined;
}

export function inspectAst(ast: unknown, source: string): AstFacts {
  const reads: NameRead[] = [];
  const problems: AstProblem[] = [];
  const bound = new Set<string>();
  const variables: { name: string; offset: number; called: boolean }[] = [];

  // JSONata records where a token ends; errors should point where it starts.
  const startOf = (node: Node): number => {
    const end = typeof node.position === 'number' ? node.position : 0;
    const value = typeof node.value === 'string' ? node.value : '';
    const last = source[end - 1];
    const quoted = last !== undefined && '`"\''.includes(last);
    switch (node.type) {
      case 'name':
        return Math.max(0, end - value.length - (quoted ? 2 : 0));
      case 'string':
        return Math.max(0, end - value.length - 2);
      case 'variable':
        return Math.max(0, end - value.length - 1);
      case 'lambda': {
        const at = Math.max(source.lastIndexOf('function', end), source.lastIndexOf('λ', end));
        return at >= 0 ? at : Math.max(0, end - 1);
      }
      default:
        return Math.max(0, end - 1);
    }
  };

  const checkName = (node: Node, name: string | undefined): void => {
    if (name !== undefined && FORBIDDEN_NAMES.has(name)) {
      problems.push({ offset: startOf(node), reason: `'${name}' is not allowed in expressions: it names JavaScript internals, not data` });
    }
  };

  const bindStep = (step: Node): void => {
    for (const key of ['focus', 'index']) {
      const name = str(step, key);
      if (name !== undefined) bound.add(name);
    }
  };

  const walkStages = (list: unknown): void => {
    for (const stage of nodes(list)) {
      if (stage.type === 'index') {
        const name = str(stage, 'value');
        if (name !== undefined) bound.add(name);
      }
      if (isNode(stage.expr)) walk(stage.expr, 'relative');
    }
  };

  const walkPairs = (pairs: unknown, ctx: Context): void => {
    if (!Array.isArray(pairs)) return;
    for (const pair of pairs) for (const part of nodes(pair)) walk(part, ctx);
  };

  const walkPath = (node: Node, ctx: Context): void => {
    const steps = nodes(node.steps);
    const [first, second, third] = steps;
    if (first) {
      const firstValue = str(first, 'value');
      if (first.type === 'name' && ctx === 'root' && firstValue !== undefined) {
        reads.push(read(firstValue, startOf(first), second, false));
      } else if (first.type === 'variable' && second?.type === 'name' && (firstValue === '$' || (firstValue === '' && ctx === 'root'))) {
        const name = str(second, 'value');
        if (name !== undefined) reads.push(read(name, startOf(second), third, true));
      }
    }
    steps.forEach((step, i) => {
      // After the first step, names are looked up in what the previous step gave.
      const stepCtx: Context = i === 0 ? ctx : 'relative';
      if (step.type === 'name') {
        checkName(step, str(step, 'value'));
        walkStages(step.stages);
      } else {
        walk(step, stepCtx);
      }
      bindStep(step);
    });
    walkStages(node.predicate);
    if (isNode(node.group)) walkPairs(node.group.lhs, 'relative');
  };

  const read = (name: string, offset: number, next: Node | undefined, viaRoot: boolean): NameRead => {
    const member = next?.type === 'name' ? str(next, 'value') : undefined;
    return member !== undefined && next ? { name, offset, member, memberOffset: startOf(next), viaRoot } : { name, offset, viaRoot };
  };

  const walk = (node: Node, ctx: Context): void => {
    switch (node.type) {
      case 'path':
        walkPath(node, ctx);
        break;
      case 'name':
        checkName(node, str(node, 'value'));
        if (ctx === 'root') reads.push({ name: str(node, 'value') ?? '', offset: startOf(node), viaRoot: false });
        break;
      case 'string':
        checkName(node, str(node, 'value'));
        break;
      case 'variable': {
        const name = str(node, 'value') ?? '';
        if (name !== '' && name !== '$') variables.push({ name, offset: startOf(node), called: false });
        break;
      }
      case 'lambda':
        problems.push({ offset: startOf(node), reason: 'defining functions is not allowed in expressions' });
        break;
      case 'partial':
        problems.push({ offset: startOf(node), reason: 'partial function application (?) is not allowed in expressions' });
        break;
      case 'function': {
        const procedure = isNode(node.procedure) ? node.procedure : undefined;
        if (procedure?.type === 'variable') {
          variables.push({ name: str(procedure, 'value') ?? '', offset: startOf(procedure), called: true });
        } else if (procedure) {
          walk(procedure, ctx);
        }
        for (const arg of nodes(node.arguments)) walk(arg, ctx);
        break;
      }
      case 'bind': {
        const target = isNode(node.lhs) ? node.lhs : undefined;
        const name = target ? str(target, 'value') : undefined;
        if (name !== undefined) bound.add(name);
        if (isNode(node.rhs)) walk(node.rhs, ctx);
        break;
      }
      case 'sort':
        if (Array.isArray(node.terms)) {
          for (const term of node.terms) {
            const expression = (term as { expression?: unknown } | null)?.expression;
            if (isNode(expression)) walk(expression, 'relative');
          }
        }
        break;
      case 'transform':
        for (const key of ['pattern', 'update', 'delete']) {
          const part = node[key];
          if (isNode(part)) walk(part, 'relative');
        }
        break;
      case 'unary':
        if (node.value === '{') walkPairs(node.lhs, ctx);
        else if (isNode(node.expression)) walk(node.expression, ctx);
        for (const e of nodes(node.expressions)) walk(e, ctx);
        break;
      case 'regex':
      case 'number':
      case 'value':
      case 'wildcard':
      case 'descendant':
      case 'parent':
        break;
      default:
        // binary, apply, condition, block and any construct added later: children read
        // in the same context as the node itself.
        for (const [key, value] of Object.entries(node)) {
          if (key === 'predicate' || key === 'group' || key === 'stages') continue;
          if (isNode(value)) walk(value, ctx);
          else for (const child of nodes(value)) walk(child, ctx);
        }
    }
    if (node.type !== 'path') {
      walkStages(node.predicate);
      walkStages(node.stages);
      if (isNode(node.group)) walkPairs(node.group.lhs, 'relative');
    }
  };

  if (isNode(ast)) walk(ast, 'root');

  for (const v of variables) {
    if (v.name === 'eval') {
      problems.push({ offset: v.offset, reason: '$eval is not allowed in expressions: it would run text that was never checked' });
    } else if (!bound.has(v.name) && BUILTIN_FUNCTIONS.has(v.name) && !v.called) {
      // $reduce(list, $append) would run a function many times in one call, out of the budget's sight.
      problems.push({ offset: v.offset, reason: `$${v.name} is a function: functions are called here, not passed as values` });
    } else if (!bound.has(v.name) && !BUILTIN_FUNCTIONS.has(v.name)) {
      problems.push({
        offset: v.offset,
        reason: v.called
          ? `unknown function $${v.name}`
          : `unknown variable $${v.name}: variables are bound with := inside the expression; vars and registers are read without $ (vars.x, not $vars.x)`,
      });
    }
  }
  problems.sort((a, b) => a.offset - b.offset);
  return { reads, problems };
}
