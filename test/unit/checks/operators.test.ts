import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runAllChecks, runPostChecks, runPreChecks } from '../../../src/checks/run.ts';
import type { CheckRecord, CheckResult } from '../../../src/checks/types.ts';
import { parseDeltaBound } from '../../../src/playbook/checks.ts';
import type { Check, CompareCheck, DeltaBound, SingleCheck } from '../../../src/playbook/types.ts';

const AT = { file: 'mem.yml', line: 1, column: 1 };

function compare(op: CompareCheck['op'], more: Partial<CompareCheck> & { bound?: DeltaBound } = {}): Check {
  return { name: op, at: AT, table: 't', key: ['peer'], field: 'n', allowEmpty: false, op, ...more } as Check;
}

function single(op: SingleCheck['op'], more: Record<string, unknown> = {}): Check {
  return { name: op, at: AT, table: 't', key: ['peer'], field: 'n', allowEmpty: false, on: 'post', op, ...more } as Check;
}

function bound(text: string): DeltaBound {
  const b = parseDeltaBound(text);
  assert.ok(!('error' in b), `bad bound ${text}`);
  return b;
}

/** The one result of one check over pre and post tables `t`. */
function one(check: Check, pre: CheckRecord[] | undefined, post: CheckRecord[] | undefined): CheckResult {
  const results = runAllChecks([check], pre ? { t: pre } : {}, post ? { t: post } : {});
  assert.equal(results.length, 1);
  return results[0]!;
}

const rec = (peer: string, n: number | string | null, more: Record<string, string | number | null> = {}): CheckRecord => ({ peer, n, ...more });

describe('no-diff', () => {
  it('passes when every key has the same value in both, whatever the order', () => {
    const r = one(compare('no-diff'), [rec('a', 1), rec('b', 2)], [rec('b', '2'), rec('a', 1)]);
    assert.equal(r.passed, true);
    assert.equal(r.checked, 2);
    assert.equal(r.phase, 'pre-post');
  });
  it('names the changed item with its pre and post values', () => {
    const r = one(compare('no-diff'), [rec('a', 1), rec('b', 2)], [rec('a', 1), rec('b', 3)]);
    assert.equal(r.passed, false);
    assert.deepEqual(r.failures, [{ key: { peer: 'b' }, pre: 2, post: 3, reason: 'n changed' }]);
  });
  it('fails a key present in only one snapshot, saying which', () => {
    const r = one(compare('no-diff'), [rec('a', 1), rec('gone', 5)], [rec('a', 1), rec('new', 7)]);
    assert.deepEqual(
      r.failures.map((f) => [f.key, f.reason, f.pre, f.post]),
      [
        [{ peer: 'gone' }, 'in pre, missing in post', 5, undefined],
        [{ peer: 'new' }, 'in post, missing in pre', undefined, 7],
      ],
    );
  });
  it('compares the values of records that share a key as a multiset', () => {
    assert.equal(one(compare('no-diff'), [rec('a', 1), rec('a', 2)], [rec('a', 2), rec('a', 1)]).passed, true);
    const r = one(compare('no-diff'), [rec('a', 1), rec('a', 2)], [rec('a', 1), rec('a', 1)]);
    assert.deepEqual(r.failures[0]?.pre, [1, 2]);
    assert.deepEqual(r.failures[0]?.post, [1, 1]);
  });
  it('fails two empty tables (nothing was compared) unless allow_empty', () => {
    const r = one(compare('no-diff'), [], []);
    assert.equal(r.passed, false);
    assert.match(r.reason ?? '', /no items in either snapshot/);
    assert.equal(one(compare('no-diff', { allowEmpty: true }), [], []).passed, true);
  });
  it('fails when a snapshot lacks the table', () => {
    const r = one(compare('no-diff'), [rec('a', 1)], undefined);
    assert.equal(r.passed, false);
    assert.match(r.reason ?? '', /not in the post snapshot/);
  });
});

