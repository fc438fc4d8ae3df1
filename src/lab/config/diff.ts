import { CONFIG_SCHEMA, type ParentSchema } from './schema.ts';
import { statementLines } from './render.ts';
import { editPath, pathWords, sameStatement, type ConfigNode } from './tree.ts';

/**
 * `show | compare`: what turns `base` into `changed`, in Junos's text form. Changes are
 * grouped under `[edit ...]` banners naming the deepest statement both sides share;
 * below a banner each line is `+` or `-` then the statement indented four spaces per
 * level, the first level at column four (`+   tcp-initial-timeout 280;`), whole
 * subtrees written out when a statement appears or goes. An old value is shown before
 * the new one. No difference gives an empty string.
 */
export function compareConfigs(base: ConfigNode, changed: ConfigNode): string {
  const out: string[] = [];
  let banner = '';
  const emit = (path: readonly string[], marker: '+' | '-', lines: readonly string[]) => {
    const b = editPath(path);
    if (b !== banner) {
      out.push(b);
      banner = b;
    }
    for (const l of lines) out.push(marker + l.slice(1));
  };

  const walk = (a: ConfigNode, b: ConfigNode, schema: ParentSchema, path: readonly string[]) => {
    const olds = a.children ?? [];
    const news = b.children ?? [];
    // Statements in schema order; within one list, the entries in the new order, then the gone ones.
    for (const s of schema.children) {
      const was = olds.filter((c) => c.name === s.name);
      const now = news.filter((c) => c.name === s.name);
      for (const o of was) {
        if (!now.some((n) => sameStatement(n, o))) emit(path, '-', statementLines(o, s, 1));
      }
      for (const n of now) {
        const o = was.find((x) => sameStatement(x, n));
        if (!o) {
          emit(path, '+', statementLines(n, s, 1));
        } else if (s.kind === 'container' || s.kind === 'list') {
          walk(o, n, s, [...path, ...pathWords(s, n)]);
        } else if (o.value !== n.value || (o.values ?? []).join('\u0000') !== (n.values ?? []).join('\u0000')) {
          emit(path, '-', statementLines(o, s, 1));
          emit(path, '+', statementLines(n, s, 1));
        }
      }
    }
  };

  walk(base, changed, CONFIG_SCHEMA, []);
  return out.length === 0 ? '' : out.join('\n') + '\n';
}
