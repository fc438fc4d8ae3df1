import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileExpression, compileTemplate, DEFAULT_BUDGET, ExpressionError, type ExpressionBudget } from '../../../src/expr/index.ts';

const at = { file: 'p.yml', line: 3, column: 10 };
/** Builds a million-item range a million times: for ever, as far as a test is concerned. */
const FOREVER = '$count([1..1000000].$count([1..1000000]))';
/** About 10^9 cheap steps. */
const MANY_STEPS = '$sum([1..1000].$sum([1..1000].$sum([1..1000].($ + 1))))';

function budget(b: Partial<ExpressionBudget>): { budget: ExpressionBudget } {
  return { budget: { ...DEFAULT_BUDGET, ...b } };
}

async function stopped(source: string, b: Partial<ExpressionBudget>, scope: Record<string, unknown> = {}): Promise<ExpressionError> {
  try {
    await compileExpression(source, at, budget(b)).evaluate(scope);
  } catch (err) {
    assert.ok(err instanceof ExpressionError, `expected an ExpressionError, got ${String(err)}`);
    return err;
  }
  assert.fail(`'${source}' was not stopped`);
}

function refused(source: string, b: Partial<ExpressionBudget> = {}): ExpressionError {
  try {
    compileExpression(source, at, budget(b));
  } catch (err) {
    assert.ok(err instanceof ExpressionError, `expected an ExpressionError, got ${String(err)}`);
    return err;
  }
  assert.fail(`'${source}' compiled`);
}

describe('expression budget: refused when compiled', () => {
  it('refuses a literal range over the budget, at the range (the issue: [1..1e7].[1..1e7])', () => {
    const err = refused('$count([1..1e7].[1..1e7])');
    assert.match(err.reason, /^the range \[1\.\.10000000\] has 10000000 items, more than an expression may build \(1000000\)/);
    assert.equal(err.column, 19);
    assert.equal(err.file, 'p.yml');
  });

  it('refuses regexes a linear-time engine cannot run (backreferences, lookaround), at the regex', () => {
    for (const [source, column] of [['$match(item, /(a)\\1/)', 23], ['$contains(item, /(?=a)b/)', 26], ["$replace(item, /(?<!x)y/, '')", 25]] as const) {
      const err = refused(source);
      assert.match(err.reason, /cannot be run by a linear-time engine .*backreferences and lookaround are not available/, source);
      assert.equal(err.column, column, source);
    }
  });
});

