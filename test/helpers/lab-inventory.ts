import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Lab } from '../../src/lab/lab.ts';

/** Writes an inventory for running lab hosts, with extra host vars per host. */
export async function writeLabInventory(lab: Lab, hostVars: Record<string, Record<string, unknown>> = {}): Promise<string> {
  const doc = {
    all: {
      vars: { ansible_user: 'lab', ansible_ssh_private_key_file: lab.clientKeyFile, runbook_known_hosts: lab.knownHostsFile },
      children: {
        lab: {
          hosts: Object.fromEntries(
            lab.hosts.map((h) => [h.spec.name, { ansible_host: h.address, ansible_port: h.port, ...hostVars[h.spec.name] }]),
          ),
        },
      },
    },
  };
  const file = join(lab.dir, 'inventory.yml');
  await writeFile(file, stringify(doc));
  return file;
}
