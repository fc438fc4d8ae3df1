import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandHostKey } from '../../../src/inventory/host-range.ts';

describe('expandHostKey', () => {
  it('expands number ranges, keeping the width of a zero-padded start', () => {
    assert.deepEqual(expandHostKey('srx[01:03].example.net'), { hosts: ['srx01.example.net', 'srx02.example.net', 'srx03.example.net'] });
    assert.deepEqual(expandHostKey('srx[8:10]'), { hosts: ['srx8', 'srx9', 'srx10'] });
    assert.deepEqual(expandHostKey('srx[:2]'), { hosts: ['srx0', 'srx1', 'srx2'] });
    assert.deepEqual(expandHostKey('srx[1:9:4]'), { hosts: ['srx1', 'srx5', 'srx9'] });
  });

  it('expands letter ranges and several ranges in one name', () => {
    assert.deepEqual(expandHostKey('db-[a:c]'), { hosts: ['db-a', 'db-b', 'db-c'] });
    assert.deepEqual(expandHostKey('r[1:2]u[a:b]'), { hosts: ['r1ua', 'r1ub', 'r2ua', 'r2ub'] });
  });

  it('reads a port after the name, and IPv6 addresses with or without one', () => {
    assert.deepEqual(expandHostKey('srx1:2222'), { hosts: ['srx1'], port: 2222 });
    assert.deepEqual(expandHostKey('srx[1:2]:2222'), { hosts: ['srx1', 'srx2'], port: 2222 });
    assert.deepEqual(expandHostKey('[2001:db8::1]:830'), { hosts: ['2001:db8::1'], port: 830 });
    assert.deepEqual(expandHostKey('2001:db8::1'), { hosts: ['2001:db8::1'] });
    assert.deepEqual(expandHostKey('192.0.2.1:830'), { hosts: ['192.0.2.1'], port: 830 });
  });

  it('explains bad ranges', () => {
    assert.deepEqual(expandHostKey('srx[3:1]'), { error: "host range 'srx[3:1]': 3 is more than 1" });
    assert.deepEqual(expandHostKey('srx[c:a]'), { error: "host range 'srx[c:a]': 'c' comes after 'a'" });
    assert.deepEqual(expandHostKey('srx[1:]'), { error: "host range 'srx[1:]': a range needs an end" });
    assert.deepEqual(expandHostKey('srx[1:2:0]'), { error: "host range 'srx[1:2:0]': step '0' is not a positive whole number" });
    assert.deepEqual(expandHostKey('srx[1]'), { error: "host range 'srx[1]': a range is [begin:end] or [begin:end:step]" });
    assert.deepEqual(expandHostKey('srx[1:100000]'), { error: "host range 'srx[1:100000]': expands to more than 10000 hosts" });
  });
});
