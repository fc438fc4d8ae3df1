import { localName, type XmlNode } from '../../xml/node.ts';
import { applyDelete, applySet, stepWords, type LoadOutcome, type Step } from './edit.ts';
import { syntaxError, valueError, type ConfigRpcError } from './errors.ts';
import { CONFIG_SCHEMA, checkValue, childByXml, type ParentSchema } from './schema.ts';
import { editPath, type ConfigNode } from './tree.ts';

/** How statements of an XML load combine with the candidate (`<load-configuration action=...>`). */
export type XmlLoadAction = 'merge' | 'replace' | 'override' | 'update';

/**
 * Loads a `<configuration>` element into a tree. Merge adds and changes statements;
 * under `action="replace"` an element marked `replace="replace"` replaces the statement
 * it names; `delete="delete"` (or NETCONF's `operation="delete"`) deletes it; override
 * starts from an empty configuration (the caller clears the tree).
 */
export function loadXml(root: ConfigNode, configuration: XmlNode, action: XmlLoadAction): LoadOutcome {
  const diagnostics: ConfigRpcError[] = [];
  let failed = 0;
  const fail = (e: ConfigRpcError) => {
    diagnostics.push(e);
    failed++;
  };

  const walk = (el: XmlNode, schema: ParentSchema, steps: readonly Step[], skip: ReadonlySet<string>) => {
    const here = editPath(stepWords(steps));
    for (const c of el.children) {
      if (skip.has(c.name)) continue;
      if (steps.length === 0 && c.name === 'version') continue;
      const child = childByXml(schema, c.name);
      if (!child) {
        fail(syntaxError(here, c.name));
        continue;
      }
      const op = operationOf(c, action);
      let keys: string[] | undefined;
      if (child.kind === 'list') {
        keys = [];
        let bad = false;
        for (const k of child.keys) {
          const v = c.children.find((x) => x.name === k.xml)?.text.trim();
          if (v === undefined || v === '') {
            fail(syntaxError(here, c.name, `syntax error, expecting <${k.xml}>`));
            bad = true;
            break;
          }
          const problem = checkValue(k.type, v);
          if (problem) {
            fail(valueError(here, c.name, problem));
            bad = true;
            break;
          }
          keys.push(v);
        }
        if (bad) continue;
      }
      const next: Step[] = [...steps, { schema: child, ...(keys ? { keys } : {}) }];
      const text = c.text.trim();
      if (op === 'delete') {
        const values = child.kind === 'leaf-list' && text !== '' ? [text] : undefined;
        const warning = applyDelete(root, { steps: next, ...(values ? { values } : {}) });
        if (warning) diagnostics.push(warning);
        continue;
      }
      switch (child.kind) {
        case 'leaf':
        case 'leaf-list': {
          const problem = checkValue(child.type, text);
          if (problem) {
            fail(valueError(here, child.name, problem));
            continue;
          }
          if (op === 'replace') applyDelete(root, { steps: next });
          applySet(root, child.kind === 'leaf' ? { steps: next, value: text } : { steps: next, values: [text] });
          break;
        }
        case 'flag':
          applySet(root, { steps: next });
          break;
        case 'container':
        case 'list':
          if (op === 'replace') applyDelete(root, { steps: next });
          applySet(root, { steps: next });
          walk(c, child, next, new Set(child.kind === 'list' ? child.keys.map((k) => k.xml) : []));
          break;
      }
    }
  };

  walk(configuration, CONFIG_SCHEMA, [], new Set());
  return { diagnostics, failed };
}

function operationOf(el: XmlNode, action: XmlLoadAction): 'merge' | 'replace' | 'delete' {
  let op: 'merge' | 'replace' | 'delete' = 'merge';
  for (const [name, value] of Object.entries(el.attrs)) {
    const local = localName(name);
    if (local === 'delete' && value === 'delete') op = 'delete';
    else if (local === 'replace' && value === 'replace' && action === 'replace') op = 'replace';
    else if (local === 'operation' && (value === 'delete' || value === 'remove')) op = 'delete';
    else if (local === 'operation' && value === 'replace') op = 'replace';
  }
  return op;
}
