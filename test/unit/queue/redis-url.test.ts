import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRedisUrl, RedisUrlError } from '../../../src/queue/redis-url.ts';

describe('parseRedisUrl', () => {
  it('reads host, port and database, with 6379 and 0 by default', () => {
    assert.deepEqual(parseRedisUrl('redis://10.0.0.5:6380/2', {}), { shown: 'redis://10.0.0.5:6380/2', options: { host: '10.0.0.5', port: 6380, db: 2 } });
    assert.deepEqual(parseRedisUrl('redis://queue.example', {}), { shown: 'redis://queue.example', options: { host: 'queue.example', port: 6379, db: 0 } });
    assert.deepEqual(parseRedisUrl('redis://[::1]:7000', {}).options, { host: '::1', port: 7000, db: 0 });
  });

  it('rediss:// turns TLS on', () => {
    assert.deepEqual(parseRedisUrl('rediss://r.example:6380', {}).options, { host: 'r.example', port: 6380, db: 0, tls: {} });
  });

  it('takes the user and password from the URL, decoded, and never shows the password', () => {
    const t = parseRedisUrl('redis://ops:p%40ss%3Aword@r.example:6379/1', {});
    assert.equal(t.options.username, 'ops');
    assert.equal(t.options.password, 'p@ss:word');
    assert.equal(t.shown, 'redis://ops:***@r.example:6379/1');
  });

  it('a password without a user shows as :***@, so the reader sees one was given', () => {
    const t = parseRedisUrl('redis://:hunter2@127.0.0.1:6379', {});
    assert.equal(t.options.password, 'hunter2');
    assert.equal(t.options.username, undefined);
    assert.equal(t.shown, 'redis://:***@127.0.0.1:6379');
  });

  it('REDIS_PASSWORD is used when the URL has none, and the URL wins when it has one', () => {
    assert.equal(parseRedisUrl('redis://127.0.0.1:6379', { REDIS_PASSWORD: 'from-env' }).options.password, 'from-env');
    assert.equal(parseRedisUrl('redis://127.0.0.1:6379', { REDIS_PASSWORD: 'from-env' }).shown, 'redis://127.0.0.1:6379');
    assert.equal(parseRedisUrl('redis://:in-url@127.0.0.1:6379', { REDIS_PASSWORD: 'from-env' }).options.password, 'in-url');
    assert.equal(parseRedisUrl('redis://127.0.0.1:6379', { REDIS_PASSWORD: '' }).options.password, undefined);
  });

  it('refuses what is not a redis:// URL, saying why, without quoting a password', () => {
    const cases: [string, RegExp][] = [
      ['http://x', /the scheme must be redis:\/\/ or rediss:\/\/ \(got http:\/\/\)/],
      ['localhost:6379', /the scheme must be redis:\/\//],
      ['127.0.0.1:6379', /not a URL/],
      ['', /not a URL/],
      ['redis://127.0.0.1:6379/zero', /the database must be a number \(got \/zero\)/],
      ['redis://:secretpw@127.0.0.1:6379/x', /the database must be a number/],
    ];
    for (const [text, why] of cases) {
      assert.throws(() => parseRedisUrl(text, {}), (err: Error) => err instanceof RedisUrlError && why.test(err.message) && !err.message.includes('secretpw'), text);
    }
  });
});
