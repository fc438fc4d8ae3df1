import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostCount, parseSerial, planBatches } from '../../../src/engine/batches.ts';
import { names } from './fakes.ts';

const sizes = (batches: readonly (readonly string[])[]) => batches.map((b) => b.length);

describe('planBatches (Ansible serial)', () => {
  it('without serial, every host is one batch; no hosts, no batches', () => {
    assert.deepEqual(planBatches(['a', 'b', 'c']), [['a', 'b', 'c']]);
    assert.deepEqual(planBatches([]), []);
    assert.deepEqual(planBatches([], 2), []);
    assert.deepEqual(planBatches(['a', 'b'], []), [['a', 'b']]);
  });

  it('a number is hosts per batch, in input order, the last batch holding the rest', () => {
    assert.deepEqual(planBatches(['a', 'b', 'c', 'd', 'e'], 2), [['a', 'b'], ['c', 'd'], ['e']]);
    assert.deepEqual(planBatches(['a', 'b'], 5), [['a', 'b']]);
    assert.deepEqual(planBatches(['a', 'b', 'c'], 1), [['a'], ['b'], ['c']]);
  });

  it('a percentage is of all hosts, rounded down but at least one host', () => {
    assert.deepEqual(sizes(planBatches(names('h', 10), '20%')), [2, 2, 2, 2, 2]);
    assert.deepEqual(sizes(planBatches(names('h', 5), '30%')), [1, 1, 1, 1, 1]); // 1.5 → 1
    assert.deepEqual(sizes(planBatches(names('h', 7), '50%')), [3, 3, 1]); // 3.5 → 3, of 7 every time, not of those left
    assert.deepEqual(sizes(planBatches(names('h', 5), '10%')), [1, 1, 1, 1, 1]); // 0.5 → 0 → 1
    assert.deepEqual(sizes(planBatches(names('h', 3), '0%')), [1, 1, 1]); // Ansible: int(0) or 1
    assert.deepEqual(sizes(planBatches(names('h', 4), '150%')), [4]);
  });

  it('a list gives successive sizes, its last repeating: a canary, then bigger batches', () => {
    assert.deepEqual(sizes(planBatches(names('h', 20), [1, 5, '20%'])), [1, 5, 4, 4, 4, 2]);
    assert.deepEqual(planBatches(['a', 'b', 'c', 'd', 'e', 'f'], [1, 2]), [['a'], ['b', 'c'], ['d', 'e'], ['f']]);
    assert.deepEqual(sizes(planBatches(names('h', 3), [1, 5, '20%'])), [1, 2]);
  });

  it('a size of 0 puts every host left in one batch, as Ansible does', () => {
    assert.deepEqual(planBatches(['a', 'b', 'c'], 0), [['a', 'b', 'c']]);
    assert.deepEqual(planBatches(['a', 'b', 'c', 'd'], [1, 0]), [['a'], ['b', 'c', 'd']]);
  });

  it('refuses negative or fractional counts and malformed percentages, even with no hosts', () => {
    assert.throws(() => planBatches(['a'], -1), RangeError);
    assert.throws(() => planBatches(['a'], 1.5), RangeError);
    assert.throws(() => planBatches(['a'], '12.5%' as `${number}%`), RangeError);
    assert.throws(() => planBatches([], [1, 'x%' as `${number}%`]), RangeError);
  });

  it('works on any item type (the executor plans over indexes)', () => {
    assert.deepEqual(planBatches([10, 11, 12], [1, 2]), [[10], [11, 12]]);
    assert.equal(hostCount('25%', 8), 2);
  });
});

describe('parseSerial (the command-line form)', () => {
  it('reads a count, a percentage or a comma-separated list', () => {
    assert.equal(parseSerial('3'), 3);
    assert.equal(parseSerial('20%'), '20%');
    assert.deepEqual(parseSerial('1, 5,20%'), [1, 5, '20%']);
  });

  it('refuses anything else', () => {
    for (const bad of ['', 'x', '-1', '1.5', '12.5%', '1,,2']) assert.throws(() => parseSerial(bad), RangeError, bad);
  });
});
