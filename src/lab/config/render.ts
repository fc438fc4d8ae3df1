import { esc } from '../render/xml.ts';
import { CONFIG_SCHEMA, type ParentSchema, type StatementSchema } from './schema.ts';
import { pathWords, schemaOf, type ConfigNode } from './tree.ts';

/**
 * A configuration tree in Junos's three forms: curly text (`show configuration`), set
 * commands (`| display set`) and XML (`| display xml`), all walked from the same schema.
 */

/** A value as Junos writes it: quoted when it holds spaces or characters with meaning. */
export function quote(value: string): string {
  return value === '' || /[\s;{}#"[\]]/.test(value) ? `"${value.replace(/(["\\])/g, '\\$1')}"` : value;
}

/** The first line of a statement, without indentation or terminator: `application web`, `tcp-initial-timeout 20`. */
function head(schema: StatementSchema, node: ConfigNode): string {
  const words = pathWords(schema, node).map((w, i) => (schema.kind === 'list' && i > 0 ? quote(w) : w));
  if (schema.kind === 'leaf') return `${words.join(' ')} ${quote(node.value ?? '')}`;
  if (schema.kind === 'leaf-list') {
    const vs = (node.values ?? []).map(quote);
    return vs.length === 1 ? `${schema.name} ${vs[0]}` : `${schema.name} [ ${vs.join(' ')} ]`;
  }
  return words.join(' ');
}

/**
 * The text lines of one statement and what it holds, at `depth` levels of four spaces.
 * `prefix` carries the keyword of a flat container (`family `) onto its children's lines.
 */
export function statementLines(node: ConfigNode, schema: StatementSchema, depth: number, prefix = ''): string[] {
  const pad = '    '.repeat(depth);
  if (schema.kind === 'container' && schema.flat && (node.children ?? []).length > 0) {
    return (node.children ?? []).flatMap((c) => {
      const s = schemaOf(schema, c.name);
      return s ? statementLines(c, s, depth, `${prefix}${schema.name} `) : [];
    });
  }
  const line = prefix + head(schema, node);
  if (schema.kind !== 'container' && schema.kind !== 'list') return [`${pad}${line};`];
  const kids = node.children ?? [];
  if (kids.length === 0) return [`${pad}${line};`];
  return [`${pad}${line} {`, ...childLines(node, schema, depth + 1), `${pad}}`];
}

function childLines(node: ConfigNode, schema: ParentSchema, depth: number): string[] {
  return (node.children ?? []).flatMap((c) => {
    const s = schemaOf(schema, c.name);
    return s ? statementLines(c, s, depth) : [];
  });
}

/** The whole tree as curly text, without the `## Last commit` and `version` lines. */
export function renderText(root: ConfigNode): string {
  const lines = childLines(root, CONFIG_SCHEMA, 0);
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

/** The tree as `set` commands, one per leaf, flag, leaf-list value or empty statement. */
export function renderSet(root: ConfigNode): string[] {
  const out: string[] = [];
  const walk = (node: ConfigNode, schema: ParentSchema, prefix: string) => {
    for (const c of node.children ?? []) {
      const s = schemaOf(schema, c.name);
      if (!s) continue;
      const words = pathWords(s, c).map((w, i) => (s.kind === 'list' && (s.implicit || i > 0) ? quote(w) : w));
      const path = `${prefix} ${words.join(' ')}`;
      switch (s.kind) {
        case 'leaf':
          out.push(`${path} ${quote(c.value ?? '')}`);
          break;
        case 'leaf-list':
          for (const v of c.values ?? []) out.push(`${path} ${quote(v)}`);
          break;
        case 'flag':
          out.push(path);
          break;
        case 'container':
        case 'list':
          if ((c.children ?? []).length === 0) out.push(path);
          else walk(c, s, path);
          break;
      }
    }
  };
  walk(root, CONFIG_SCHEMA, 'set');
  return out;
}

/** The statements under `<configuration>` as XML, pretty-printed from `level` (four spaces each). */
export function renderXmlChildren(root: ConfigNode, level: number): string {
  let out = '';
  const pad = (n: number) => '    '.repeat(n);
  const walk = (node: ConfigNode, schema: ParentSchema, lvl: number) => {
    for (const c of node.children ?? []) {
      const s = schemaOf(schema, c.name);
      if (!s) continue;
      const p = pad(lvl);
      switch (s.kind) {
        case 'leaf':
          out += `${p}<${s.xml}>${esc(c.value ?? '')}</${s.xml}>\n`;
          break;
        case 'leaf-list':
          for (const v of c.values ?? []) out += `${p}<${s.xml}>${esc(v)}</${s.xml}>\n`;
          break;
        case 'flag':
          out += `${p}<${s.xml}/>\n`;
          break;
        case 'container':
          if ((c.children ?? []).length === 0) {
            out += `${p}<${s.xml}/>\n`;
            break;
          }
          out += `${p}<${s.xml}>\n`;
          walk(c, s, lvl + 1);
          out += `${p}</${s.xml}>\n`;
          break;
        case 'list':
          out += `${p}<${s.xml}>\n`;
          s.keys.forEach((k, i) => (out += `${pad(lvl + 1)}<${k.xml}>${esc(c.keys?.[i] ?? '')}</${k.xml}>\n`));
          walk(c, s, lvl + 1);
          out += `${p}</${s.xml}>\n`;
          break;
      }
    }
  };
  walk(root, CONFIG_SCHEMA, level);
  return out;
}
