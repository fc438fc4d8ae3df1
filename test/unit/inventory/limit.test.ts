import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { LimitError } from '../../../src/inventory/errors.ts';
import { globToRegExp, orderPatterns, parsePattern, splitPatterns } from '../../../src/inventory/host-pattern.ts';
import { resolveSelection, selectHosts } from '../../../src/inventory/limit.ts';
import type { Inventory } from '../../../src/inventory/types.ts';
import { fixture, load } from './helpers.ts';

/*
 * patterns.yml, in inventory order:
 *   lab > standalone: lab-srx-01..04; lab > cluster: lab-srx-05
 *   prod: srx-ams-01, srx-ams-02, srx-fra-01, fw.example.net
 *   ams: srx-ams-01, srx-ams-02, lab-srx-01
 */
const LAB = ['lab-srx-01', 'lab-srx-02', 'lab-srx-03', 'lab-srx-04', 'lab-srx-05'];
const PROD = ['srx-ams-01', 'srx-ams-02', 'srx-fra-01', 'fw.example.net'];

describe('host patterns: parsing', () => {
  it('splits on commas, else on colons outside brackets, and keeps an IPv6 address whole', () => {
    assert.deepEqual(splitPatterns('lab, prod ,,!x'), ['lab', 'prod', '!x']);
    assert.deepEqual(splitPatterns('lab:&ams:!lab-srx-01'), ['lab', '&ams', '!lab-srx-01']);
    assert.deepEqual(splitPatterns('web[0:2]:db'), ['web[0:2]', 'db']);
    assert.deepEqual(splitPatterns('2001:db8::1'), ['2001:db8::1']);
    assert.deepEqual(splitPatterns('2001:db8:0:0:0:0:0:1'), ['2001:db8:0:0:0:0:0:1']);
    assert.deepEqual(splitPatterns('a:b:cafe'), ['a', 'b', 'cafe']);
    assert.deepEqual(splitPatterns('a b'), ['a', 'b']);
  });

  it('reads prefixes, subscripts, regexes and globs', () => {
    assert.deepEqual(parsePattern('!lab'), { text: '!lab', op: 'exclude', expr: 'lab', kind: 'name' });
    assert.deepEqual(parsePattern('&srx-*'), { text: '&srx-*', op: 'intersect', expr: 'srx-*', kind: 'glob' });
    assert.deepEqual(parsePattern('~srx[0-9]+'), { text: '~srx[0-9]+', op: 'union', expr: 'srx[0-9]+', kind: 'regex' });
    assert.deepEqual(parsePattern('web[1:3]'), { text: 'web[1:3]', op: 'union', expr: 'web', kind: 'name', subscript: { start: 1, end: 3 } });
    assert.deepEqual(parsePattern('web[-1]').subscript, { start: -1 });
    assert.deepEqual(parsePattern('web[2:]').subscript, { start: 2, end: -1 });
  });

  it('puts unions first, then intersections, then exclusions; all when there is no union', () => {
    assert.deepEqual(
      orderPatterns(['!a', '&b', 'c', 'd'].map(parsePattern)).map((p) => p.text),
      ['c', 'd', '&b', '!a'],
    );
    assert.deepEqual(
      orderPatterns(['!a'].map(parsePattern)).map((p) => p.text),
      ['all', '!a'],
    );
  });

  it('translates globs as Python fnmatch does', () => {
    const full = (g: string, s: string) => new RegExp(`^(?:${globToRegExp(g)})$`, 's').test(s);
    assert.equal(full('srx-*', 'srx-ams-01'), true);
    assert.equal(full('srx-*', 'xsrx-1'), false);
    assert.equal(full('lab-srx-0?', 'lab-srx-05'), true);
    assert.equal(full('lab-srx-0?', 'lab-srx-010'), false);
    assert.equal(full('srx[!a]*', 'srxb'), true);
    assert.equal(full('srx[!a]*', 'srxa'), false);
    assert.equal(full('a.b', 'axb'), false, 'dots are literal');
    assert.equal(full('srx[', 'srx['), true, 'a lone [ is literal');
  });
});

