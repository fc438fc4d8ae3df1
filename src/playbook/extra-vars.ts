import { yamlErrorText } from '../schema/yaml-expansion.ts';
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { VarsError } from './vars-error.ts';
import { aliasExpansionProblem } from '../schema/yaml-expansion.ts';

/** One var given on the command line, before it is checked against the playbook. */
export interface ExtraVar {
  readonly name: string;
  /** Text for k=v; any YAML/JSON value for @file and inline mappings. */
  readonly value: unknown;
  /** How it was given: "-e", or "-e @vars.yml" for a file. */
  readonly origin: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PAIR = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/;

/**
 * Reads -e arguments as Ansible does: `k=v`, several `k1=v1 k2=v2` (shell-style
 * quoting), `@file` (YAML or JSON), or an inline JSON/YAML mapping. Later ones win when
 * the playbook's vars are resolved.
 */
export async function parseExtraVars(list: readonly string[]): Promise<ExtraVar[]> {
  const out: ExtraVar[] = [];
  for (const arg of list) {
    const text = arg.trim();
    if (text.startsWith('@')) {
      const file = text.slice(1);
      const origin = `-e @${file}`;
      let content: string;
      try {
        content = await readFile(file, 'utf8');
      } catch (err) {
        const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
        throw new VarsError([{ variable: undefined, source: origin, rule: `cannot read the file: ${reason}` }]);
      }
      out.push(...fromMapping(content, origin));
    } else if (text.startsWith('{')) {
      out.push(...fromMapping(text, '-e'));
    } else {
      const words = splitWords(text, arg);
      const pairs = words.map((w) => PAIR.exec(w));
      if (words.length > 0 && pairs.every((p) => p !== null)) {
        for (const p of pairs) if (p) out.push({ name: p[1], value: p[2], origin: '-e' });
      } else if (/^[A-Za-z_][A-Za-z0-9_]*\s*:/.test(text)) {
        out.push(...fromMapping(text, '-e'));
      } else {
        throw new VarsError([{ variable: undefined, source: `-e ${arg}`, rule: "expected k=v, 'k1=v1 k2=v2', @file or a JSON/YAML mapping" }]);
      }
    }
  }
  return out;
}

function fromMapping(text: string, origin: string): ExtraVar[] {
  const doc = parseDocument(text, { prettyErrors: false });
  const where = origin === '-e' ? `-e ${text}` : origin;
  if (doc.errors.length > 0) {
    throw new VarsError([{ variable: undefined, source: where, rule: `not valid YAML or JSON: ${yamlErrorText(doc.errors[0].message)}` }]);
  }
  const bomb = aliasExpansionProblem(doc);
  if (bomb) {
    const { line, column } = lineColumn(text, bomb.offset);
    throw new VarsError([{ variable: undefined, source: `${where}:${line}:${column}`, rule: bomb.message }]);
  }
  const data: unknown = doc.toJS({ maxAliasCount: -1 });
  if (data === null || data === undefined) return [];
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new VarsError([{ variable: undefined, source: where, rule: 'must be a mapping of var names to values' }]);
  }
  return Object.entries(data as Record<string, unknown>).map(([name, value]) => {
    if (!NAME.test(name)) throw new VarsError([{ variable: name, source: where, rule: `'${name}' is not a var name` }]);
    return { name, value, origin };
  });
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/** Shell-style words: spaces separate, quotes group, backslash escapes. */
function splitWords(text: string, arg: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new VarsError([{ variable: undefined, source: `-e ${arg}`, rule: `unclosed ${quote} quote` }]);
  if (inWord) words.push(word);
  return words;
}
