import type { XmlNode } from '../../xml/node.ts';
import { stepWords, type Step } from './edit.ts';
import { syntaxError, type ConfigRpcError } from './errors.ts';
import { CONFIG_SCHEMA, childByXml, type ParentSchema } from './schema.ts';
import { cloneConfig, editPath, emptyConfig, type ConfigNode } from './tree.ts';

/**
 * The part of a configuration a `<get-configuration>` subtree filter asks for:
 * `<configuration><security><flow/></security></configuration>` keeps `security flow`
 * with everything under it; a list element with key elements (`<application><name>web
 * </name></application>`) keeps those entries only; an element with other children
 * narrows further. Ancestors come along, as in Junos's reply.
 */
export function filterConfig(root: ConfigNode, filter: XmlNode): { tree: ConfigNode } | { error: ConfigRpcError } {
  const out = emptyConfig();
  const made = new Set<ConfigNode>();
  let error: ConfigRpcError | undefined;

  const walk = (src: ConfigNode, dst: ConfigNode, schema: ParentSchema, f: XmlNode, steps: readonly Step[]) => {
    for (const fc of f.children) {
      if (error) return;
      const s = childByXml(schema, fc.name);
      if (!s) {
        error = syntaxError(editPath(stepWords(steps)), fc.name);
        return;
      }
      const keyNames = s.kind === 'list' ? s.keys.map((k) => k.xml) : [];
      const wanted = s.kind === 'list' ? s.keys.map((k) => fc.children.find((x) => x.name === k.xml)?.text.trim()) : [];
      const narrower = fc.children.filter((x) => !keyNames.includes(x.name));
      for (const node of (src.children ?? []).filter((c) => c.name === s.name)) {
        if (wanted.some((w, i) => w !== undefined && w !== '' && node.keys?.[i] !== w)) continue;
        let copy = (dst.children ??= []).find((c) => c === node || (c.name === node.name && (c.keys ?? []).join('\u0000') === (node.keys ?? []).join('\u0000')));
        if (narrower.length === 0 || (s.kind !== 'container' && s.kind !== 'list')) {
          if (!copy) dst.children.push(cloneConfig(node));
          continue;
        }
        if (!copy) {
          copy = { name: node.name, ...(node.keys ? { keys: [...node.keys] } : {}), children: [] };
          dst.children.push(copy);
          made.add(copy);
        }
        walk(node, copy, s, { ...fc, children: narrower }, [...steps, { schema: s, ...(node.keys ? { keys: node.keys } : {}) }]);
      }
    }
  };

  walk(root, out, CONFIG_SCHEMA, filter, []);
  if (error) return { error };
  // Statements the filter walked into but found nothing under are not shown.
  const prune = (node: ConfigNode): boolean => {
    if (node.children) node.children = node.children.filter(prune);
    return !made.has(node) || (node.children ?? []).length > 0;
  };
  prune(out);
  return { tree: out };
}
