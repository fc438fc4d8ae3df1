import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normaliseSpu } from '../../../src/junos/spu.ts';
import { detach, nonEmpty, parseUint } from '../../../src/junos/values.ts';

describe('value readers', () => {
  it('parseUint takes only plain decimal integers', () => {
    assert.deepStrictEqual(['\n 1788 \n', '0', 'N/A', '', '0x1f', '-1', '1.5', 'unlim', undefined].map(parseUint), [1788, 0, undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it('nonEmpty trims and drops empty text; detach keeps the value', () => {
    assert.deepStrictEqual([' Unknown', '  ', '', undefined].map(nonEmpty), ['Unknown', undefined, undefined, undefined]);
    const long = 'default-policy-logical-system-00/2';
    assert.equal(detach(long), long);
    assert.equal(detach('short'), 'short');
  });

  it('normaliseSpu turns " on FPC0 PIC1:" into "FPC0 PIC1"', () => {
    assert.deepStrictEqual([' on FPC0 PIC1:', 'on FPC5  PIC3:', 'FPC6 PIC1', ' : ', ''].map(normaliseSpu), ['FPC0 PIC1', 'FPC5 PIC3', 'FPC6 PIC1', undefined, undefined]);
  });
});
