/**
 * The floor of a fleet run: plain ssh2 connects to every served device, authenticates
 * with the lab key, opens the `netconf` subsystem and exchanges hellos, FORKS devices
 * at a time, then hangs up. Nothing a run does beyond that is in this figure.
 * `node --import tsx bench/fleet/hello-floor.ts INVENTORY FORKS`
 */
import { EomCounter, openBare, readKey } from '../lib/bare-netconf.ts';
import { reportResult } from '../lib/probe.ts';
import { readServedInventory } from '../lib/served-inventory.ts';

const inv = await readServedInventory(process.argv[2]!);
const forks = Number(process.argv[3] ?? 5);
const privateKey = readKey(inv.clientKeyFile);

async function hello(host: (typeof inv.hosts)[number]): Promise<void> {
  const { client, channel } = await openBare({ address: host.address, port: host.port, user: inv.user, privateKey });
  await new Promise<void>((resolve, reject) => {
    const counter = new EomCounter(() => resolve());
    channel.on('data', (b: Buffer) => counter.push(b));
    channel.on('close', () => reject(new Error(`${host.name}: closed before its hello`)));
  });
  client.end();
}

const started = performance.now();
const failures: string[] = [];
let next = 0;
await Promise.all(
  Array.from({ length: Math.min(forks, inv.hosts.length) }, async () => {
    for (let i = next++; i < inv.hosts.length; i = next++) {
      await hello(inv.hosts[i]!).catch((err: Error) => failures.push(`${inv.hosts[i]!.name}: ${err.message}`));
    }
  }),
);
const ms = performance.now() - started;
reportResult({ ok: failures.length === 0, ms, hosts: inv.hosts.length, forks, failed: failures.length, firstFailure: failures[0] });
