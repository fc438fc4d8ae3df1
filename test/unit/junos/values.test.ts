import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normaliseSpu } from '../../../src/junos/spu.ts';
import { detach, firstUint, nonEmpty, parseUint, prune } from '../../../src/junos/values.ts';

describe('value readers', () => {
  it('parseUint takes only plain decimal integers', () => {
    assert.deepStrictEqual(['\n 1788 \n', '0', 'N/A', '', '0x1f', '-1', '1.5', 'unlim', undefined].map(parseUint), [1788, 0, undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it('firstUint reads decorated numbers', () => {
    assert.deepStrictEqual(['264/', 'Expires in 3538 seconds', '24979', 'Disabled', undefined].map(firstUint), [264, 3538, 24979, undefined, undefined]);
  });

  it('nonEmpty trims and drops empty text; detach keeps the value', () => {
    assert.deepStrictEqual([' Unknown', '  ', '', undefined].map(nonEmpty), ['Unknown', undefined, undefined, undefined]);
    const long = 'default-policy-logical-system-00/2';
    assert.equal(detach(long), long);
    assert.equal(detach('short'), 'short');
  });

  it('prune drops undefined members only', () => {
    assert.deepStrictEqual(prune({ a: 1, b: undefined, c: null, d: 0, e: '' }), { a: 1, c: null, d: 0, e: '' });
  });

  it('normaliseSpu turns " on FPC0 PIC1:" into "FPC0 PIC1"', () => {
    assert.deepStrictEqual([' on FPC0 PIC1:', 'on FPC5  PIC3:', 'FPC6 PIC1', ' : ', ''].map(normaliseSpu), ['FPC0 PIC1', 'FPC5 PIC3', 'FPC6 PIC1', undefined, undefined]);
  });
});
