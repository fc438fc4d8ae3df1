import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { listenAddress } from '../../../src/cli/commands/queue.ts';

describe('runbook queue ui --listen', () => {
  it('takes HOST:PORT, [IPv6]:PORT, or a port alone (on 127.0.0.1); port 0 is any free port', () => {
    assert.deepEqual(listenAddress('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(listenAddress('localhost:0'), { host: 'localhost', port: 0 });
    assert.deepEqual(listenAddress('[::1]:3000'), { host: '::1', port: 3000 });
    assert.deepEqual(listenAddress('9000'), { host: '127.0.0.1', port: 9000 });
  });

  it('refuses anything else, saying what it expects', () => {
    for (const bad of ['', 'localhost', 'localhost:http', '127.0.0.1:65536', ':80', '1.2.3.4:-1', 'a b:80', '::1:80']) {
      assert.throws(() => listenAddress(bad), (err: unknown) => err instanceof InvalidArgumentError && /is not HOST:PORT \(e\.g\. 127\.0\.0\.1:8080/.test((err as Error).message), bad);
    }
  });
});