describe('delta', () => {
  const delta = (text: string, pre: number | string | null, post: number | string | null): CheckResult => one(compare('delta', { bound: bound(text) }), [rec('a', pre)], [rec('a', post)]);

  it('"-10%": falls by at most 10% of pre, and does not rise', () => {
    assert.equal(delta('-10%', 100, 90).passed, true);
    assert.equal(delta('-10%', 100, 100).passed, true);
    const r = delta('-10%', 100, 89);
    assert.equal(r.passed, false);
    assert.deepEqual({ ...r.failures[0], reason: undefined }, { key: { peer: 'a' }, pre: 100, post: 89, delta: -11, deltaPercent: -11, bound: '-10%', allowed: { min: 90, max: 100 }, reason: undefined });
    assert.match(r.failures[0]!.reason, /n 100 → 89 \(-11\) is outside -10%: 90\.\.100/);
    assert.equal(delta('-10%', 100, 101).passed, false);
  });
  it('"+5": rises by at most 5, and does not fall', () => {
    assert.equal(delta('+5', 10, 15).passed, true);
    assert.equal(delta('+5', 10, 16).passed, false);
    assert.equal(delta('+5', 10, 9).passed, false);
  });
  it('"±20%" and "20%" and "+-20%": either way', () => {
    for (const text of ['±20%', '20%', '+-20%']) {
      assert.equal(delta(text, 50, 60).passed, true, text);
      assert.equal(delta(text, 50, 40).passed, true, text);
      assert.equal(delta(text, 50, 61).passed, false, text);
      assert.equal(delta(text, 50, 39).passed, false, text);
    }
    assert.equal(delta('3', 10, 7).passed, true);
    assert.equal(delta('3', 10, 13.5).passed, false);
  });
  it('a percentage of a zero baseline allows no change, and says so; an absolute bound still applies', () => {
    assert.equal(delta('±50%', 0, 0).passed, true);
    const r = delta('±50%', 0, 1);
    assert.equal(r.passed, false);
    assert.deepEqual(r.failures[0]?.allowed, { min: 0, max: 0 });
    assert.equal(r.failures[0]?.deltaPercent, undefined, 'no % change of a zero baseline');
    assert.match(r.failures[0]!.reason, /zero baseline allows no change/);
    assert.equal(delta('+5', 0, 5).passed, true);
  });
  it('a percentage of a negative baseline is of its size', () => {
    assert.equal(delta('±10%', -100, -110).passed, true);
    assert.equal(delta('±10%', -100, -111).passed, false);
  });
  it('reads numeric text as numbers and fails text that is not one, naming the side', () => {
    assert.equal(delta('±1', '41', ' 42 ').passed, true);
    const r = delta('±1', 'up', 3);
    assert.equal(r.passed, false);
    assert.match(r.failures[0]!.reason, /n in pre is not a number \("up"\)/);
    assert.match(delta('±1', 3, null).failures[0]!.reason, /n in post is not a number \(null\)/);
  });
  it('fails keys present in only one snapshot', () => {
    const r = one(compare('delta', { bound: bound('±10%') }), [rec('a', 1)], [rec('b', 1)]);
    assert.deepEqual(r.failures.map((f) => f.reason), ['in pre, missing in post', 'in post, missing in pre']);
  });
  it('needs one value per key: records that share a key fail, $count counts them', () => {
    const pre = [rec('a', 1), rec('a', 2), rec('b', 1)];
    const post = [rec('a', 1), rec('b', 1), rec('b', 2)];
    assert.match(one(compare('delta', { bound: bound('±10%') }), pre, post).failures[0]!.reason, /2 records in pre share this key/);
    const counted = one(compare('delta', { bound: bound('-50%'), field: '$count' }), pre, post);
    assert.equal(counted.passed, false);
    assert.deepEqual(counted.failures.map((f) => [f.key, f.pre, f.post]), [[{ peer: 'b' }, 1, 2]]);
  });
  it('$count without a key is the table size, an empty table counting 0', () => {
    const total = (pre: CheckRecord[], post: CheckRecord[], text: string) => one(compare('delta', { bound: bound(text), key: [], field: '$count' }), pre, post);
    assert.equal(total([rec('a', 1), rec('b', 1)], [rec('a', 1)], '-50%').passed, true);
    const r = total([rec('a', 1), rec('b', 1)], [], '-10%');
    assert.deepEqual([r.passed, r.failures[0]?.pre, r.failures[0]?.post], [false, 2, 0]);
    assert.equal(total([], [], '±10%').passed, true);
  });
});

