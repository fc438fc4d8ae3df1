import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng, deriveSeed, mix32 } from '../../../src/lab/rng.ts';

describe('Rng', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const draw = (seed: number) => Array.from({ length: 8 }, ((r) => () => r.uint32())(new Rng(seed)));
    assert.deepEqual(draw(42), draw(42));
    assert.notDeepEqual(draw(42), draw(43));
  });

  it('keeps int() within its bounds, both ends reachable', () => {
    const r = new Rng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = r.int(3, 7);
      assert.ok(v >= 3 && v <= 7);
      seen.add(v);
    }
    assert.deepEqual([...seen].sort(), [3, 4, 5, 6, 7]);
  });

  it('shuffles typed arrays in place, keeping every element', () => {
    const a = Uint32Array.from({ length: 100 }, (_, i) => i);
    new Rng(5).shuffle(a);
    assert.notDeepEqual([...a], [...Array(100).keys()]);
    assert.deepEqual([...a].sort((x, y) => x - y), [...Array(100).keys()]);
  });

  it('forks named streams that do not depend on how much the parent drew', () => {
    const a = new Rng(9);
    const b = new Rng(9);
    b.uint32();
    assert.equal(a.fork('x').uint32(), b.fork('x').uint32());
    assert.notEqual(a.fork('x').uint32(), a.fork('y').uint32());
    assert.equal(deriveSeed(9, 'x'), deriveSeed(9, 'x'));
    assert.equal(mix32(1), mix32(1));
  });
});