describe('selectHosts', () => {
  let inv: Inventory;
  before(async () => {
    inv = await load('patterns.yml');
  });
  const names = (pattern: string, limit?: string) => selectHosts(inv, pattern, limit).map((h) => h.name);

  it('all and * select every host, in inventory order', () => {
    assert.deepEqual(names('all'), [...LAB, ...PROD]);
    assert.deepEqual(names('*'), [...LAB, ...PROD]);
  });

  it('names a group (with its descendants) or a host', () => {
    assert.deepEqual(names('lab'), LAB);
    assert.deepEqual(names('cluster'), ['lab-srx-05']);
    assert.deepEqual(names('srx-fra-01'), ['srx-fra-01']);
    assert.deepEqual(names('fw.example.net'), ['fw.example.net']);
  });

  it('matches globs against group and host names', () => {
    assert.deepEqual(names('srx-*'), ['srx-ams-01', 'srx-ams-02', 'srx-fra-01']);
    assert.deepEqual(names('lab-srx-0?'), LAB);
    assert.deepEqual(names('*.example.net'), ['fw.example.net']);
    assert.deepEqual(names('stand*'), ['lab-srx-01', 'lab-srx-02', 'lab-srx-03', 'lab-srx-04']);
  });

  it('matches ~regex from the start of group and host names, as re.match does', () => {
    assert.deepEqual(names('~srx-(ams|fra)-0[12]'), ['srx-ams-01', 'srx-ams-02', 'srx-fra-01']);
    assert.deepEqual(names('~lab-srx-0[45]'), ['lab-srx-04', 'lab-srx-05']);
    assert.deepEqual(names('~ams'), ['lab-srx-01', 'srx-ams-01', 'srx-ams-02'], 'the group ams');
    assert.deepEqual(names('lab-srx-05,~ams-01'), ['lab-srx-05'], 'anchored at the start: ams-01 is not found inside srx-ams-01');
  });

  it('unions comma or colon separated lists', () => {
    assert.deepEqual(names('cluster,standalone'), LAB);
    assert.deepEqual(names('cluster:standalone'), LAB);
    assert.deepEqual(names('srx-fra-01, lab-srx-02'), ['lab-srx-02', 'srx-fra-01']);
  });

  it('intersects with & and excludes with !, whatever order they are written in', () => {
    assert.deepEqual(names('lab:!lab-srx-03'), ['lab-srx-01', 'lab-srx-02', 'lab-srx-04', 'lab-srx-05']);
    assert.deepEqual(names('!lab-srx-03:lab'), ['lab-srx-01', 'lab-srx-02', 'lab-srx-04', 'lab-srx-05']);
    assert.deepEqual(names('lab:&ams'), ['lab-srx-01']);
    assert.deepEqual(names('prod:&ams:!srx-ams-02'), ['srx-ams-01']);
    assert.deepEqual(names('!lab'), PROD, 'only exclusions start from all');
    assert.deepEqual(names('&ams'), ['lab-srx-01', 'srx-ams-01', 'srx-ams-02']);
  });

  it('takes subscripts of a group, the end included', () => {
    assert.deepEqual(names('standalone[0]'), ['lab-srx-01']);
    assert.deepEqual(names('standalone[1:2]'), ['lab-srx-02', 'lab-srx-03']);
    assert.deepEqual(names('standalone[-1]'), ['lab-srx-04']);
    assert.deepEqual(names('standalone[2:]'), ['lab-srx-03', 'lab-srx-04']);
  });

  it('reads lab-srx-0[1-3] as the glob it surely is when there is no group lab-srx-0', () => {
    assert.deepEqual(names('lab-srx-0[1-3]'), ['lab-srx-01', 'lab-srx-02', 'lab-srx-03']);
  });

  it('narrows the selection with --limit', () => {
    assert.deepEqual(names('all', 'ams'), ['lab-srx-01', 'srx-ams-01', 'srx-ams-02']);
    assert.deepEqual(names('lab', 'ams'), ['lab-srx-01']);
    assert.deepEqual(names('prod', '!srx-ams-*'), ['srx-fra-01', 'fw.example.net']);
    assert.deepEqual(names('all', 'lab,srx-fra-01,&ams'), ['lab-srx-01']);
    // As in Ansible: once there is a comma, colons no longer separate ('lab:&ams' is one name).
    assert.deepEqual(names('all', 'lab:&ams,srx-fra-01'), ['srx-fra-01']);
  });

  it('reads @file in --limit: one pattern per line', () => {
    assert.deepEqual(names('all', `@${fixture('limit.txt')}`), ['lab-srx-02', 'srx-fra-01']);
    assert.deepEqual(names('all', `lab-srx-05,@${fixture('limit.txt')}`), ['lab-srx-02', 'lab-srx-05', 'srx-fra-01']);
    assert.throws(
      () => names('all', '@/no/such/limit-file'),
      (e: unknown) => e instanceof LimitError && e.message === '--limit @/no/such/limit-file: no such file',
    );
  });

  it('warns about each pattern that matched nothing when others did', () => {
    const s = resolveSelection(inv, 'lab:nosuch-group', 'lab-srx-01,lab-srx-99,~^zz');
    assert.deepEqual(
      s.hosts.map((h) => h.name),
      ['lab-srx-01'],
    );
    assert.deepEqual(s.warnings, [
      { pattern: 'nosuch-group', from: 'hosts', message: "'nosuch-group' matched no host or group" },
      { pattern: 'lab-srx-99', from: 'limit', message: "--limit 'lab-srx-99' matched no host or group" },
      { pattern: '~^zz', from: 'limit', message: "--limit '~^zz' matched no host" },
    ]);
    assert.deepEqual(resolveSelection(inv, 'all').warnings, []);
  });

  it('fails when nothing is selected, naming the patterns that matched nothing', () => {
    assert.throws(
      () => selectHosts(inv, 'nosuch'),
      (e: unknown) => e instanceof LimitError && e.message === "no hosts selected by hosts 'nosuch': 'nosuch' matched nothing" && e.unmatched.join() === 'nosuch',
    );
    assert.throws(
      () => selectHosts(inv, 'lab', 'srx-x*,!lab'),
      (e: unknown) =>
        e instanceof LimitError && e.message === "no hosts selected by hosts 'lab' with --limit 'srx-x*,!lab': 'srx-x*' matched nothing" && e.unmatched.join() === 'srx-x*',
    );
    assert.throws(
      () => selectHosts(inv, 'lab', 'prod'),
      (e: unknown) => e instanceof LimitError && e.message === "no hosts selected: hosts 'lab' with --limit 'prod' leaves none" && e.unmatched.length === 0,
    );
  });

  it('rejects empty patterns and bad regular expressions', () => {
    assert.throws(() => selectHosts(inv, ''), (e: unknown) => e instanceof LimitError && e.message === "host pattern '' is empty");
    assert.throws(() => selectHosts(inv, 'all', ' , '), (e: unknown) => e instanceof LimitError && e.message === "--limit ' , ' names no hosts");
    assert.throws(() => selectHosts(inv, '~srx-(', undefined), (e: unknown) => e instanceof LimitError && /^host pattern '~srx-\(': not a valid regular expression/.test(e.message));
  });
});
