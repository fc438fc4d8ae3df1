import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDeviceState } from '../../../src/lab/device-state.ts';
import { CHUNK_SIZE } from '../../../src/lab/render/xml.ts';
import { resolveScenario } from '../../../src/lab/scenarios.ts';
import { call, contentOf } from './lab-xml.ts';

/** Sizes, not timings: a million sessions must be cheap to hold, and replies must stream. */

describe('memory', () => {
  it('holds 1,000,000 AH sessions in about 30 bytes each', () => {
    const dev = createDeviceState(resolveScenario('large', { ahSessions: 1_000_000 }));
    assert.ok(dev.sessions.size > 1_000_000);
    const bytes = dev.sessions.byteLength();
    assert.ok(bytes / dev.sessions.size <= 32, `${bytes / dev.sessions.size} bytes per session`);
    assert.ok(bytes < 40 * 1024 * 1024, `${bytes} bytes`);
    // The IPsec side scales with peers, not sessions.
    assert.ok(dev.tunnels.length < 50_000);
  });

  it('streams a large reply in chunks of about 64 KB, rendered lazily', () => {
    const dev = createDeviceState(resolveScenario('large'));
    const reply = contentOf(call(dev, '<get-flow-session-information><protocol>ah</protocol></get-flow-session-information>'));
    let seen = 0;
    for (const chunk of reply) {
      assert.ok(chunk.length >= CHUNK_SIZE && chunk.length < CHUNK_SIZE + 8 * 1024, String(chunk.length));
      // Stop early: the whole reply is about a gigabyte, and nothing was built up front.
      if (++seen === 50) break;
    }
    assert.equal(seen, 50);
  });
});
