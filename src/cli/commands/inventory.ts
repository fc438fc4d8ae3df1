import type { Command } from 'commander';
import { formatIssue } from '../../inventory/errors.ts';
import { loadInventory } from '../../inventory/load.ts';
import { inventoryGraph, inventoryList, shownVars } from '../../inventory/views.ts';
import { UsageError } from '../errors.ts';
import { asUsageError } from '../input-errors.ts';
import { collect } from '../option-parsers.ts';
import { ansibleContext, inventorySources } from '../targets.ts';
import { addVaultOptions, type VaultOptions } from '../vault-passwords.ts';

interface InventoryCliOptions extends VaultOptions {
  inventory: string[];
  list?: boolean;
  graph?: boolean;
  host?: string;
}

/** `runbook inventory`, like `ansible-inventory`: what runbook reads from an inventory, vault values redacted. */
export function registerInventoryCommand(program: Command): void {
  addVaultOptions(program.command('inventory'))
    .description('Show the inventory as runbook reads it, like ansible-inventory: --list, --graph [GROUP] or --host HOST')
    .argument('[group]', 'with --graph: the group to start from (default all)')
    .option('-i, --inventory <file>', 'Ansible inventory; repeatable (default: ansible.cfg inventory / ANSIBLE_INVENTORY, else the built-in lab)', collect, [])
    .option('--list', 'every group and every host with its merged variables (JSON)')
    .option('--graph', 'the group tree')
    .option('--host <name>', "one host's merged variables (JSON)")
    .action(async (group: string | undefined, opts: InventoryCliOptions) => {
      const modes = [opts.list, opts.graph, opts.host !== undefined].filter(Boolean).length;
      if (modes !== 1) throw new UsageError('give one of --list, --graph or --host HOST');
      const { settings, vault } = await ansibleContext(opts);
      const inventory = await asUsageError(() => loadInventory([...inventorySources(opts.inventory, settings)], { vault }));
      for (const w of inventory.warnings) process.stderr.write(`warning: ${formatIssue(w)}\n`);
      if (opts.list) {
        process.stdout.write(JSON.stringify(inventoryList(inventory), null, 4) + '\n');
      } else if (opts.graph) {
        const root = group ?? 'all';
        if (!inventory.groups.has(root)) throw new UsageError(`no group '${root}' in the inventory`);
        process.stdout.write(inventoryGraph(inventory, root).join('\n') + '\n');
      } else {
        const host = inventory.hosts.find((h) => h.name === opts.host);
        if (!host) throw new UsageError(`no host '${opts.host}' in the inventory`);
        process.stdout.write(JSON.stringify(shownVars(host), null, 4) + '\n');
      }
    });
}
