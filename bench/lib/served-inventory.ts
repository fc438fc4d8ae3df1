import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

/** What a measuring child needs from the inventory `runbook lab serve --inventory-out` wrote. */
export interface ServedInventory {
  readonly hosts: readonly { readonly name: string; readonly address: string; readonly port: number }[];
  readonly user: string;
  readonly clientKeyFile: string;
  readonly knownHostsFile: string;
}

interface LabInventoryDoc {
  all: {
    vars: { ansible_user: string; ansible_ssh_private_key_file: string; runbook_known_hosts: string };
    children: { lab: { hosts: Record<string, { ansible_host: string; ansible_port: number }> } };
  };
}

export async function readServedInventory(file: string): Promise<ServedInventory> {
  const doc = parse(await readFile(file, 'utf8')) as LabInventoryDoc;
  return {
    hosts: Object.entries(doc.all.children.lab.hosts).map(([name, h]) => ({ name, address: h.ansible_host, port: h.ansible_port })),
    user: doc.all.vars.ansible_user,
    clientKeyFile: doc.all.vars.ansible_ssh_private_key_file,
    knownHostsFile: doc.all.vars.runbook_known_hosts,
  };
}
