/**
 * Connection settings carry a password, a key and a passphrase in memory only. Every
 * string form of them (JSON, util.inspect/console.log, String()) shows placeholders,
 * so a debug print or a report that embeds them cannot leak a secret. The secrets stay
 * ordinary properties, so spreading the object into another still works.
 */
import { inspect } from 'node:util';
import type { ConnectOptions } from '../transport/options.ts';
import { REDACTED } from './views.ts';

export function redactedSecrets(opts: ConnectOptions): Record<string, unknown> {
  return {
    ...opts,
    ...(opts.password !== undefined ? { password: REDACTED } : {}),
    ...(opts.passphrase !== undefined ? { passphrase: REDACTED } : {}),
    ...(opts.privateKey !== undefined ? { privateKey: `<redacted key, ${opts.privateKey.length} bytes>` } : {}),
    ...(opts.jumps ? { jumps: opts.jumps.map((j) => ({ ...j, ...(j.privateKey ? { privateKey: `<redacted key, ${j.privateKey.length} bytes>` } : {}), ...(j.passphrase !== undefined ? { passphrase: REDACTED } : {}) })) } : {}),
  };
}

export function withRedactedForms(opts: ConnectOptions): ConnectOptions {
  const safe = () => redactedSecrets(opts);
  return Object.defineProperties(
    { ...opts },
    {
      toJSON: { value: safe },
      toString: { value: () => `ConnectOptions ${JSON.stringify(safe())}` },
      [inspect.custom]: { value: (_depth: number, options: object) => inspect(safe(), options) },
    },
  );
}
