/**
 * Reads a mapping of variables (a group's `vars:`, a host's entry, a group_vars file)
 * into a layer, checking each variable runbook interprets where it is written.
 */
import { isMap, type Node } from 'yaml';
import type { VarLayer } from './definitions.ts';
import { isSecretVar } from './password-vars.ts';
import { checkVar, isCheckedVar, numberOf } from './var-checks.ts';
import { describeNode, type MapEntry, type YamlSource } from './yaml-source.ts';

export interface VarsTarget {
  readonly layer: VarLayer;
  /** Set for a group: `ansible_group_priority` is the group's, not a variable (as in Ansible). */
  readonly setPriority?: (priority: number) => void;
}

export function readVars(source: YamlSource, node: Node | undefined, target: VarsTarget, what: string): void {
  const map = source.deref(node);
  if (!map) return;
  if (!isMap(map)) {
    source.report(source.span(map), `${what} must be a mapping of variables, not ${describeNode(map)}`);
    return;
  }
  for (const entry of source.entries(map)) readVar(source, entry, target);
}

export function readVar(source: YamlSource, e: MapEntry, target: VarsTarget): void {
  if (source.tagOf(e.value) === '!vault') {
    // Vault ciphertext is only a problem where runbook would have to use the value.
    if (isSecretVar(e.key)) {
      source.warn(e.keyAt, `${e.key} is vault-encrypted and ignored (runbook does not decrypt Ansible Vault); set runbook_password_env instead`);
      return;
    }
    if (isCheckedVar(e.key)) {
      source.report(e.keyAt, `${e.key} is vault-encrypted, and runbook does not decrypt Ansible Vault`);
      return;
    }
  }
  const value = source.value(e.value);
  const problem = checkVar(e.key, value);
  if (problem) {
    source.report(e.value ? source.span(e.value) : e.keyAt, problem);
    return;
  }
  if (e.key === 'ansible_group_priority' && target.setPriority && value !== null) {
    target.setPriority(numberOf(value)!);
    return;
  }
  target.layer.set(e.key, { value, at: e.keyAt, valueAt: e.value ? source.span(e.value) : e.keyAt });
}
