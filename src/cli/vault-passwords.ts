/**
 * The vault passwords of a run, from the same places Ansible takes them:
 * `--vault-id [LABEL@]SOURCE` (SOURCE a file, an executable script, or `prompt`),
 * `--vault-password-file FILE`, `--ask-vault-pass`, and vault_identity_list and
 * vault_password_file from ANSIBLE_VAULT_* or ansible.cfg (see ansible-config.ts). An executable file is run
 * (no shell) and its output is the password, as Ansible runs it; a script named
 * `*-client` or `*-client.EXT` is given `--vault-id LABEL`. Passwords are held in memory
 * only; errors name the option and the file, never a password.
 */
import { execFile } from 'node:child_process';
import { access, constants, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { VaultKeyring, type VaultPassword } from '../inventory/vault.ts';
import type { AnsibleSettings } from './ansible-config.ts';
import { UsageError } from './errors.ts';
import { collect } from './option-parsers.ts';

const run = promisify(execFile);
const DEFAULT_LABEL = 'default';

export interface VaultOptions {
  vaultId: string[];
  vaultPasswordFile: string[];
  askVaultPass?: boolean;
  /** Not a vault option, but given with them wherever an inventory is read. */
  sshConfig?: string;
}

/** The options commands that read an inventory share with Ansible's: vault passwords and --ssh-config. */
export function addVaultOptions(command: Command): Command {
  return command
    .option('--ssh-config <file>', 'OpenSSH client config for hosts without runbook_ssh_config (ProxyJump, ProxyCommand, HostName, User, IdentityFile)')
    .option('--vault-id <[label@]source>', 'a vault password: a file, an executable script, or prompt; repeatable', collect, [])
    .option('--vault-password-file <file>', 'a vault password file, or an executable script that prints the password; repeatable', collect, [])
    .option('-J, --ask-vault-pass', 'ask for the vault password (on a terminal)');
}

/** A password source as the user wrote it, with the option to name in errors. */
interface Wanted {
  readonly label: string;
  readonly source: string;
  readonly option: string;
}

/** Reads every vault password given; an error names the option and the file. */
export async function vaultKeyring(
  opts: Partial<VaultOptions>,
  env: NodeJS.ProcessEnv,
  settings: Pick<AnsibleSettings, 'vaultPasswordFiles' | 'vaultIdentityList'> = { vaultPasswordFiles: [], vaultIdentityList: [] },
): Promise<VaultKeyring> {
  const wanted: Wanted[] = [];
  // Ansible's order: the configured identities, then the command line's, then the password files.
  for (const id of settings.vaultIdentityList) wanted.push({ ...splitVaultId(id), option: 'vault_identity_list (ANSIBLE_VAULT_IDENTITY_LIST or ansible.cfg)' });
  for (const id of opts.vaultId ?? []) wanted.push({ ...splitVaultId(id), option: '--vault-id' });
  for (const file of opts.vaultPasswordFile ?? []) wanted.push({ label: DEFAULT_LABEL, source: file, option: '--vault-password-file' });
  for (const file of settings.vaultPasswordFiles) wanted.push({ label: DEFAULT_LABEL, source: file, option: 'vault_password_file (ANSIBLE_VAULT_PASSWORD_FILE or ansible.cfg)' });
  if (opts.askVaultPass) wanted.push({ label: DEFAULT_LABEL, source: 'prompt', option: '--ask-vault-pass' });

  const passwords: VaultPassword[] = [];
  for (const w of wanted) {
    const password = w.source === 'prompt' ? await prompt(w) : await fromFile(w, env);
    passwords.push({ label: w.label, source: w.source === 'prompt' ? w.option : basename(w.source), password });
  }
  return new VaultKeyring(passwords);
}

/** `label@source`, or a bare source with the default label (a path may hold @ only after a label). */
function splitVaultId(id: string): { label: string; source: string } {
  const at = id.indexOf('@');
  return at > 0 ? { label: id.slice(0, at), source: id.slice(at + 1) } : { label: DEFAULT_LABEL, source: id };
}

async function fromFile(w: Wanted, env: NodeJS.ProcessEnv): Promise<string> {
  const where = `${w.option} ${w.source}`;
  let text: string;
  if (await isExecutable(w.source)) {
    const args = /-client(\.[^.\/]+)?$/.test(basename(w.source)) ? ['--vault-id', w.label] : [];
    try {
      text = (await run(w.source, args, { env, maxBuffer: 1024 * 1024, timeout: 120_000 })).stdout;
    } catch (err) {
      const e = err as { code?: number | string; signal?: string };
      throw new UsageError(`${where}: the password script failed (${e.signal ? `signal ${e.signal}` : `exit ${String(e.code)}`}); its output is not shown`);
    }
  } else {
    try {
      text = await readFile(w.source, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(`${where}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(err)})`}`);
    }
  }
  // Ansible strips surrounding whitespace (the newline an editor or echo adds).
  const password = text.trim();
  if (password === '') throw new UsageError(`${where}: the vault password is empty`);
  return password;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Asks on the terminal without echoing what is typed. */
async function prompt(w: Wanted): Promise<string> {
  const { stdin, stderr } = process;
  if (!stdin.isTTY) throw new UsageError(`${w.option}: asking for the vault password needs a terminal; use --vault-password-file`);
  // Echo goes off before the prompt shows: someone (or something) typing as soon as it
  // appears must never see the password echoed.
  stdin.setRawMode(true);
  stderr.write(w.label === DEFAULT_LABEL ? 'Vault password: ' : `Vault password (${w.label}): `);
  const password = await new Promise<string>((resolve, reject) => {
    let typed = '';
    stdin.resume();
    const done = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004') return done(new UsageError(`${w.option}: no vault password given`));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
  if (password === '') throw new UsageError(`${w.option}: the vault password is empty`);
  return password;
}
