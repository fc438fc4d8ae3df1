/**
 * Loads Ansible inventories, so an inventory written for Ansible works unchanged: INI
 * (ini-document.ts), the JSON `ansible-inventory --list` prints (list-document.ts), and
 * YAML: `all:` or top-level groups, `hosts`/`vars`/`children` nested to any depth, hosts in
 * several groups, host ranges (`srx[01:20].example.net`), `name:port` keys, `<<` merges,
 * group_vars/ and host_vars/ next to each source, and a directory given with -i (its
 * files, sorted, recursively, skipping the extensions Ansible ignores; mixed formats). Several -i merge in order: later
 * files add hosts and groups and override variables. Precedence: see assemble.ts.
 *
 * Every problem in every file is collected and thrown as one InventoryError, each at
 * its file:line:column, so a user fixes them all in one go.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { assembleInventory } from './assemble.ts';
import { Definitions } from './definitions.ts';
import { InventoryError } from './errors.ts';
import { readIniInventory } from './ini-document.ts';
import { iniHeaderLine, readInventoryDocument } from './inventory-document.ts';
import { isListFormat, readListDocument } from './list-document.ts';
import type { Inventory, InventoryIssue } from './types.ts';
import { isVaultText, VaultKeyring } from './vault.ts';
import { readVarsDirs } from './vars-dirs.ts';
import { YamlSource } from './yaml-source.ts';

const YAML_EXTENSIONS = new Set(['.yml', '.yaml', '.json']);
/** Ansible's default inventory_ignore_extensions: files in an inventory directory it does not read. */
const IGNORED_EXTENSIONS = ['.pyc', '.pyo', '.swp', '.bak', '~', '.rpm', '.md', '.txt', '.rst', '.orig', '.cfg', '.retry'];
const VARS_DIRS = new Set(['group_vars', 'host_vars']);

export interface LoadOptions {
  /** Passwords for vault-encrypted vars files and `!vault` values. */
  readonly vault?: VaultKeyring;
}

export async function loadInventory(files: readonly string[], options: LoadOptions = {}): Promise<Inventory> {
  const vault = options.vault ?? new VaultKeyring([]);
  const issues: InventoryIssue[] = [];
  const warnings: InventoryIssue[] = [];
  const sources: string[] = [];
  const baseDirs: string[] = [];
  for (const given of files) {
    const kind = await pathKind(given);
    if (typeof kind === 'object') {
      issues.push(kind);
    } else if (kind === 'dir') {
      const inside = await inventoryFilesIn(given);
      if (inside.length === 0) issues.push(wholeFile(given, 'no inventory files in this directory'));
      sources.push(...inside);
      baseDirs.push(given);
    } else {
      sources.push(given);
      baseDirs.push(dirname(given));
    }
  }

  const defs = new Definitions();
  for (const file of sources) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      issues.push(wholeFile(file, `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`));
      continue;
    }
    // A whole inventory file may be vault-encrypted too; its every value is then a secret.
    const encrypted = isVaultText(text);
    if (encrypted) {
      const decrypted = vault.decrypt(text);
      if ('problem' in decrypted) {
        issues.push({ file, line: 1, column: 1, message: decrypted.problem });
        continue;
      }
      text = decrypted.plaintext;
    }
    if (isIni(file, text)) {
      const ini = readIniInventory(file, text, defs, encrypted);
      issues.push(...ini.issues);
      warnings.push(...ini.warnings);
      continue;
    }
    const { source, root } = YamlSource.parse(file, text);
    source.vault = vault;
    source.secret = encrypted;
    if (source.issues.length === 0) {
      if (isListFormat(source, root)) readListDocument(source, root, defs);
      else readInventoryDocument(source, root, defs);
    }
    issues.push(...source.issues);
    warnings.push(...source.warnings);
  }

  const varsDirs = await readVarsDirs([...new Set(baseDirs)], defs, vault);
  issues.push(...varsDirs.issues);
  warnings.push(...varsDirs.warnings);
  const assembled = assembleInventory(defs, sources, warnings);
  issues.push(...assembled.issues);
  if (issues.length > 0) throw new InventoryError(inFileOrder(issues, [...files, ...sources, ...varsDirs.files]));
  return assembled.inventory;
}

/** For a file that cannot be read at all: no line to point at. */
function wholeFile(file: string, message: string): InventoryIssue {
  return { file, line: 0, column: 0, message };
}

async function pathKind(path: string): Promise<'file' | 'dir' | InventoryIssue> {
  try {
    return (await stat(path)).isDirectory() ? 'dir' : 'file';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return wholeFile(path, code === 'ENOENT' ? 'no such inventory file or directory' : `cannot read: ${code ?? String(err)}`);
  }
}

/** An inventory directory's files, as Ansible reads them: sorted, recursively, skipping vars directories and hidden files. */
async function inventoryFilesIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = join(dir, e.name);
    const isDir = e.isDirectory() || (e.isSymbolicLink() && (await pathKind(full)) === 'dir');
    if (isDir) {
      if (!VARS_DIRS.has(e.name)) out.push(...(await inventoryFilesIn(full)));
    } else if (!IGNORED_EXTENSIONS.some((x) => e.name.endsWith(x))) {
      out.push(full);
    }
  }
  return out;
}

/**
 * Which reader a file needs. Ansible tries its YAML plugin on .yml/.yaml/.json files and
 * its INI plugin on the rest; a file whose first line is a section header is INI whatever
 * its name, and a file without those extensions that opens like YAML is read as YAML.
 */
function isIni(file: string, text: string): boolean {
  if (iniHeaderLine(text) > 0) return true;
  if (YAML_EXTENSIONS.has(extname(file))) return false;
  const first = text.split(/\r?\n/).find((l) => l.trim() !== '' && !/^\s*[#;]/.test(l)) ?? '';
  return !(/^---/.test(first) || /^\s*\{/.test(first) || /^[^\s=]+:\s*(#.*)?$/.test(first.trimEnd()));
}

/** Issues by file (in the order files were named and read), then line and column. */
function inFileOrder(issues: readonly InventoryIssue[], files: readonly string[]): InventoryIssue[] {
  const rank = new Map<string, number>();
  for (const f of [...files, ...issues.map((i) => i.file)]) if (!rank.has(f)) rank.set(f, rank.size);
  return [...issues].sort((a, b) => rank.get(a.file)! - rank.get(b.file)! || a.line - b.line || a.column - b.column);
}
