import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileExpression, ExpressionError } from '../../../src/expr/index.ts';

const at = { file: 'p.yml', line: 7, column: 12 };

function compileError(source: string, where = at): ExpressionError {
  try {
    compileExpression(source, where);
  } catch (err) {
    assert.ok(err instanceof ExpressionError, `expected an ExpressionError, got ${String(err)}`);
    return err;
  }
  assert.fail(`'${source}' compiled`);
}

describe('compileExpression: names', () => {
  const cases: [string, string[]][] = [
    ['ah.count >= vars.min_total_sessions', ['ah', 'vars']],
    // Inside a predicate names are the element's fields; $$ reads the root and counts as nothing.
    ['$count(peers[count >= $$.vars.min_peer_sessions])', ['peers']],
    ['item.indexes.$string()', ['item']],
    ['$join(targets.peer, " ")', ['targets']],
    ['vars.dry_run ? "shown" : "cleared"', ['vars']],
    // Names bound with := are not free.
    ['($x := top; $x.peer & other)', ['top', 'other']],
    ['$.a + $$.b', []],
    ['{"k": x, "l": [y, x]}', ['x', 'y']],
    ['a.b{c: d}', ['a']],
    ['a^(>n).p', ['a']],
    ['count >= vars.min_peer_sessions', ['count', 'vars']],
    ['42', []],
  ];
  for (const [source, names] of cases) {
    it(`${source} reads ${names.join(', ') || 'nothing'}`, () => {
      assert.deepStrictEqual(compileExpression(source, at).names, names);
    });
  }

  it('keeps each read with its member and offset for reference checks', () => {
    const e = compileExpression('ah.count >= vars.min_total_sessions', at);
    assert.deepStrictEqual(e.reads, [
      { name: 'ah', offset: 0, member: 'count', memberOffset: 3, viaRoot: false },
      { name: 'vars', offset: 12, member: 'min_total_sessions', memberOffset: 17, viaRoot: false },
    ]);
    assert.deepStrictEqual(e.spanAt(17), { file: 'p.yml', line: 7, column: 29 });
  });
});

describe('compileExpression: evaluation', () => {
  const scope = { vars: { min: 2, dry_run: true }, ah: { count: 3, records: [{ peer: 'a' }, { peer: 'b' }, { peer: 'a' }] } };

  it('evaluates against the scope and returns plain data', async () => {
    assert.equal(await compileExpression('ah.count >= vars.min', at).evaluate(scope), true);
    assert.deepStrictEqual(await compileExpression('ah.records.peer', at).evaluate(scope), ['a', 'b', 'a']);
    assert.deepStrictEqual(await compileExpression('ah.records[peer = "b"]', at).evaluate(scope), { peer: 'b' });
    assert.deepStrictEqual(await compileExpression('ah.records{peer: $count($)}', at).evaluate(scope), { a: 2, b: 1 });
    assert.equal(await compileExpression('nothing.here', at).evaluate(scope), undefined);
  });

  it('turns evaluation errors into ExpressionError naming the expression and where it is', async () => {
    const e = compileExpression('vars.dry_run + 1', at);
    await assert.rejects(e.evaluate(scope), (err: unknown) => {
      assert.ok(err instanceof ExpressionError);
      assert.equal(err.name, 'ExpressionError');
      assert.equal(err.code, 'T2001');
      assert.deepStrictEqual([err.file, err.line, err.column], ['p.yml', 7, 25]);
      assert.equal(err.reason, `expression 'vars.dry_run + 1' failed: the left side of the "+" operator must evaluate to a number`);
      assert.equal(err.message, `p.yml:7:25: ${err.reason}`);
      return true;
    });
  });
});

describe('compileExpression: errors', () => {
  it('locates a syntax error at its column when the source sits on one line', () => {
    const err = compileError('a + ]');
    assert.equal(err.code, 'S0211');
    assert.deepStrictEqual([err.line, err.column], [7, 16]);
    assert.equal(err.reason, `expression 'a + ]' is not a valid expression: the symbol "]" cannot be used as a unary operator`);
    assert.equal(err.message, `p.yml:7:16: ${err.reason}`);
  });

  it('points just past the end for an expression that stops early', () => {
    const err = compileError('count >= vars.x +');
    assert.equal(err.code, 'S0207');
    assert.deepStrictEqual([err.line, err.column], [7, 29]);
    assert.match(err.reason, /unexpected end of expression/);
  });

  it('reports at the start when the source spans lines or is not exact', () => {
    assert.deepStrictEqual([compileError('a +\n ]').line, compileError('a +\n ]').column], [7, 12]);
    const inexact = (() => {
      try {
        compileExpression('a + ]', at, { exact: false });
      } catch (err) {
        return err as ExpressionError;
      }
      return undefined;
    })();
    assert.equal(inexact?.column, 12);
  });

  it('rejects an empty expression and unknown functions or variables', () => {
    assert.equal(compileError('  ').reason, 'the expression is empty');
    const fn = compileError('$frobnicate(ah)');
    assert.equal(fn.reason, `unknown function $frobnicate (in '$frobnicate(ah)')`);
    assert.equal(fn.column, 12);
    const variable = compileError('$vars.x > 1');
    assert.match(variable.reason, /^unknown variable \$vars: .* \(vars\.x, not \$vars\.x\)/);
  });
});
