/**
 * Reads an INI inventory as Ansible's `ini` inventory plugin does:
 *   - lines before any section are hosts of `ungrouped`;
 *   - `[name]` lists hosts, one per line, each with `key=value` variables after it
 *     (split like a shell line, `#` starts a comment), ranges and `name:port` allowed;
 *   - `[name:vars]` holds `key = value` lines for the group;
 *   - `[name:children]` lists child groups, which may be defined further down;
 *   - values are typed as Python literals (`22`, `True`, `'x'`, `[1, 2]`), else text.
 * Problems are collected at file:line:column, as for YAML.
 */
import type { SourceSpan } from '../contracts/source-span.ts';
import type { Definitions, VarLayer } from './definitions.ts';
import { expandHostKey } from './host-range.ts';
import { pythonLiteral } from './python-literal.ts';
import { storeVar } from './read-vars.ts';
import type { InventoryIssue } from './types.ts';
import { oldNameNote } from './var-checks.ts';

/** Ansible's pattern for a section header: `[name]`, `[name:vars]`, `[name:children]`, then maybe a comment. */
const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

type State = 'hosts' | 'vars' | 'children';

interface Pending {
  readonly at: SourceSpan;
  readonly state: 'vars' | 'children';
  readonly parents: string[];
}

export interface IniResult {
  readonly issues: InventoryIssue[];
  readonly warnings: InventoryIssue[];
}

/** `secret`: the file was vault-encrypted, so every value in it is a secret. */
export function readIniInventory(file: string, text: string, defs: Definitions, secret = false): IniResult {
  return new IniReader(file, defs, secret).read(text);
}

/** Ansible's typing of an INI value: a Python literal's value, else the text itself. */
export function iniValue(text: string): unknown {
  const literal = pythonLiteral(text);
  return literal ? literal.value : text;
}

