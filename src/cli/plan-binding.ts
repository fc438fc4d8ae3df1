import { inventoryBinding, type ConnectionTarget, type InventoryBinding } from '../plan/binding.ts';
import { LAB_USER } from './lab-wiring.ts';
import type { Targets } from './targets.ts';

/** Where the in-process lab listens (lab-hosts.ts starts it with the lab's default address). */
const LAB_ADDRESS = '127.0.0.1';

/** The inventory binding of resolved targets: every inventory host, and where each target is reached. */
export function bindingOf(targets: Targets): InventoryBinding {
  const connections = targets.hosts.map(({ host }): ConnectionTarget => {
    if (host.lab) return { host: host.name, address: LAB_ADDRESS, port: 0, user: LAB_USER, lab: `${host.lab.scenario}, seed ${host.lab.seed}` };
    const c = targets.connections.get(host.name)!;
    return { host: host.name, address: c.address, port: c.port ?? 830, user: c.username };
  });
  return inventoryBinding(targets.inventory.hosts.map((h) => h.name), connections);
}
