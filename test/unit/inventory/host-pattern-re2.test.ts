import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nameMatcher, parsePattern } from '../../../src/inventory/host-pattern.ts';

describe('host patterns: ~regex on RE2', () => {
  it('a pattern that would backtrack for ever on V8 ends (linear time)', () => {
    const test = nameMatcher(parsePattern('~(a+)+$'));
    assert.equal(test('a'.repeat(60) + 'b'), false);
    assert.equal(test('aaaa'), true);
  });

  it('still matches from the start only, as re.match does', () => {
    const test = nameMatcher(parsePattern('~srx-(ams|fra)-0[12]'));
    assert.equal(test('srx-ams-01'), true);
    assert.equal(test('lab-srx-ams-01'), false);
  });

  it('refuses lookaround and backreferences', () => {
    assert.throws(() => nameMatcher(parsePattern('~(?!lab)srx')));
    assert.throws(() => nameMatcher(parsePattern('~(a)\\1')));
  });
});
