/**
 * How to reach one device, as plain data: ConnectOptions with every secret replaced by
 * a reference (contracts/secrets.ts). This is what a host job carries; the runner of the
 * job turns it back into ConnectOptions with its own secrets port, just before connecting.
 */
import type { SecretRef, SecretsPort } from '../contracts/secrets.ts';
import type { ConnectOptions, JumpHost } from './options.ts';

type Secretless<T, K extends keyof T> = Omit<T, K> & { readonly [P in K]?: SecretRef };

/** ConnectOptions without its secrets: address, port, user, known_hosts and host-key policy, route, timeouts, limits. */
export type ConnectionSettings = Secretless<Omit<ConnectOptions, 'jumps'>, 'password' | 'privateKey' | 'passphrase'> & {
  readonly jumps?: readonly Secretless<JumpHost, 'privateKey' | 'passphrase'>[];
};

const SECRET_FIELDS = ['password', 'privateKey', 'passphrase'] as const;

/** The settings with their references resolved: what the transport connects with. */
export async function connectOptionsOf(settings: ConnectionSettings, secrets: SecretsPort): Promise<ConnectOptions> {
  const jumps = settings.jumps ? await Promise.all(settings.jumps.map((j) => withSecrets(j, secrets))) : undefined;
  return { ...(await withSecrets(settings, secrets)), ...(jumps ? { jumps } : {}) } as ConnectOptions;
}

async function withSecrets<T extends Partial<Record<(typeof SECRET_FIELDS)[number], SecretRef>>>(item: T, secrets: SecretsPort): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { ...item };
  for (const field of SECRET_FIELDS) {
    const ref = item[field];
    if (ref === undefined) continue;
    const value = await secrets.resolve(ref);
    // ssh2 takes a key as bytes and a password or passphrase as text. A key that is already a
    // Buffer is passed as it is: the parsed key is cached by that Buffer (client-key.ts), so a
    // copy per host would parse the key again for every host.
    out[field] = field === 'privateKey' ? (Buffer.isBuffer(value) ? value : Buffer.from(value)) : typeof value === 'string' ? value : Buffer.from(value).toString('utf8');
  }
  return out;
}
