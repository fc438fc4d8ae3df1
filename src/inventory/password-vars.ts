/**
 * Passwords never live in plain files runbook reads. An inventory names an environment
 * variable instead: `runbook_password_env: VAR`, or Ansible's own idiom
 * `ansible_password: "{{ lookup('env', 'VAR') }}"`, so one inventory serves both tools;
 * or the password is vault-encrypted, inline (`!vault`), in a vault file, or in a
 * variable that `ansible_password: "{{ vault_password }}"` refers to.
 * Nothing here ever puts a password variable's value into a message.
 */

/** Ansible's connection password variables, in the order runbook looks at them. */
export const PASSWORD_VARS = ['ansible_password', 'ansible_ssh_password', 'ansible_ssh_pass', 'ansible_pass'] as const;

/** Secrets runbook does not use but refuses as literals all the same. */
const OTHER_SECRET_VARS = ['ansible_become_password', 'ansible_become_pass'] as const;

export function isSecretVar(name: string): boolean {
  return (PASSWORD_VARS as readonly string[]).includes(name) || (OTHER_SECRET_VARS as readonly string[]).includes(name);
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isEnvName(name: string): boolean {
  return ENV_NAME.test(name);
}

/** `{{ lookup('env', 'VAR') }}` with either quotes, any spacing, and the builtin's long name. */
const ENV_LOOKUP = /^\s*\{\{\s*lookup\(\s*(['"])(?:ansible\.builtin\.)?env\1\s*,\s*(['"])([A-Za-z_][A-Za-z0-9_]*)\2\s*\)\s*\}\}\s*$/;

/** `{{ name }}`: a reference to another variable, Ansible's way to use a vaulted `vault_*` variable. */
const VAR_REFERENCE = /^\s*\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}\s*$/;

/** The variable a password variable's value refers to (`{{ vault_password }}`), or undefined. */
export function referencedVarName(value: unknown): string | undefined {
  return typeof value === 'string' ? VAR_REFERENCE.exec(value)?.[1] : undefined;
}

/** The environment variable a password variable's value names, or undefined when it names none. */
export function envLookupName(value: unknown): string | undefined {
  return typeof value === 'string' ? ENV_LOOKUP.exec(value)?.[3] : undefined;
}

/** Why a password variable's value cannot be used, or undefined when it is an env lookup (or unset). */
export function secretValueProblem(name: string, value: unknown): string | undefined {
  // A reference is checked where it is used: the variable it names must come from Vault.
  if (value === null || value === undefined || envLookupName(value) !== undefined || referencedVarName(value) !== undefined) return undefined;
  const lookup = `${name}: "{{ lookup('env', 'VAR') }}"`;
  const fix = (OTHER_SECRET_VARS as readonly string[]).includes(name)
    ? `runbook does not use ${name}: remove it, or write ${lookup}`
    : `name an environment variable instead, with runbook_password_env: VAR or ${lookup}`;
  if (typeof value === 'string' && /\{\{|\{%/.test(value)) {
    return `${name} is a template runbook does not evaluate (only lookup('env', 'VAR') is understood): ${fix}`;
  }
  return `${name} holds a literal password, and runbook never reads passwords from files: ${fix}`;
}
