/**
 * Ansible Vault: the passwords given for a run (each with its vault-id label) and the
 * decryption of vault 1.1/1.2 texts, whole files or inline `!vault` values, with the
 * `ansible-vault` npm package (the cipher is not written here). As Ansible does, a
 * text labelled with a vault id is tried with that id's password first, then with
 * every other one. Decrypted text is only ever returned, never logged or kept.
 */
import { Vault } from 'ansible-vault';

export interface VaultPassword {
  /** The vault id (`--vault-id label@source`); `default` for a password without one. */
  readonly label: string;
  /** Where the password came from, for messages: an option or a file name, never the password. */
  readonly source: string;
  readonly password: string;
}

export type Decrypted = { readonly plaintext: string } | { readonly problem: string };

const HEADER = /^\$ANSIBLE_VAULT;(1\.[12]);AES256(?:;([^\s;]+))?\s*$/;

interface Opener {
  readonly label: string;
  readonly source: string;
  readonly vault: Vault;
}

/**
 * Passwords and decrypted texts live here, outside any object: no inspect, JSON or
 * crash dump of a keyring can reach them.
 */
const held = new WeakMap<VaultKeyring, { readonly openers: readonly Opener[]; readonly done: Map<string, string> }>();

export class VaultKeyring {
  readonly size: number;

  constructor(passwords: readonly VaultPassword[]) {
    const openers = passwords.map((p) => ({ label: p.label, source: p.source, vault: new Vault({ password: p.password }) }));
    // `done`: decryptions by ciphertext, as a value written once per group is read for each host.
    held.set(this, { openers, done: new Map() });
    this.size = openers.length;
  }

  /** Decrypts a vault text: the header line, then hex lines (indentation of inline values is ignored). */
  decrypt(text: string): Decrypted {
    const lines = text
      .trim()
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '');
    const header = HEADER.exec(lines[0] ?? '');
    if (!header) return { problem: 'not an Ansible Vault text: the first line must be $ANSIBLE_VAULT;1.1;AES256 or $ANSIBLE_VAULT;1.2;AES256;LABEL' };
    const normalised = lines.join('\n');
    const { openers, done } = held.get(this)!;
    const cached = done.get(normalised);
    if (cached !== undefined) return { plaintext: cached };
    const label = header[2];
    if (openers.length === 0) {
      return { problem: `vault-encrypted${label ? ` (vault id '${label}')` : ''}, and no vault password was given: use --vault-password-file, --vault-id or --ask-vault-pass` };
    }
    const ordered = [...openers].sort((a, b) => Number(b.label === label) - Number(a.label === label));
    for (const { vault } of ordered) {
      const plaintext = tryDecrypt(vault, normalised);
      if (plaintext === 'malformed') return { problem: 'the vault text is damaged (bad hex or missing parts)' };
      if (plaintext !== undefined) {
        done.set(normalised, plaintext);
        return { plaintext };
      }
    }
    const tried = openers.map((o) => `'${o.label}' (${o.source})`).join(', ');
    return { problem: `cannot decrypt${label ? ` (vault id '${label}')` : ''}: no vault password given matches (tried ${tried})` };
  }

  toJSON(): string {
    return `VaultKeyring(${this.size} passwords)`;
  }
}

/** The plaintext, undefined for a wrong password, 'malformed' for a text no password could open. */
function tryDecrypt(vault: Vault, text: string): string | undefined | 'malformed' {
  try {
    // No id: the library then tries this password whatever the text's label is.
    return vault.decryptSync(text, undefined) ?? undefined;
  } catch (err) {
    const message = err instanceof Error ? err.message : '';
    if (message === 'Integrity check failed') return undefined;
    return 'malformed';
  }
}

export function isVaultText(text: string): boolean {
  return text.startsWith('$ANSIBLE_VAULT;');
}
