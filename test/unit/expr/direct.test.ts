import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import jsonata from 'jsonata';
import { DEFAULT_BUDGET, compileExpression } from '../../../src/expr/index.ts';
import { directReader, FALLBACK } from '../../../src/expr/direct.ts';

const at = { file: 'p.yml', line: 3, column: 9 };
// A time budget under a second leaves every expression to JSONata (compile.ts, withinBudget).
const viaJsonata = { budget: { ...DEFAULT_BUDGET, timeMs: 999 } };

const reader = (source: string) => directReader(jsonata(source).ast());

describe('directReader: which expressions are read without JSONata', () => {
  for (const source of ['index', 'item.peer', 'vars.top_peers', '`odd name`.x', 'count >= vars.min', 'a = "x"', 'n != 3', "'text'", '42', 'true', 'null', 'peer in top.peer', '$not(peer in top.peer)', '$not(a = 1)']) {
    it(`${source}: read directly`, () => assert.ok(reader(source)));
  }
  for (const source of ['top.peer[0]', 'a.b[]', '$.a', '$$.vars.x', 'a.*', 'a.b{c: d}', 'a + 1', 'a and b', '$count(a)', 'a.$string()', '-a', '[a]', 'a ? b : c', 'a in b.c[0]', 'a.%.b', '$not(a, b)', '$not()', '$exists(a)', '$not(a.b.$string())']) {
    it(`${source}: left to JSONata`, () => assert.equal(reader(source), undefined));
  }

  it('counts the nodes JSONata would visit, for the step budget', () => {
    assert.equal(reader('item.peer')?.nodes, 3);
    assert.equal(reader('count >= vars.min')?.nodes, 6);
  });

  it('answers FALLBACK where JSONata maps over a list or judges the types', () => {
    assert.equal(reader('top.peer')?.read({ top: [{ peer: 'a' }] }, DEFAULT_BUDGET), FALLBACK);
    assert.equal(reader('n >= 1')?.read({ n: '1' }, DEFAULT_BUDGET), FALLBACK);
    assert.equal(reader('n >= 1')?.read({}, DEFAULT_BUDGET), FALLBACK);
    assert.equal(reader('s')?.read({ s: 'abcdef' }, { ...DEFAULT_BUDGET, maxStringLength: 5 }), FALLBACK);
  });
});

/** Data on which JSONata's path rules differ from a plain property read. */
function scope(): Record<string, unknown> {
  const withFunctionMarker = { _jsonata_function: true, x: 1 };
  return Object.assign(Object.create(null) as Record<string, unknown>, {
    index: 7,
    zero: 0,
    empty: '',
    nothing: null,
    flag: false,
    item: { peer: '2.0.0.1', count: 12, indexes: [3, 4], one: [5], none: [], nested: { deep: { x: 'y' } }, nul: null },
    top: [{ peer: 'a', count: 2 }],
    many: [{ peer: 'a' }, { peer: 'b' }],
    records: Array.from({ length: 40 }, (_, i) => ({ index: i, gateway: `g${i % 3}` })),
    vars: { min: 10, name: 'x', big: Number.POSITIVE_INFINITY, when: new Date(0), fn: () => 1 },
    marked: withFunctionMarker,
    holder: { marked: withFunctionMarker },
    text: 'abc',
    nested: [[{ peer: 1 }], { peer: 1 }],
    mixed: [{ peer: '2.0.0.1' }, 'x', null, 3, { peer: [1, 2] }, { other: 1 }, { peer: undefined }],
    ['__proto__']: { polluted: true },
    ['odd name']: { x: 'odd' },
  });
}

describe('direct reads give what JSONata gives', () => {
  const sources = [
    'index', 'zero', 'empty', 'nothing', 'flag', 'missing', 'missing.x', 'item', 'item.peer', 'item.count', 'item.indexes', 'item.one', 'item.none',
    'item.nested.deep.x', 'item.nested.deep', 'item.nul', 'item.nul.x', 'item.peer.x', 'index.x', 'top', 'top.peer', 'many.peer', 'records',
    'vars.min', 'vars.big', 'vars.when', 'vars.fn', 'vars.fn.x', 'marked.x', 'holder.marked', 'holder.marked.x', '__proto__', '__proto__.polluted',
    'constructor', 'item.constructor', 'item.hasOwnProperty', '`odd name`.x', 'text.length',
    'item.count >= vars.min', 'item.count < vars.min', 'item.count = 12', 'item.count != 12', 'item.peer = "2.0.0.1"', 'item.peer < "3"',
    'text > "abd"', 'index <= 7', 'index > 7.5', 'item.peer = item.peer', 'flag = false', 'nothing = null',
    'item.count >= item.peer', 'missing >= 1', 'missing = 1', 'item.one >= 5', 'item.indexes = item.indexes', 'top = top',
    "'literal'", '12', 'true', 'null',
    'item.peer in many.peer', '"b" in many.peer', '"c" in many.peer', '"a" in top.peer', 'item.count in records.index', '12 in item.count', '12 in item',
    'missing in many.peer', '"a" in missing.peer', 'nothing in many.peer', 'item in many.peer', '3 in item.indexes', '3 in item.indexes.x', '5 in item.one',
    '"a" in many', '"a" in holder.marked.x', '1 in marked.x', '1 in nested.peer', '"y" in nested.deep.x', '"2.0.0.1" in mixed.peer', '1 in mixed.peer',
    '$not(item.count >= vars.min)', '$not(item.peer in many.peer)', '$not("a" in top.peer)', '$not(flag)', '$not(zero)', '$not(empty)', '$not(missing)', '$not(item)',
    '$not(many)', '$not(nothing)', '$not("a")',
  ];
  for (const source of sources) {
    it(source, async () => {
      const direct = await settle(() => compileExpression(source, at).evaluate(scope()));
      const reference = await settle(() => compileExpression(source, at, viaJsonata).evaluate(scope()));
      assert.deepStrictEqual(direct, reference);
    });
  }

  it('returns a copy: the scope cannot be changed through a result', async () => {
    const s = scope();
    const got = (await compileExpression('item', at).evaluate(s)) as { indexes: number[] };
    got.indexes.push(99);
    assert.deepStrictEqual((s.item as { indexes: number[] }).indexes, [3, 4]);
  });

  it('leaves a step budget smaller than the expression to JSONata, which stops it', async () => {
    const e = compileExpression('item.count >= vars.min', at, { budget: { ...DEFAULT_BUDGET, maxSteps: 3 } });
    await assert.rejects(() => e.evaluate(scope()), /stopped by its budget: it took more than 3 evaluation steps/);
  });
});

async function settle(run: () => Promise<unknown>): Promise<{ value: unknown } | { error: string }> {
  try {
    return { value: await run() };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
