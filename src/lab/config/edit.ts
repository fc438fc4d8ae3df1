import { syntaxError, valueError, STATEMENT_NOT_FOUND, type ConfigRpcError } from './errors.ts';
import { CONFIG_SCHEMA, checkValue, childByName, implicitList, type ParentSchema, type StatementSchema } from './schema.ts';
import { editPath, ensureChild, findChild, pathWords, removeChild, type ConfigNode } from './tree.ts';

/**
 * Statements addressed by words, as in `set security flow aging early-ageout 20`: the
 * walk from words to a place in the tree, and the set and delete edits at that place.
 * The set-command loader and the curly-text loader both go through here.
 */

/** One level of a statement's path: the statement and, for a list entry, its keys. */
export interface Step {
  readonly schema: StatementSchema;
  readonly keys?: readonly string[];
}

/** Where a statement is, and the value it carries. */
export interface Target {
  readonly steps: readonly Step[];
  readonly value?: string;
  readonly values?: readonly string[];
}

/** The statements some words name (`... match source-address any application any` names two), or the error Junos gives. */
export type Resolved = { readonly targets: readonly Target[] } | { readonly error: ConfigRpcError };

/** Where relative words start: the root, or an open `{` block of a text load. */
export interface Context {
  readonly schema: ParentSchema;
  readonly steps: readonly Step[];
}

export const ROOT: Context = { schema: CONFIG_SCHEMA, steps: [] };

/** The words of an edit path (`security flow tcp-session`) for some steps. */
export function stepWords(steps: readonly Step[]): string[] {
  return steps.flatMap((s) => pathWords(s.schema, s));
}

/**
 * Resolves words against the schema. After a leaf's value (or a flag) more statements
 * of the same level may follow, as Junos allows (`match source-address any
 * destination-address any application any`). `forDelete` lets a leaf or leaf-list come
 * without its value.
 */
export function resolve(words: readonly string[], from: Context, forDelete: boolean): Resolved {
  const targets: Target[] = [];
  let steps: Step[] = [...from.steps];
  let parent: ParentSchema = from.schema;
  // After a leaf, the level its siblings live at.
  let level: { readonly steps: readonly Step[]; readonly parent: ParentSchema } | undefined;
  let i = 0;
  const here = () => editPath(stepWords(steps));
  while (i < words.length) {
    const w = words[i];
    if (level) {
      steps = [...level.steps];
      parent = level.parent;
      level = undefined;
      if (!childByName(parent, w)) return { error: syntaxError(here(), w) };
    }
    const byName = childByName(parent, w);
    const schema: StatementSchema | undefined = byName ?? implicitList(parent);
    if (!schema) return { error: syntaxError(here(), w) };
    if (byName) i++;
    switch (schema.kind) {
      case 'container':
        steps.push({ schema });
        parent = schema;
        break;
      case 'list': {
        const keys: string[] = [];
        for (const [k, key] of schema.keys.entries()) {
          if (key.word !== undefined) {
            if (words[i] !== key.word) return { error: syntaxError(here(), words[i] ?? schema.name, words[i] === undefined ? `syntax error, expecting '${key.word}'` : 'syntax error') };
            i++;
          }
          const v = words[i];
          if (v === undefined) return { error: syntaxError(here(), schema.name, `syntax error, expecting <${k === 0 ? schema.name : key.word}>`) };
          const problem = checkValue(key.type, v);
          if (problem) return { error: valueError(here(), schema.name, problem) };
          keys.push(v);
          i++;
        }
        steps.push({ schema, keys });
        parent = schema;
        break;
      }
      case 'flag':
        level = { steps: [...steps], parent };
        targets.push({ steps: [...steps, { schema }] });
        break;
      case 'leaf': {
        const at = here();
        level = { steps: [...steps], parent };
        const v = words[i];
        if (v === undefined) {
          if (!forDelete) return { error: syntaxError(at, schema.name, 'syntax error, expecting <data>') };
          targets.push({ steps: [...steps, { schema }] });
          break;
        }
        const problem = checkValue(schema.type, v);
        if (problem) return { error: valueError(at, schema.name, problem) };
        targets.push({ steps: [...steps, { schema }], value: v });
        i++;
        break;
      }
      case 'leaf-list': {
        const at = here();
        level = { steps: [...steps], parent };
        let values: string[];
        if (words[i] === '[') {
          const close = words.indexOf(']', i);
          if (close < 0) return { error: syntaxError(at, words[words.length - 1], "syntax error, expecting ']'") };
          values = words.slice(i + 1, close);
          i = close + 1;
        } else {
          values = words[i] === undefined ? [] : [words[i]];
          i += values.length;
        }
        if (values.length === 0) {
          if (!forDelete) return { error: syntaxError(at, schema.name, 'syntax error, expecting <data>') };
          targets.push({ steps: [...steps, { schema }] });
          break;
        }
        for (const v of values) {
          const problem = checkValue(schema.type, v);
          if (problem) return { error: valueError(at, schema.name, problem) };
        }
        targets.push({ steps: [...steps, { schema }], values });
        break;
      }
    }
  }
  if (!level) targets.push({ steps });
  return { targets };
}

