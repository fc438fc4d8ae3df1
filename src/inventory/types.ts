/**
 * The normalised form of an inventory: what the engine reads. The YAML a user writes
 * (Ansible's YAML inventory format, plus group_vars/ and host_vars/ next to it) is
 * parsed with positions, checked, and merged with Ansible's variable precedence into
 * these types; nothing after the loader looks at YAML.
 */
import type { LocatedIssue, SourceSpan } from '../contracts/source-span.ts';

/** One problem in an inventory file, where it was written. Line and column are 1-based; 0 means the whole file. */
export type InventoryIssue = LocatedIssue;

/**
 * A simulated device for a host with `lab_scenario` and no `ansible_host`, as plain data:
 * the inventory checks only the types of the lab variables; the CLI's lab wiring
 * (src/cli/lab-wiring.ts) checks the names against the simulator and starts it.
 */
export interface LabHostRequest {
  /** From `lab_scenario`: a scenario name. */
  readonly scenario: string;
  /** From `lab_seed`; 1 when not set. */
  readonly seed: number;
  /** From `lab_ah_sessions`, `lab_peers`, `lab_spus`, `lab_cluster`. */
  readonly overrides: LabOverrides;
  /** From `lab_fault`: the fault names, in order. */
  readonly faults?: readonly string[];
  /** From `lab_base11`. */
  readonly base11?: boolean;
  /** Where each lab variable's value was written, for located errors from the lab wiring. */
  readonly at: Readonly<Record<string, SourceSpan>>;
}

/** A scenario's sizes as the lab variables set them. */
export interface LabOverrides {
  readonly ahSessions?: number;
  readonly peers?: number;
  readonly spus?: number;
  readonly cluster?: boolean;
}

export interface InventoryHost {
  readonly name: string;
  /**
   * Every group the host is in: its own, their ancestors, `all`, and `ungrouped` when it
   * is in no other group. In variable precedence order (`all` first, deepest last).
   */
  readonly groups: readonly string[];
  /** Group and host variables merged with Ansible's precedence. */
  readonly vars: Readonly<Record<string, unknown>>;
  /** Where each variable in `vars` got the value it has, for located errors later on. */
  readonly varsAt: Readonly<Record<string, SourceSpan>>;
  /** Where the host is first defined (its key under some group's `hosts`). */
  readonly at: SourceSpan;
  /** Variables whose value was decrypted from Ansible Vault: used as credentials, shown nowhere. */
  readonly secretVars?: readonly string[];
  /** Set for lab hosts: `lab_scenario` and no `ansible_host`. */
  readonly lab?: LabHostRequest;
}

export interface Inventory {
  /** In inventory order: the order hosts are first defined, over all files. */
  readonly hosts: readonly InventoryHost[];
  /** Group → the names of every host in it or in its descendants, in inventory order. Has `all` and `ungrouped`. */
  readonly groups: ReadonlyMap<string, readonly string[]>;
  /** Group → its direct child groups. */
  readonly children: ReadonlyMap<string, readonly string[]>;
  /** Group → the hosts listed in it directly, in order (the inventory views show these). */
  readonly members?: ReadonlyMap<string, readonly string[]>;
  /** The inventory files read, in load order (a directory given with -i is expanded). */
  readonly files: readonly string[];
  /** Things Ansible would warn about too, such as a vault-encrypted file that was skipped. */
  readonly warnings: readonly InventoryIssue[];
}
