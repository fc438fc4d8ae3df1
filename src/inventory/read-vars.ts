/**
 * Reads a mapping of variables (a group's `vars:`, a host's entry, a group_vars file)
 * into a layer, checking each variable runbook interprets where it is written.
 */
import { isMap, type Node } from 'yaml';
import type { SourceSpan } from '../contracts/source-span.ts';
import type { VarLayer } from './definitions.ts';
import { isSecretVar } from './password-vars.ts';
import { checkVar, isCheckedVar, numberOf, oldNameNote } from './var-checks.ts';
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
  const note = oldNameNote(e.key);
  if (note) source.warn(e.keyAt, note);
  let value = source.value(e.value);
  let secret = source.secret;
  // `!vault` in YAML; `{"__ansible_vault": ...}` in the JSON ansible-inventory prints.
  const jsonVault = isMap(source.deref(e.value)) && value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  const isJsonVault = jsonVault !== undefined && Object.keys(jsonVault).length === 1 && typeof jsonVault.__ansible_vault === 'string';
  if (source.tagOf(e.value) === '!vault' || isJsonVault) {
    const vaulted = vaultedValue(source, e, isJsonVault ? jsonVault.__ansible_vault : value);
    if (vaulted === undefined) return;
    value = vaulted;
    secret = true;
  }
  const problem = storeVar(e.key, value, e.keyAt, target, secret, e.value ? source.span(e.value) : e.keyAt);
  if (problem) source.report(e.value ? source.span(e.value) : e.keyAt, problem);
}

/**
 * An inline `!vault` value decrypted, or undefined when it cannot be (reported). Without
 * any vault password, a value runbook does not read stays ciphertext, as Ansible keeps
 * it until used, and a vaulted password is skipped with a warning (another credential
 * may be set).
 */
function vaultedValue(source: YamlSource, e: MapEntry, ciphertext: unknown): string | undefined {
  if (source.vault.size === 0 && !isCheckedVar(e.key)) return String(ciphertext);
  const decrypted = source.vault.decrypt(String(ciphertext));
  if ('plaintext' in decrypted) return decrypted.plaintext;
  if (source.vault.size === 0 && isSecretVar(e.key)) source.warn(e.keyAt, `${e.key} ignored: ${decrypted.problem}`);
  else source.report(e.keyAt, `${e.key}: ${decrypted.problem}`);
  return undefined;
}

/** Checks one variable and puts it in the target; returns the problem instead when the value is unusable. */
export function storeVar(key: string, value: unknown, at: SourceSpan, target: VarsTarget, secret = false, valueAt: SourceSpan = at): string | undefined {
  // A vaulted password is what a password variable should hold; other checks must not show it.
  const problem = secret && isSecretVar(key) ? undefined : checkVar(key, value);
  // The checks quote the value: a decrypted one is described, never shown.
  if (problem) return secret ? `${key}: the value decrypted from Ansible Vault is not a valid ${key} (not shown)` : problem;
  if (key === 'ansible_group_priority' && target.setPriority && value !== null) {
    target.setPriority(numberOf(value)!);
    return undefined;
  }
  target.layer.set(key, secret ? { value, at, valueAt, secret } : { value, at, valueAt });
  return undefined;
}
