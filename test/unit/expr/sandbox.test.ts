import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { compileExpression, compileTemplate, ExpressionError } from '../../../src/expr/index.ts';

const at = { file: 'p.yml', line: 3, column: 10 };

function rejected(source: string): ExpressionError {
  try {
    compileExpression(source, at);
  } catch (err) {
    assert.ok(err instanceof ExpressionError, `expected an ExpressionError, got ${String(err)}`);
    return err;
  }
  assert.fail(`'${source}' compiled`);
}

function pollution(): unknown[] {
  const probe: Record<string, unknown> = {};
  return [probe.polluted, Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), Object.prototype.hasOwnProperty.call(Array.prototype, 'polluted')];
}

describe('expression sandbox: rejected when compiled', () => {
  const forbidden: [string, RegExp, number][] = [
    ['constructor', /^'constructor' is not allowed in expressions: it names JavaScript internals/, 10],
    ['vars.constructor', /^'constructor' is not allowed/, 15],
    ['$$.constructor', /^'constructor' is not allowed/, 13],
    ['vars.__proto__.polluted', /^'__proto__' is not allowed/, 15],
    ['vars["__proto__"]', /^'__proto__' is not allowed/, 15],
    ['vars.`prototype`', /^'prototype' is not allowed/, 15],
    ['$lookup(vars, "constructor")', /^'constructor' is not allowed/, 24],
    ['{"__proto__": {"polluted": true}}', /^'__proto__' is not allowed/, 11],
    ['$eval("1 + 1")', /^\$eval is not allowed in expressions/, 10],
    ['($e := $eval; $e("1"))', /^\$eval is not allowed in expressions/, 17],
    ['function($x) { $x }', /^defining functions is not allowed in expressions/, 10],
    ['$map([1, 2], λ($v) { $v * 2 })', /^defining functions is not allowed in expressions/, 23],
    ['$substring(?, 1)', /^partial function application/, 20],
  ];
  for (const [source, reason, column] of forbidden) {
    it(source, () => {
      const err = rejected(source);
      assert.match(err.reason, reason);
      assert.equal(err.column, column);
    });
  }

  it('checks the expressions inside templates too', () => {
    assert.throws(() => compileTemplate('x {{ item.__proto__ }}', at), /p\.yml:3:20: '__proto__' is not allowed/);
    assert.throws(() => compileTemplate("{{ $eval('1') }}", at), /p\.yml:3:13: \$eval is not allowed/);
  });
});

describe('expression sandbox: what evaluation can reach', () => {
  after(() => assert.deepStrictEqual(pollution(), [undefined, false, false]));

  const scope = { vars: { a: 1 }, ah: { count: 3, records: [{ peer: 'x' }] } };
  const run = (source: string, s: Record<string, unknown> = scope) => compileExpression(source, at).evaluate(s);

  it('finds no inherited members on data: only own keys are there', async () => {
    for (const source of ['vars.toString', 'vars.hasOwnProperty', 'vars.valueOf', 'ah.records.toString', '$lookup(vars, "constr" & "uctor")', '$lookup($$, "__pro" & "to__")', '$lookup(vars, "__define" & "Getter__")']) {
      assert.equal(await run(source), undefined, source);
    }
    assert.deepStrictEqual(await run('$keys($$)'), ['vars', 'ah']);
    assert.equal(await run('$string(vars)'), '{"a":1}');
  });

  it('gives no functions back: a function is called, never a value', async () => {
    assert.match(rejected('$string').reason, /^\$string is a function: functions are called here, not passed as values/);
    assert.equal(rejected('[1, $string, 2]').column, 14);
    assert.equal(rejected('$reduce([1..10], $append)').column, 27);
    assert.equal(await run('"x" ~> $uppercase()'), 'X');
  });

  it('cannot pollute prototypes through object constructors, transforms or merges', async () => {
    assert.deepStrictEqual(await run('{"a": 1} ~> |$|{"polluted": true}|'), { a: 1, polluted: true });
    await run('$merge([{"a": 1}, {("__pro" & "to__"): {"polluted": true}}])');
    await run('{("__pro" & "to__"): {"polluted": true}}');
    await run('{("constr" & "uctor"): {("proto" & "type"): {"polluted": true}}}');
    assert.deepStrictEqual(pollution(), [undefined, false, false]);
  });

  it('sees a "__proto__" key in the data as nothing, and cannot use it', async () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>;
    const s = { data: hostile };
    assert.deepStrictEqual(await run('$keys(data)', s), 'ok');
    assert.equal(await run('data.polluted', s), undefined);
    assert.deepStrictEqual(await run('$merge([{}, data])', s), { ok: 1 });
    assert.deepStrictEqual(pollution(), [undefined, false, false]);
  });

  it('cannot change the data it was given', async () => {
    const s = { ah: { count: 3, records: [{ peer: 'x' }] } };
    assert.deepStrictEqual(await run('$ ~> |ah|{"count": 99}|', s), { ah: { count: 99, records: [{ peer: 'x' }] } });
    assert.deepStrictEqual(await run('ah.records[]', s), [{ peer: 'x' }]);
    assert.deepStrictEqual(s, { ah: { count: 3, records: [{ peer: 'x' }] } });
  });

  it('hands out copies with ordinary prototypes, which callers may change freely', async () => {
    const s = { ah: { records: [{ peer: 'x' }] } };
    const out = (await run('ah.records', s)) as Record<string, unknown>[];
    assert.equal(Object.getPrototypeOf(out), Array.prototype);
    assert.equal(Object.getPrototypeOf(out[0]), Object.prototype);
    out[0].peer = 'changed';
    assert.deepStrictEqual(await run('ah.records', s), [{ peer: 'x' }]);
    assert.deepStrictEqual(s, { ah: { records: [{ peer: 'x' }] } });
  });
});

describe('expression sandbox: big lists', () => {
  it('reads a long list inside an object (a collect\'s records) like any other, and the data stays unchanged', async () => {
    const records = Array.from({ length: 5000 }, (_, i) => ({ peer: `10.0.${i % 7}.1`, n: i }));
    const table = { count: records.length, records };
    const scope = { ah: table };
    assert.equal(await compileExpression('ah.count', at).evaluate(scope), 5000);
    assert.equal(await compileExpression('$count(ah.records)', at).evaluate(scope), 5000);
    assert.equal(await compileExpression('ah.records[4999].n', at).evaluate(scope), 4999);
    assert.deepEqual(await compileExpression('$keys(ah)', at).evaluate(scope), ['count', 'records']);
    assert.equal(await compileExpression('$count(ah.records[peer = "10.0.3.1"])', at).evaluate(scope), 714);
    assert.equal(records.length, 5000);
    assert.deepEqual(records[0], { peer: '10.0.0.1', n: 0 });
  });

  it("copies no record of a small device's table (100 sessions) when only its count is read", async () => {
    let reads = 0;
    const plain = Array.from({ length: 100 }, (_, i) => ({ peer: `10.0.${i % 7}.1`, n: i }));
    const records = new Proxy(plain, { get: (t, k, r) => (typeof k === 'string' && /^\d+$/.test(k) && reads++, Reflect.get(t, k, r)) });
    const scope = { ah: { count: 100, records } };
    assert.equal(await compileExpression('ah.count', at).evaluate(scope), 100);
    assert.equal(reads, 0);
    assert.equal(await compileExpression('$count(ah.records[peer = "10.0.3.1"])', at).evaluate(scope), 14);
    assert.ok(reads >= 100);
  });
});
