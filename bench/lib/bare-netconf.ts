import { readFileSync } from 'node:fs';
import ssh2, { type ClientChannel, type ConnectConfig } from 'ssh2';
import { sharedClientKey } from '../../src/transport/client-key.ts';

/** NETCONF 1.0's end-of-message marker. */
export const EOM = Buffer.from(']]>]]>');

export const CLIENT_HELLO =
  '<?xml version="1.0" encoding="UTF-8"?><hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">' +
  '<capabilities><capability>urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>]]>]]>';

export interface BareTarget {
  readonly address: string;
  readonly port: number;
  readonly user: string;
  readonly privateKey: Buffer;
}

export interface BareLink {
  readonly client: ssh2.Client;
  readonly channel: ClientChannel;
}

export function readKey(file: string): Buffer {
  return readFileSync(file);
}

/**
 * The least a NETCONF client can do with plain ssh2: connect, authenticate with the same
 * key runbook uses, open the `netconf` subsystem and send a hello. No host-key check,
 * no XML parsing, no error mapping: a floor, not a client.
 */
export function openBare(t: BareTarget, timeoutMs = 60_000): Promise<BareLink> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.once('error', reject);
    client.once('ready', () => {
      client.subsys('netconf', (err, channel) => {
        if (err) {
          client.end();
          return reject(err);
        }
        channel.write(CLIENT_HELLO);
        resolve({ client, channel });
      });
    });
    // The key parsed once and signing through a KeyObject, as runbook does (src/transport/client-key.ts):
    // the floor must not pay what any client can avoid.
    const publickey = { type: 'publickey', username: t.user, key: sharedClientKey(t.privateKey) };
    const authHandler = [publickey] as unknown as ConnectConfig['authHandler'];
    client.connect({ host: t.address, port: t.port, username: t.user, authHandler, hostVerifier: () => true, readyTimeout: timeoutMs });
  });
}

/**
 * Counts NETCONF 1.0 messages on a channel as its bytes arrive, touching every byte
 * once (counting '<') as the byte-scan floor does. `onMessage` runs at each `]]>]]>`.
 */
export class EomCounter {
  lt = 0;
  bytes = 0;
  messages = 0;
  /** The last bytes of the previous chunk, for a marker split across chunks. */
  private tail = Buffer.alloc(0);

  constructor(private readonly onMessage: (n: number) => void) {}

  push(b: Buffer): void {
    this.bytes += b.length;
    let lt = 0;
    for (let i = 0; i < b.length; i++) if (b[i] === 0x3c) lt++;
    this.lt += lt;
    const edge = Buffer.concat([this.tail, b.subarray(0, EOM.length - 1)]);
    let found = edge.indexOf(EOM) >= 0 ? 1 : 0;
    for (let at = b.indexOf(EOM); at >= 0; at = b.indexOf(EOM, at + EOM.length)) found++;
    this.tail = Buffer.from(b.subarray(Math.max(0, b.length - (EOM.length - 1))));
    for (let k = 0; k < found; k++) this.onMessage(++this.messages);
  }
}