describe('expression budget: ends an evaluation that goes over it', () => {
  it('ends an evaluation that takes too many steps, with a located ExpressionError', async () => {
    const err = await stopped(MANY_STEPS, { maxSteps: 100_000 });
    assert.equal(err.code, 'budget');
    assert.match(err.message, /^p\.yml:3:10: expression '.*' was stopped by its budget: it took more than 100000 evaluation steps$/);
  });

  it('ends an evaluation that runs too long', async () => {
    const err = await stopped(FOREVER, { timeMs: 200 });
    assert.match(err.reason, /was stopped by its budget: it ran longer than 0\.2 s$/);
  });

  it('gives timers, sockets and signals their turn while an expression runs', async () => {
    let settled = false;
    let turnsWhilePending = 0;
    const ticker = setInterval(() => {
      if (!settled) turnsWhilePending++;
    }, 1);
    try {
      await stopped(FOREVER, { timeMs: 1000 });
    } finally {
      settled = true;
      clearInterval(ticker);
    }
    assert.ok(turnsWhilePending >= 2, `the event loop had ${turnsWhilePending} turns while the expression ran`);
  });

  it('refuses a computed range over the budget, before building it', async () => {
    const err = await stopped('$count([1..vars.n])', { maxRange: 1000 }, { vars: { n: 5000 } });
    assert.match(err.reason, /stopped by its budget: a range of 5000 items is more than 1000$/);
    assert.equal(await compileExpression('$count([1..vars.n])', at, budget({ maxRange: 1000 })).evaluate({ vars: { n: 1000 } }), 1000);
  });

  it('refuses strings over the budget: built by &, $pad, $join or $replace', async () => {
    const b = { maxStringLength: 10 };
    assert.match((await stopped('"abcdef" & "ghijkl"', b)).reason, /it built a string of 12 characters, more than 10$/);
    assert.match((await stopped('$pad("x", 400000000)', {})).reason, /\$pad would build a string of 400000000 characters, more than 10000000$/);
    assert.match((await stopped('$join(["abcdef", "ghijkl"])', b)).reason, /\$join would build a string of 12 characters/);
    assert.match((await stopped('$replace("abcdef", "c", "0123456789")', b)).reason, /\$replace would build a string of 76 characters/);
    assert.equal(await compileExpression('$replace("abcdef", "c", "X")', at, budget({ maxStringLength: 100 })).evaluate({}), 'abXdef');
  });

  it('refuses lists over the budget', async () => {
    const err = await stopped('$append([1, 2, 3], [4, 5, 6])', { maxItems: 5 });
    assert.match(err.reason, /maximum sequence length of \d+ was exceeded/);
  });

  it('stops an evaluation whose values, each within the limits, add up to too much heap', async () => {
    // Each inner range is within maxRange; together they would fill the heap (1.9 GB in 5 s, measured).
    const err = await stopped('$count([1..1000000].[1..1000000])', { timeMs: 600_000, maxHeapShare: 0, maxHeapGrowth: 64 * 1024 * 1024 });
    assert.match(err.reason, /stopped by its budget: it grew the heap by \d+ MiB, to \d+ MiB of the process's \d+ MiB$/);
  });

  it('the budget in templates too', async () => {
    const t = compileTemplate(`peers: {{ ${MANY_STEPS} }}`, at, budget({ maxSteps: 10_000 }));
    await assert.rejects(t.render({}), (err: unknown) => err instanceof ExpressionError && err.column === 20 && /took more than 10000 evaluation steps/.test(err.message));
  });
});

describe('expression budget: what still works, in linear time', () => {
  const run = (source: string, scope: Record<string, unknown> = {}) => compileExpression(source, at).evaluate(scope);

  it('runs regexes on RE2: /(a+)+$/ on 40 a and a b ends (V8 would backtrack 2^40 times)', async () => {
    const text = 'a'.repeat(40) + 'b';
    assert.equal(await run('$contains(t, /(a+)+$/)', { t: text }), false);
    assert.equal(await run('$contains(t, /^(a|aa)+b$/)', { t: text }), true);
  });

  it('keeps JSONata regex semantics: groups, flags, UTF-16 indexes, split and replace', async () => {
    assert.deepStrictEqual(await run('$match("😀ab😀b", /(b)(c)?/)'), [
      { match: 'b', index: 3, groups: ['b'] },
      { match: 'b', index: 6, groups: ['b'] },
    ]);
    assert.equal(await run('$contains("A", /a/i)'), true);
    assert.equal(await run('$contains("x\\nb", /^b/)'), false);
    assert.equal(await run('$contains("x\\nb", /^b/m)'), true);
    assert.deepStrictEqual(await run('$split("a1b22c", /[0-9]+/)'), ['a', 'b', 'c']);
    assert.equal(await run('$replace("10.0.0.1", /(\\d+)\\.(\\d+)/, "$2-$1")'), '0-10.1-0');
  });

  it('$distinct is linear and keeps deep equality (a hundred thousand distinct values)', async () => {
    assert.deepStrictEqual(await run('$distinct([1, 2, 1, "1", {"a": 1, "b": [2]}, {"b": [2], "a": 1}, {"a": 2}])'), [1, 2, '1', { a: 1, b: [2] }, { a: 2 }]);
    assert.equal(await run('$count($distinct([1..100000]))'), 100_000);
  });
});
