/**
 * What the inventory files say, gathered over every file before anything is merged:
 * groups with their own variables, hosts and children, hosts with their own variables.
 * Later definitions of the same variable replace earlier ones, as Ansible's
 * set_variable does across files and within one.
 */
import type { SourceSpan } from '../contracts/source-span.ts';

export interface VarDef {
  readonly value: unknown;
  /** Where the variable's key was written. */
  readonly at: SourceSpan;
  /** Decrypted from Ansible Vault: shown nowhere, used only as a credential. */
  readonly secret?: boolean;
  /** Where its value was written (the key's place for an empty value). */
  readonly valueAt?: SourceSpan;
}

export type VarLayer = Map<string, VarDef>;

export class GroupDef {
  /** Variables written in inventory files (`vars:`). */
  readonly vars: VarLayer = new Map();
  /** Variables from group_vars/ next to an inventory source; these outrank `vars`. */
  readonly dirVars: VarLayer = new Map();
  /** Hosts listed directly under the group, in order. */
  readonly hosts = new Set<string>();
  readonly children: string[] = [];
  /** `ansible_group_priority`: breaks ties between groups at the same depth. */
  priority = 1;
  constructor(
    readonly name: string,
    /** Undefined for the implicit groups `all` and `ungrouped` until a file names them. */
    public at: SourceSpan | undefined,
  ) {}
}

export class HostDef {
  readonly vars: VarLayer = new Map();
  /** Variables from host_vars/; these outrank `vars`. */
  readonly dirVars: VarLayer = new Map();
  /** Groups that list the host directly. */
  readonly groups = new Set<string>();
  constructor(
    readonly name: string,
    readonly at: SourceSpan,
  ) {}
}

export class Definitions {
  readonly groups = new Map<string, GroupDef>([
    ['all', new GroupDef('all', undefined)],
    ['ungrouped', new GroupDef('ungrouped', undefined)],
  ]);
  /** In inventory order: the order hosts are first defined. */
  readonly hosts = new Map<string, HostDef>();

  group(name: string, at: SourceSpan): GroupDef {
    let g = this.groups.get(name);
    if (!g) this.groups.set(name, (g = new GroupDef(name, at)));
    g.at ??= at;
    return g;
  }

  host(name: string, at: SourceSpan): HostDef {
    let h = this.hosts.get(name);
    if (!h) this.hosts.set(name, (h = new HostDef(name, at)));
    return h;
  }

  /** Makes `child` a child group of `parent`; returns the cycle it would close instead, if any. */
  addChild(parent: string, child: string): string[] | undefined {
    const p = this.groups.get(parent)!;
    if (p.children.includes(child)) return undefined;
    const path = this.pathDown(child, parent, new Set());
    if (path) return [parent, ...path];
    p.children.push(child);
    return undefined;
  }

  /** A chain of child links from `from` down to `to`, both included. */
  private pathDown(from: string, to: string, seen: Set<string>): string[] | undefined {
    if (from === to) return [from];
    if (seen.has(from)) return undefined;
    seen.add(from);
    for (const c of this.groups.get(from)?.children ?? []) {
      const rest = this.pathDown(c, to, seen);
      if (rest) return [from, ...rest];
    }
    return undefined;
  }
}
