/**
 * The normalised form of an inventory: what the engine reads. The YAML a user writes
 * (Ansible's YAML inventory format, plus group_vars/ and host_vars/ next to it) is
 * parsed with positions, checked, and merged with Ansible's variable precedence into
 * these types; nothing after the loader looks at YAML.
 */
import type { LabFaults } from '../lab/faults.ts';
import type { ScenarioOverrides } from '../lab/lab.ts';
import type { SourceSpan } from '../contracts/source-span.ts';

/** One problem in an inventory file, where it was written. Line and column are 1-based; 0 means the whole file. */
export interface InventoryIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** A simulated device the engine starts in-process for a host with `lab_scenario` and no `ansible_host`. */
export interface LabHostRequest {
  /** From `lab_scenario`: one of the lab's scenario names. */
  readonly scenario: string;
  /** From `lab_seed`; 1 when not set. */
  readonly seed: number;
  /** From `lab_ah_sessions`, `lab_peers`, `lab_spus`, `lab_cluster`. */
  readonly overrides: ScenarioOverrides;
  /** From `lab_fault`: one fault name or a list of them, combined. */
  readonly faults?: LabFaults;
  /** From `lab_base11`. */
  readonly base11?: boolean;
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
  /** The inventory files read, in load order (a directory given with -i is expanded). */
  readonly files: readonly string[];
  /** Things Ansible would warn about too, such as a vault-encrypted file that was skipped. */
  readonly warnings: readonly InventoryIssue[];
}