/** Creates what is missing along the target and sets its value. */
export function applySet(root: ConfigNode, target: Target): ConfigNode {
  let node = root;
  let parentSchema: ParentSchema = CONFIG_SCHEMA;
  for (const step of target.steps) {
    node = ensureChild(node, parentSchema, step.schema, step.keys);
    if (step.schema.kind === 'container' || step.schema.kind === 'list') parentSchema = step.schema;
  }
  if (target.value !== undefined) node.value = target.value;
  if (target.values !== undefined) {
    const values = (node.values ??= []);
    for (const v of target.values) if (!values.includes(v)) values.push(v);
  }
  return node;
}

/** The nodes along a target, or undefined when some statement on the way is absent. */
export function findPath(root: ConfigNode, steps: readonly Step[]): ConfigNode[] | undefined {
  const nodes: ConfigNode[] = [root];
  for (const step of steps) {
    const next = findChild(nodes[nodes.length - 1], step.schema.name, step.keys);
    if (!next) return undefined;
    nodes.push(next);
  }
  return nodes;
}

/**
 * Deletes the target (a leaf-list's values when given; a leaf whatever value is named).
 * Containers left empty on the way up go too, as they show nothing. Returns the
 * warning when nothing was there.
 */
export function applyDelete(root: ConfigNode, target: Target): ConfigRpcError | undefined {
  const nodes = findPath(root, target.steps);
  if (!nodes || nodes.length < 2) return nodes ? undefined : STATEMENT_NOT_FOUND;
  const node = nodes[nodes.length - 1];
  if (target.values !== undefined) {
    const present = target.values.filter((v) => node.values?.includes(v));
    if (present.length === 0) return STATEMENT_NOT_FOUND;
    node.values = (node.values ?? []).filter((v) => !present.includes(v));
    if (node.values.length > 0) return undefined;
  }
  removeChild(nodes[nodes.length - 2], node);
  for (let i = nodes.length - 2; i >= 1; i--) {
    const schema = target.steps[i - 1].schema;
    if (schema.kind !== 'container' || (nodes[i].children?.length ?? 0) > 0) break;
    removeChild(nodes[i - 1], nodes[i]);
  }
  return undefined;
}

/** Deletes everything at the root: what `load override` and `delete` with no words start from. */
export function clearAll(root: ConfigNode): void {
  root.children = [];
}

/**
 * The double-quoted string opening at `start` (backslash escapes inside): its text and
 * the index after the closing quote, or undefined when it is not closed.
 */
export function readQuoted(text: string, start: number): { word: string; end: number } | undefined {
  let w = '';
  let i = start + 1;
  while (i < text.length && text[i] !== '"') {
    if (text[i] === '\\' && i + 1 < text.length) i++;
    w += text[i++];
  }
  return i >= text.length ? undefined : { word: w, end: i + 1 };
}

/**
 * Splits a line into words: double quotes keep spaces (backslash escapes inside),
 * brackets are words of their own. An unterminated quote is reported by returning undefined.
 */
export function tokenize(line: string): string[] | undefined {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      const quoted = readQuoted(line, i);
      if (!quoted) return undefined;
      words.push(quoted.word);
      i = quoted.end;
    } else if (c === '[' || c === ']') {
      words.push(c);
      i++;
    } else {
      let w = '';
      while (i < line.length && !/[\s"[\]]/.test(line[i])) w += line[i++];
      words.push(w);
    }
  }
  return words;
}

/** The outcome of a load: its rpc-errors and warnings, in order. */
export interface LoadOutcome {
  readonly diagnostics: ConfigRpcError[];
  /** Statements that failed (what `<load-error-count>` counts). */
  readonly failed: number;
}

/**
 * Applies `set`/`delete` lines to a tree, in order. Each bad line is reported and
 * skipped; the caller decides whether a load with errors is kept (the lab never does).
 */
export function loadSetCommands(root: ConfigNode, text: string): LoadOutcome {
  const diagnostics: ConfigRpcError[] = [];
  let failed = 0;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const words = tokenize(line);
    if (!words) {
      diagnostics.push(syntaxError('[edit]', line, 'syntax error, unterminated quoted string'));
      failed++;
      continue;
    }
    const [verb, ...rest] = words;
    if (verb !== 'set' && verb !== 'delete') {
      diagnostics.push(syntaxError('[edit]', verb));
      failed++;
      continue;
    }
    if (verb === 'delete' && rest.length === 0) {
      clearAll(root);
      continue;
    }
    const r = resolve(rest, ROOT, verb === 'delete');
    if ('error' in r) {
      diagnostics.push(r.error);
      failed++;
      continue;
    }
    for (const target of r.targets) {
      if (verb === 'set') applySet(root, target);
      else {
        const warning = applyDelete(root, target);
        if (warning) diagnostics.push(warning);
      }
    }
  }
  return { diagnostics, failed };
}
