import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileTemplate, ExpressionError, literalTemplate, stringify } from '../../../src/expr/index.ts';

const at = { file: 'p.yml', line: 5, column: 10 };
const scope = { vars: { top: 3, dry_run: true }, top: [{ peer: '10.0.0.1', count: 5 }, { peer: '10.0.0.2', count: 4 }], item: { indexes: [7, 9] } };

describe('compileTemplate', () => {
  it('gives the typed value of a template that is exactly one {{ expression }}', async () => {
    assert.equal(await compileTemplate('{{ vars.top }}', at).render(scope), 3);
    assert.deepStrictEqual(await compileTemplate('{{ top.peer }}', at).render(scope), ['10.0.0.1', '10.0.0.2']);
    assert.deepStrictEqual(await compileTemplate('{{ top[0] }}', at).render(scope), { peer: '10.0.0.1', count: 5 });
    assert.equal(await compileTemplate('{{ vars.dry_run }}', at).render(scope), true);
  });

  it('renders text: numbers plain, lists joined by ", ", nothing as ""', async () => {
    const t = compileTemplate("top {{ vars.top }}: {{ top.peer }} ({{ item.indexes }}) {{ nothing }}|{{ vars.dry_run ? 'shown' : 'cleared' }}", at);
    assert.equal(await t.render(scope), 'top 3: 10.0.0.1, 10.0.0.2 (7, 9) |shown');
    assert.deepStrictEqual(t.names, ['vars', 'top', 'item', 'nothing']);
  });

  it('is plain text without {{ }}', async () => {
    const t = compileTemplate('starting flow session table scan.', at);
    assert.equal(await t.render(scope), 'starting flow session table scan.');
    assert.deepStrictEqual(t.names, []);
  });

  it('does not end an expression at braces inside it', async () => {
    assert.deepStrictEqual(await compileTemplate('{{ {"a": {"b": 1}} }}', at).render(scope), { a: { b: 1 } });
    assert.equal(await compileTemplate('x {{ "}}" }} y', at).render(scope), 'x }} y');
  });

  it('locates errors in a part at that part', () => {
    assert.throws(
      () => compileTemplate('Found {{ top + }} peers', at),
      (err: unknown) => err instanceof ExpressionError && err.column === 24 && /unexpected end of expression/.test(err.reason),
    );
    assert.throws(() => compileTemplate('a {{ vars.top', at), (err: unknown) => err instanceof ExpressionError && err.column === 12 && err.reason === "'{{' is not closed by '}}' in 'a {{ vars.top'");
    assert.throws(() => compileTemplate('{{ }}', at), /p\.yml:5:10: '\{\{ \}\}' holds no expression/);
  });

  it('reports evaluation errors of a part with its own location', async () => {
    await assert.rejects(compileTemplate('n = {{ vars.dry_run + 1 }}', at).render(scope), /^ExpressionError: p\.yml:5:30: expression 'vars\.dry_run \+ 1' failed/);
  });
});

describe('literalTemplate and stringify', () => {
  it('a literal renders to its own value', async () => {
    assert.equal(await literalTemplate(true, at).render({}), true);
    assert.equal(await literalTemplate(67111733, at).render({}), 67111733);
    assert.equal(literalTemplate(5, at).source, '5');
  });

  it('stringify follows the template rules', () => {
    assert.deepStrictEqual([undefined, null, 'x', 1.5, 10000, false, [1, [2, 3]], { a: 1 }].map(stringify), ['', '', 'x', '1.5', '10000', 'false', '1, 2, 3', '{"a":1}']);
  });
});
