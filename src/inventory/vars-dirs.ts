/**
 * group_vars/ and host_vars/ next to an inventory source, as Ansible's host_group_vars
 * plugin reads them: for a group or host NAME, the file NAME, NAME.yml, NAME.yaml or
 * NAME.json, or every such file under the directory NAME/ (sorted, recursively). Files
 * for groups or hosts the inventory does not have are ignored, as Ansible ignores them.
 * A vault-encrypted file is decrypted in memory with the run's vault passwords, and
 * every variable in it is a secret; without a matching password it is an error there,
 * as in Ansible.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Definitions } from './definitions.ts';
import { readVars, type VarsTarget } from './read-vars.ts';
import type { InventoryIssue } from './types.ts';
import { isVaultText, type VaultKeyring } from './vault.ts';
import { YamlSource } from './yaml-source.ts';

const VARS_EXTENSIONS = new Set(['', '.yml', '.yaml', '.json']);

export interface VarsDirResult {
  readonly files: string[];
  readonly issues: InventoryIssue[];
  readonly warnings: InventoryIssue[];
}

type Listing = Map<string, 'file' | 'dir'> | undefined;

/** Reads the vars directories of each base directory, in order, into the definitions. */
export async function readVarsDirs(baseDirs: readonly string[], defs: Definitions, vault: VaultKeyring): Promise<VarsDirResult> {
  const result: VarsDirResult = { files: [], issues: [], warnings: [] };
  for (const base of baseDirs) {
    // Listed once: a large inventory asks about every one of its hosts.
    const groupDir = join(base, 'group_vars');
    const groupListing = await listDir(groupDir);
    for (const [name, group] of defs.groups) {
      for (const f of await entityFiles(groupDir, groupListing, name)) {
        await readVarsFile(f, { layer: group.dirVars, setPriority: (p) => (group.priority = p) }, result, vault);
      }
    }
    const hostDir = join(base, 'host_vars');
    const hostListing = await listDir(hostDir);
    for (const [name, host] of defs.hosts) {
      for (const f of await entityFiles(hostDir, hostListing, name)) await readVarsFile(f, { layer: host.dirVars }, result, vault);
    }
  }
  return result;
}

/** The files holding NAME's variables in `dir`, in the order Ansible reads them. */
async function entityFiles(dir: string, listing: Listing, name: string): Promise<string[]> {
  if (!listing) return [];
  const out: string[] = [];
  for (const ext of VARS_EXTENSIONS) {
    const entry = listing.get(name + ext);
    if (entry === 'file') out.push(join(dir, name + ext));
    else if (entry === 'dir') out.push(...(await filesUnder(join(dir, name + ext))));
  }
  return out;
}

async function listDir(dir: string): Promise<Listing> {
  try {
    const listing = new Map<string, 'file' | 'dir'>();
    for (const e of await readdir(dir, { withFileTypes: true })) {
      // group_vars entries are often links into a shared tree.
      const s = e.isSymbolicLink() ? await stat(join(dir, e.name)).catch(() => undefined) : e;
      if (s?.isDirectory()) listing.set(e.name, 'dir');
      else if (s?.isFile()) listing.set(e.name, 'file');
    }
    return listing;
  } catch {
    return undefined;
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const ents = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of [...ents].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.name.startsWith('.')) continue;
    const full = join(dir, e.name);
    const s = e.isSymbolicLink() ? await stat(full).catch(() => undefined) : e;
    if (s?.isDirectory()) out.push(...(await filesUnder(full)));
    else if (s?.isFile() && VARS_EXTENSIONS.has(extname(e.name))) out.push(full);
  }
  return out;
}

async function readVarsFile(file: string, target: VarsTarget, result: VarsDirResult, vault: VaultKeyring): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    result.issues.push({ file, line: 0, column: 0, message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
    return;
  }
  result.files.push(file);
  const encrypted = isVaultText(text);
  if (encrypted) {
    const decrypted = vault.decrypt(text);
    if ('problem' in decrypted) {
      result.issues.push({ file, line: 1, column: 1, message: decrypted.problem });
      return;
    }
    text = decrypted.plaintext;
  }
  const { source, root } = YamlSource.parse(file, text);
  source.vault = vault;
  source.secret = encrypted;
  readVars(source, root, target, 'a vars file');
  result.issues.push(...source.issues);
  result.warnings.push(...source.warnings);
}