describe('list-not-less and list-not-more', () => {
  it('list-not-less: every pre key is still in post; new keys are fine', () => {
    assert.equal(one(compare('list-not-less', {}), [rec('a', 1)], [rec('a', 1), rec('b', 1)]).passed, true);
    const r = one(compare('list-not-less'), [rec('a', 1), rec('b', 1)], [rec('a', 1)]);
    assert.deepEqual(r.failures.map((f) => [f.key, f.reason]), [[{ peer: 'b' }, 'in pre, missing in post']]);
  });
  it('list-not-less with a field: each pre value of the key is still in post', () => {
    const r = one(compare('list-not-less'), [rec('a', 1), rec('a', 2)], [rec('a', 2), rec('a', 3)]);
    assert.equal(r.passed, false);
    assert.match(r.failures[0]!.reason, /n 1 in pre, missing in post/);
  });
  it('list-not-less without a field checks keys only', () => {
    const check = { name: 'keys', at: AT, table: 't', key: ['peer'], allowEmpty: false, op: 'list-not-less' } as Check;
    assert.equal(one(check, [rec('a', 1)], [rec('a', 9)]).passed, true);
  });
  it('list-not-less with $count: no key lost records, and by how many', () => {
    const r = one(compare('list-not-less', { field: '$count' }), [rec('a', 1), rec('a', 1), rec('b', 1)], [rec('a', 1), rec('b', 1), rec('b', 1)]);
    assert.deepEqual(r.failures.map((f) => [f.key, f.pre, f.post, f.delta, f.reason]), [[{ peer: 'a' }, 2, 1, -1, '2 records in pre, 1 in post']]);
  });
  it('$count counts a key missing on one side as 0 records', () => {
    const r = one(compare('list-not-less', { field: '$count' }), [rec('a', 1), rec('gone', 1), rec('gone', 1)], [rec('a', 1)]);
    assert.deepEqual(r.failures.map((f) => [f.key, f.pre, f.post, f.reason]), [[{ peer: 'gone' }, 2, 0, '2 records in pre, 0 in post']]);
    assert.equal(one(compare('delta', { field: '$count', bound: bound('-100%') }), [rec('gone', 1)], [rec('a', 0)]).failures.length, 1, 'a, new in post, rose from 0');
    assert.equal(one(compare('delta', { field: '$count', bound: bound('-100%') }), [rec('gone', 1)], []).passed, true);
  });
  it('list-not-less passes an empty pre (nothing to lose) and fails an emptied post', () => {
    assert.equal(one(compare('list-not-less'), [], []).passed, true);
    assert.equal(one(compare('list-not-less'), [], [rec('a', 1)]).passed, true);
    assert.equal(one(compare('list-not-less'), [rec('a', 1)], []).passed, false);
  });
  it('list-not-more: every post key was in pre; lost keys are fine', () => {
    assert.equal(one(compare('list-not-more'), [rec('a', 1), rec('b', 1)], [rec('a', 1)]).passed, true);
    const r = one(compare('list-not-more'), [rec('a', 1)], [rec('a', 1), rec('c', 4)]);
    assert.deepEqual(r.failures.map((f) => [f.key, f.post, f.reason]), [[{ peer: 'c' }, 4, 'in post, missing in pre']]);
    assert.match(one(compare('list-not-more'), [rec('a', 1)], [rec('a', 5)]).failures[0]!.reason, /n 5 in post, missing in pre/);
    assert.equal(one(compare('list-not-more', { field: '$count' }), [rec('a', 1)], [rec('a', 1), rec('a', 1)]).passed, false);
    assert.equal(one(compare('list-not-more'), [], []).passed, true);
  });
});

