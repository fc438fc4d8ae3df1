/**
 * Checks on the variables runbook itself interprets, made where each value is written
 * (so a bad value is reported at its own line even when another level overrides it).
 * Variables runbook does not know pass through untouched, as Ansible's would.
 */
import { ticketProblem } from '../contracts/run-ids.ts';
import { parseByteSize } from '../transport/limits.ts';
import { isEnvName, isSecretVar, secretValueProblem } from './password-vars.ts';

/** Returns what is wrong with a value (completing "<var> must ..."), or undefined. */
type Check = (value: unknown) => string | undefined;

/** Numbers may be written as numbers or as quoted digits: Ansible converts both. */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const integer =
  (min: number, max: number, what = `a whole number from ${min} to ${max}`): Check =>
  (v) => {
    const n = numberOf(v);
    return n !== undefined && Number.isInteger(n) && n >= min && n <= max ? undefined : `be ${what}, not ${show(v)}`;
  };

const seconds: Check = (v) => {
  const n = numberOf(v);
  return n !== undefined && n > 0 && n <= 86_400 ? undefined : `be a number of seconds above 0, not ${show(v)}`;
};

const byteSize: Check = (v) => (parseByteSize(v) !== undefined ? undefined : `be a number of bytes above 0 (a whole number, or with a unit: 64M, 8GiB), not ${show(v)}`);

const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : `be true or false, not ${show(v)}`);

/** A string runbook uses as it is: templates would reach the network unevaluated. */
const text: Check = (v) => {
  if (typeof v !== 'string' || v.trim() === '') return `be a non-empty string, not ${show(v)}`;
  if (/\{\{|\{%/.test(v)) return `not be a template: runbook does not evaluate Jinja (only {{ lookup('env', 'VAR') }} in a password variable)`;
  return undefined;
};

/** A user name may be written unquoted as a number. */
const userName: Check = (v) => (typeof v === 'number' && Number.isInteger(v) ? undefined : text(v));

// The value is not repeated: someone who wrote the password itself here must not see it printed.
const envName: Check = (v) =>
  typeof v === 'string' && isEnvName(v) ? undefined : 'be the name of an environment variable (letters, digits and _, not starting with a digit)';

// The lab variables are data here; which scenario and fault names exist, and what fits a
// scenario, the CLI's lab wiring checks (src/cli/lab-wiring.ts).
const name: Check = (v) => (typeof v === 'string' && /^[a-z0-9][a-z0-9-]*$/.test(v) ? undefined : `be a name (lower-case letters, digits and -), not ${show(v)}`);

const names: Check = (v) => {
  const list = Array.isArray(v) ? (v as unknown[]) : [v];
  const bad = list.find((n) => name(n) !== undefined);
  if (list.length === 0 || bad !== undefined) return `be a name or a list of names, not ${show(bad ?? v)}`;
  return undefined;
};

/** A change ticket id (contracts/run-ids.ts); a number like 12345 is one too. */
const ticket: Check = (v) => {
  const id = typeof v === 'number' && Number.isInteger(v) && v >= 0 ? String(v) : v;
  if (typeof id !== 'string') return `be a ticket id, not ${show(v)}`;
  const problem = ticketProblem(id);
  return problem === undefined ? undefined : `be a ticket id (${problem}), not ${show(v)}`;
};

const CHECKS: Readonly<Record<string, Check>> = {
  runbook_ticket: ticket,
  ansible_host: text,
  ansible_ssh_host: text,
  ansible_port: integer(1, 65535, 'a port number (1-65535)'),
  ansible_ssh_port: integer(1, 65535, 'a port number (1-65535)'),
  ansible_user: userName,
  ansible_ssh_user: userName,
  ansible_ssh_private_key_file: text,
  ansible_private_key_file: text,
  ansible_group_priority: integer(-1_000_000, 1_000_000, 'a whole number'),
  runbook_known_hosts: text,
  runbook_ssh_config: text,
  ansible_ssh_common_args: text,
  runbook_password_env: envName,
  runbook_key_passphrase_env: envName,
  runbook_agent: boolean,
  runbook_accept_new_host_key: boolean,
  runbook_connect_timeout: seconds,
  runbook_rpc_timeout: seconds,
  runbook_rpc_deadline: seconds,
  runbook_host_deadline: seconds,
  runbook_max_hello_bytes: byteSize,
  runbook_max_reply_bytes: byteSize,
  runbook_max_records: integer(1, Number.MAX_SAFE_INTEGER, 'a whole number above 0'),
  runbook_max_depth: integer(1, 100_000, 'a whole number from 1 to 100000'),
  runbook_max_text_bytes: byteSize,
  lab_scenario: name,
  lab_seed: integer(0, 0xffffffff),
  lab_ah_sessions: integer(0, Number.MAX_SAFE_INTEGER, 'a whole number'),
  lab_peers: integer(1, Number.MAX_SAFE_INTEGER, 'a whole number above 0'),
  lab_spus: integer(1, Number.MAX_SAFE_INTEGER, 'a whole number above 0'),
  lab_cluster: boolean,
  lab_base11: boolean,
  lab_fault: names,
};

/** Ansible's old names (before 2.0) for connection variables, which it still reads. */
const OLD_NAMES: Readonly<Record<string, string>> = {
  ansible_ssh_host: 'ansible_host',
  ansible_ssh_port: 'ansible_port',
  ansible_ssh_user: 'ansible_user',
  ansible_ssh_pass: 'ansible_password',
};

/** A deprecation note for a variable written under its old name, or undefined. */
export function oldNameNote(name: string): string | undefined {
  const now = OLD_NAMES[name];
  return now ? `${name} is the old name of ${now}: runbook reads it as Ansible does, but write ${now}` : undefined;
}

/** Whether runbook reads this variable (and so checks it). */
export function isCheckedVar(name: string): boolean {
  return Object.hasOwn(CHECKS, name) || isSecretVar(name);
}

/** A full message for a bad value, or undefined. A null value means "not set" and is always fine. */
export function checkVar(name: string, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (isSecretVar(name)) return secretValueProblem(name, value);
  const check = CHECKS[name];
  const problem = check?.(value);
  return problem ? `${name} must ${problem}` : undefined;
}
