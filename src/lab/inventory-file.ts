import { stringify } from 'yaml';
import { LAB_PASSWORD, LAB_USER } from './lab.ts';

export interface LabInventoryHost {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly scenario: string;
  readonly seed: number;
}

/**
 * An Ansible-style inventory for running lab devices. Hosts log in with the lab's client
 * key, so no password is written; the lab password is given in the header for people
 * who want to try other clients (ncclient, PyEZ) by hand.
 */
export function labInventoryYaml(hosts: readonly LabInventoryHost[], files: { knownHosts: string; clientKey: string }): string {
  const doc = {
    all: {
      vars: {
        ansible_user: LAB_USER,
        ansible_ssh_private_key_file: files.clientKey,
        runbook_known_hosts: files.knownHosts,
      },
      children: {
        lab: {
          hosts: Object.fromEntries(
            hosts.map((h) => [h.name, { ansible_host: h.address, ansible_port: h.port, lab_scenario: h.scenario, lab_seed: h.seed }]),
          ),
        },
      },
    },
  };
  return (
    `# Inventory of runbook lab devices, written by \`runbook lab serve\`.\n` +
    `# Simulated SRX devices on loopback. Log in as '${LAB_USER}' with the key below or the lab password '${LAB_PASSWORD}'.\n` +
    stringify(doc)
  );
}