describe('single-snapshot operators', () => {
  const post = (check: Check, records: CheckRecord[]): CheckResult => one(check, [], records);

  it('in-range: inclusive bounds; names items out of range, non-numeric and empty values', () => {
    const r = post(single('in-range', { min: 0, max: 10 }), [rec('a', 0), rec('b', 10), rec('c', 11), rec('d', 'x'), rec('e', null), rec('f', '5')]);
    assert.equal(r.phase, 'post');
    assert.equal(r.checked, 6);
    assert.deepEqual(
      r.failures.map((f) => [f.key, f.post, f.reason]),
      [
        [{ peer: 'c' }, 11, 'n 11 is outside 0..10'],
        [{ peer: 'd' }, 'x', 'n is not a number ("x")'],
        [{ peer: 'e' }, null, 'n has no value'],
      ],
    );
  });
  it('is-equal / not-equal: as numbers when both are, else as text', () => {
    assert.equal(post(single('is-equal', { value: 5 }), [rec('a', '5'), rec('b', 5.0)]).passed, true);
    assert.equal(post(single('is-equal', { value: 'up' }), [rec('a', 'up'), rec('b', 'down')]).failures.length, 1);
    assert.equal(post(single('not-equal', { value: 'down' }), [rec('a', 'up'), rec('b', 'down')]).failures[0]?.key.peer, 'b');
    assert.equal(post(single('not-equal', { value: 'down' }), [rec('a', null)]).failures[0]?.reason, 'n has no value');
  });
  it('is-gt / is-lt: strict, numbers only', () => {
    assert.deepEqual(post(single('is-gt', { value: 1 }), [rec('a', 2), rec('b', 1), rec('c', 'many')]).failures.map((f) => f.key.peer), ['b', 'c']);
    assert.deepEqual(post(single('is-lt', { value: 1 }), [rec('a', 0), rec('b', 1)]).failures.map((f) => f.reason), ['n 1 is not less than 1']);
  });
  it('all-same: every item has the first item\'s value', () => {
    assert.equal(post(single('all-same'), [rec('a', 1), rec('b', '1')]).passed, true);
    const r = post(single('all-same'), [rec('a', 1), rec('b', 1), rec('c', 2)]);
    assert.deepEqual(r.failures.map((f) => [f.key, f.reason]), [[{ peer: 'c' }, 'n is 2, the first item (peer=a) has 1']]);
  });
  it('exists: items, each with a value; not-exists: none has one', () => {
    assert.equal(post(single('exists'), [rec('a', 0)]).passed, true);
    assert.deepEqual(post(single('exists'), [rec('a', 1), rec('b', null)]).failures.map((f) => f.key.peer), ['b']);
    assert.equal(post(single('not-exists'), [rec('a', null)]).passed, true);
    assert.equal(post(single('not-exists'), []).passed, true);
    assert.match(post(single('not-exists'), [rec('a', 'x')]).failures[0]!.reason, /has a value \(x\)/);
  });
  it('an empty table fails every single-snapshot operator but not-exists, unless allow_empty', () => {
    for (const op of ['in-range', 'is-equal', 'not-equal', 'is-gt', 'is-lt', 'all-same', 'exists'] as const) {
      const r = post(single(op, { min: 0, max: 1, value: 1 }), []);
      assert.equal(r.passed, false, op);
      assert.match(r.reason ?? '', /no items in the post snapshot/, op);
      assert.equal(post(single(op, { min: 0, max: 1, value: 1, allowEmpty: true }), []).passed, true, op);
    }
  });
  it('without a key, items are named by their position', () => {
    const r = post(single('is-gt', { value: 0, key: [] }), [rec('a', 1), rec('b', 0)]);
    assert.deepEqual(r.failures[0]?.key, { '#': 2 });
  });
  it('$count reads the number of records per key', () => {
    const r = post(single('is-lt', { value: 2, field: '$count' }), [rec('a', 1), rec('a', 1), rec('b', 1)]);
    assert.deepEqual(r.failures.map((f) => [f.key, f.post]), [[{ peer: 'a' }, 2]]);
  });
  it('$count without a key is the table size, 0 for an empty table', () => {
    const size = (records: CheckRecord[]) => post(single('is-gt', { value: 1, field: '$count', key: [] }), records);
    assert.equal(size([rec('a', 1), rec('b', 1)]).passed, true);
    const r = size([]);
    assert.deepEqual([r.passed, r.reason, r.failures.map((f) => [f.key, f.post, f.reason])], [false, undefined, [[{}, 0, '$count 0 is not greater than 1']]]);
  });
  it('on: pre, post or both decides which snapshot is read, and when', () => {
    const checks = [single('is-gt', { value: 0, on: 'pre', name: 'pre' }), single('is-gt', { value: 0, on: 'post', name: 'post' }), single('is-gt', { value: 0, on: 'both', name: 'both' }), compare('no-diff', { name: 'cmp' })];
    const pre = { t: [rec('a', 0)] };
    const post = { t: [rec('a', 1)] };
    assert.deepEqual(runPreChecks(checks, pre).map((r) => [r.name, r.phase, r.passed]), [['pre', 'pre', false], ['both', 'pre', false]]);
    assert.deepEqual(runPostChecks(checks, pre, post).map((r) => [r.name, r.phase, r.passed]), [['post', 'post', true], ['both', 'post', true], ['cmp', 'pre-post', false]]);
  });
});

