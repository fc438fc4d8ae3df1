export type { Expression, Template } from './types.ts';
export { compileExpression, type CompiledExpression } from './compile.ts';
export { compileTemplate, literalTemplate, stringify, type CompiledTemplate } from './template.ts';
export { ExpressionError } from './errors.ts';
export type { CompileOptions } from './placement.ts';
export type { NameRead } from './ast.ts';
export { DEFAULT_BUDGET, expressionBudget, setExpressionBudget, type ExpressionBudget } from './budget.ts';