class IniReader {
  private readonly result: IniResult = { issues: [], warnings: [] };
  private group = 'ungrouped';
  private state: State = 'hosts';
  /** Groups named in `:children` or `:vars` before their own section, as Ansible tracks them. */
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly file: string,
    private readonly defs: Definitions,
    private readonly secret: boolean,
  ) {}

  read(text: string): IniResult {
    const lines = text.split(/\r?\n/);
    lines.forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
      const at: SourceSpan = { file: this.file, line: i + 1, column: raw.length - raw.trimStart().length + 1 };
      if (line.startsWith('[') && SECTION.test(line)) this.section(line, at);
      else if (line.startsWith('[')) this.report(at, `'${line}' is not a section header: write [group], [group:vars] or [group:children]`);
      else if (this.state === 'hosts') this.hostLine(raw, at);
      else if (this.state === 'vars') this.varLine(line, at);
      else this.childLine(line, at);
    });
    for (const [name, p] of this.pending) {
      if (p.state === 'vars') this.report(p.at, `section [${name}:vars] is for a group that is never defined: ${name}`);
      else this.addPendingChildren(name, p);
    }
    return this.result;
  }

  private report(at: SourceSpan, message: string): void {
    this.result.issues.push({ ...at, message });
  }

  private section(line: string, at: SourceSpan): void {
    const [, name, kind] = SECTION.exec(line)!;
    const state = kind ?? 'hosts';
    if (state !== 'hosts' && state !== 'vars' && state !== 'children') {
      this.report(at, `section [${name}:${state}] has an unknown type '${state}': use [${name}], [${name}:vars] or [${name}:children]`);
      // Lines until the next section would be misread: skip them as vars of a scratch group.
      this.group = '';
      this.state = 'vars';
      return;
    }
    this.group = name!;
    this.state = state;
    if (state === 'vars') {
      if (!this.defs.groups.has(this.group) && !this.pending.has(this.group)) this.pending.set(this.group, { at, state, parents: [] });
      return;
    }
    this.defs.group(this.group, at);
    const waiting = this.pending.get(this.group);
    if (waiting?.state === 'children') this.addPendingChildren(this.group, waiting);
    else if (waiting) this.pending.delete(this.group);
  }

  private addPendingChildren(name: string, p: Pending): void {
    this.pending.delete(name);
    this.defs.group(name, p.at);
    for (const parent of p.parents) this.addChild(parent, name, p.at);
  }

  private addChild(parent: string, child: string, at: SourceSpan): void {
    const cycle = this.defs.addChild(parent, child);
    if (cycle) this.report(at, `group '${child}' under '${parent}' makes a cycle of children: ${cycle.join(' → ')}`);
  }

  private hostLine(raw: string, at: SourceSpan): void {
    const tokens = shellWords(raw);
    if ('error' in tokens) {
      this.report(at, `host line: ${tokens.error}`);
      return;
    }
    if (tokens.words.length === 0) return;
    const [pattern, ...assignments] = tokens.words;
    const expanded = expandHostKey(pattern!);
    if ('error' in expanded) {
      this.report(at, expanded.error);
      return;
    }
    const own: VarLayer = new Map();
    for (const a of assignments) {
      const eq = a.indexOf('=');
      if (eq <= 0) {
        this.report(at, `host '${pattern}': expected key=value after the host name, got '${a.length > 40 ? `${a.slice(0, 37)}...` : a}'`);
        return;
      }
      const key = a.slice(0, eq);
      this.store(key, iniValue(a.slice(eq + 1)), at, own);
    }
    const group = this.defs.groups.get(this.group)!;
    for (const name of expanded.hosts) {
      const host = this.defs.host(name, at);
      host.groups.add(group.name);
      group.hosts.add(name);
      if (expanded.port !== undefined) host.vars.set('ansible_port', { value: expanded.port, at });
      for (const [k, v] of own) host.vars.set(k, v);
    }
  }

  private varLine(line: string, at: SourceSpan): void {
    if (this.group === '') return;
    const eq = line.indexOf('=');
    if (eq < 0) {
      this.report(at, `[${this.group}:vars] lines are key = value`);
      return;
    }
    const key = line.slice(0, eq).trim();
    if (key === '') {
      this.report(at, `[${this.group}:vars]: a variable needs a name before '='`);
      return;
    }
    // The group may be defined further down; its variables wait in a layer of their own.
    const group = this.defs.group(this.group, at);
    this.store(key, iniValue(line.slice(eq + 1).trim()), at, group.vars, (p) => (group.priority = p));
  }

  private childLine(line: string, at: SourceSpan): void {
    const m = GROUP_NAME.exec(line);
    if (!m) {
      this.report(at, `[${this.group}:children] lists one group name per line`);
      return;
    }
    const child = m[1]!;
    if (child === 'all') {
      this.report(at, `'all' cannot be a child of '${this.group}': every group is already in 'all'`);
      return;
    }
    if (this.defs.groups.has(child) && !this.pending.has(child)) {
      this.addChild(this.group, child, at);
      return;
    }
    const p = this.pending.get(child);
    if (p?.state === 'children') p.parents.push(this.group);
    else this.pending.set(child, { at, state: 'children', parents: [this.group] });
  }

  private store(key: string, value: unknown, at: SourceSpan, layer: VarLayer, setPriority?: (p: number) => void): void {
    const note = oldNameNote(key);
    if (note) this.result.warnings.push({ ...at, message: note });
    const problem = storeVar(key, value, at, { layer, ...(setPriority ? { setPriority } : {}) }, this.secret);
    if (problem) this.report(at, problem);
  }
}

/**
 * A line split as Python's `shlex.split(line, comments=True)` splits it (what Ansible
 * uses for host lines): whitespace separates words, '...' is literal, "..." keeps
 * backslash only before " and \, a backslash outside quotes escapes the next character,
 * and `#` outside quotes ends the line.
 */
export function shellWords(line: string): { words: string[] } | { error: string } {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (c === '#') {
      break;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return { error: 'no closing quotation' };
      word = (word ?? '') + line.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let out = '';
      let j = i + 1;
      for (;;) {
        if (j >= line.length) return { error: 'no closing quotation' };
        const d = line[j]!;
        if (d === '"') break;
        if (d === '\\' && (line[j + 1] === '"' || line[j + 1] === '\\')) {
          out += line[j + 1];
          j += 2;
          continue;
        }
        out += d;
        j++;
      }
      word = (word ?? '') + out;
      i = j + 1;
    } else if (c === '\\') {
      if (i + 1 >= line.length) return { error: 'no escaped character' };
      word = (word ?? '') + line[i + 1];
      i += 2;
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  return { words };
}