describe('parseDeltaBound', () => {
  it('reads signed and unsigned, percent and absolute bounds', () => {
    assert.deepEqual(parseDeltaBound('-10%'), { text: '-10%', direction: 'down', amount: 10, percent: true });
    assert.deepEqual(parseDeltaBound('+5'), { text: '+5', direction: 'up', amount: 5, percent: false });
    assert.deepEqual(parseDeltaBound('±2.5%'), { text: '±2.5%', direction: 'both', amount: 2.5, percent: true });
    assert.deepEqual(parseDeltaBound('7'), { text: '7', direction: 'both', amount: 7, percent: false });
  });
  it('refuses what is not a bound', () => {
    for (const text of ['', '%', '10%%', 'ten', '--5', '5-', '1e3']) assert.ok('error' in parseDeltaBound(text), text);
  });
});

describe('failedChecksSentence', () => {
  it('says each failed check, its first items with their figures, and how many more', async () => {
    const { failedChecksSentence } = await import('../../../src/checks/describe.ts');
    const pre = [rec('a', 1), rec('b', 1), rec('c', 1), rec('d', 1), rec('e', 1)];
    const results = runAllChecks([compare('no-diff', { name: 'same n' }), single('is-gt', { name: 'positive', value: 5, key: [] })], { t: pre }, { t: pre.map((r) => ({ ...r, n: 2 })) });
    assert.equal(
      failedChecksSentence(results),
      "check 'positive' (post): #1: n 2 is not greater than 5 [post 2]; #2: n 2 is not greater than 5 [post 2]; #3: n 2 is not greater than 5 [post 2]; and 2 more items; check 'same n' (pre → post): peer=a: n changed [pre 1, post 2]; peer=b: n changed [pre 1, post 2]; peer=c: n changed [pre 1, post 2]; and 2 more items",
    );
    assert.equal(failedChecksSentence(runAllChecks([compare('no-diff')], { t: pre }, { t: pre })), undefined);
    assert.equal(failedChecksSentence(runAllChecks([compare('no-diff')], { t: pre }, {})), "check 'no-diff' (pre → post): table 't' is not in the post snapshot (its collect step did not run)");
  });
});

describe('figures of every item, passed or not', () => {
  it('a passing compare keeps each item\'s pre, post and delta; a key on one side only has that side', () => {
    const r = one(compare('delta', { bound: bound('+5') }), [rec('a', 5), rec('b', 7)], [rec('a', 5), rec('b', 9)]);
    assert.equal(r.passed, true);
    assert.deepEqual(r.items, [{ key: { peer: 'a' }, pre: 5, post: 5, delta: 0 }, { key: { peer: 'b' }, pre: 7, post: 9, delta: 2 }]);
    assert.equal(r.truncated, undefined);
    const d = one(compare('no-diff'), [rec('a', 'x')], [rec('a', 'x'), rec('c', 1)]);
    assert.deepEqual(d.items, [{ key: { peer: 'a' }, pre: 'x', post: 'x' }, { key: { peer: 'c' }, post: 1 }]);
  });
  it('$count counts a missing side as 0 records, with the delta', () => {
    const r = one(compare('list-not-less', { field: '$count' }), [rec('a', 1), rec('a', 2)], [rec('a', 1), rec('a', 2), rec('a', 3)]);
    assert.deepEqual(r.items, [{ key: { peer: 'a' }, pre: 2, post: 3, delta: 1 }]);
  });
  it('a passing single-snapshot check keeps the side it read', () => {
    const r = one(single('is-gt', { value: 0 }), undefined, [rec('a', 3), rec('b', 4)]);
    assert.equal(r.passed, true);
    assert.deepEqual(r.items, [{ key: { peer: 'a' }, post: 3 }, { key: { peer: 'b' }, post: 4 }]);
    const pre = runPreChecks([single('in-range', { on: 'pre', min: 0, max: 9 })], { t: [rec('a', 3)] });
    assert.deepEqual(pre[0]!.items, [{ key: { peer: 'a' }, pre: 3 }]);
  });
  it('keeps 50 items and counts the rest', () => {
    const many = Array.from({ length: 60 }, (_, i) => rec(`p${i}`, i));
    const r = one(compare('no-diff'), many, many);
    assert.equal(r.checked, 60);
    assert.equal(r.items.length, 50);
    assert.equal(r.truncated, 10);
    assert.deepEqual(r.items[49], { key: { peer: 'p49' }, pre: 49, post: 49, delta: 0 });
  });
  it('a check that failed as a whole has no items', () => {
    assert.deepEqual(one(compare('no-diff'), undefined, [rec('a', 1)]).items, []);
  });
});
