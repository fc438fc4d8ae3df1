/**
 * The transport floor of one huge reply: plain ssh2 asks the served lab device for
 * `get-flow-session-information protocol ah` and only counts the reply's bytes.
 * It includes what runbook cannot make faster (the lab rendering the reply, SSH crypto
 * on both ends) and nothing runbook adds.
 * `node --import tsx bench/reply/channel-floor.ts INVENTORY`
 */
import { EomCounter, openBare, readKey } from '../lib/bare-netconf.ts';
import { reportResult } from '../lib/probe.ts';
import { readServedInventory } from '../lib/served-inventory.ts';

const inv = await readServedInventory(process.argv[2]!);
const host = inv.hosts[0]!;
const rpc = '<rpc xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="1"><get-flow-session-information><protocol>ah</protocol></get-flow-session-information></rpc>]]>]]>';

const connectStarted = performance.now();
const { client, channel } = await openBare({ address: host.address, port: host.port, user: inv.user, privateKey: readKey(inv.clientKeyFile) });
let connectMs = 0;
let rpcStarted = 0;
let helloBytes = 0;
let counter: EomCounter | undefined;
await new Promise<void>((resolve, reject) => {
  const c = (counter = new EomCounter((n) => {
    if (n === 1) {
      // The server's hello: the clock for the reply starts as the RPC goes out.
      connectMs = performance.now() - connectStarted;
      helloBytes = c.bytes;
      rpcStarted = performance.now();
      channel.write(rpc);
    } else resolve();
  }));
  channel.on('data', (b: Buffer) => c.push(b));
  channel.on('close', () => reject(new Error('the channel closed before the reply ended')));
});
const ms = performance.now() - rpcStarted;
reportResult({ ok: true, connectMs, ms, bytes: counter!.bytes - helloBytes, lt: counter!.lt });
client.end();
