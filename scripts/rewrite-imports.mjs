#!/usr/bin/env node
/**
 * Rewrites relative imports after the layering moves of issue 12 (contracts at the
 * bottom, the lab behind one seam). Idempotent: run it again on any branch, it changes
 * only imports that still name an old place.
 *
 *   node scripts/rewrite-imports.mjs [dir ...]     (default: src test bench)
 *
 * MODULES maps a moved file to its new path; SYMBOLS maps a named export that moved to
 * another module (re-imported with `import type` unless marked `value`). WARNINGS name
 * calls whose signature changed: the script prints where they are, a person fixes them.
 */
import fs from 'node:fs';
import path from 'node:path';

const MODULES = {
  'src/engine/results.ts': 'src/contracts/results.ts',
  'src/engine/session.ts': 'src/contracts/session.ts',
  'src/steps/audit.ts': 'src/contracts/audit.ts',
  'src/cli/lab-hosts.ts': 'src/cli/lab-wiring.ts',
  // The hand-written extractors became named tables (item 6).
  'src/junos/flow-sessions.ts': 'src/junos/tables/flow-sessions.ts',
  'src/junos/flow-session-record.ts': 'src/junos/tables/flow-sessions.ts',
  'src/junos/flow-summary.ts': 'src/junos/tables/flow-session-summary.ts',
  'src/junos/ike-sa.ts': 'src/junos/tables/ike-sas.ts',
  'src/junos/ipsec-sa.ts': 'src/junos/tables/ipsec-sas.ts',
  'src/junos/software.ts': 'src/junos/tables/software.ts',
};

const SYMBOLS = [
  { name: 'RpcOptions', from: 'src/transport/session.ts', to: 'src/contracts/session.ts' },
  { name: 'RpcReply', from: 'src/transport/session.ts', to: 'src/contracts/session.ts' },
  { name: 'RpcErrorInfo', from: 'src/transport/errors.ts', to: 'src/contracts/session.ts' },
  { name: 'SourceSpan', from: 'src/playbook/types.ts', to: 'src/contracts/source-span.ts' },
  { name: 'failureOf', from: 'src/engine/host-run.ts', to: 'src/contracts/failure.ts', value: true },
];

const WARNINGS = [
  { pattern: /\bactionFailure\(/, say: "actionFailure(err) is gone: use failureOf('act', err) from src/contracts/failure.ts" },
  { pattern: /\bendOf\([^()]*,/, say: 'endOf(err, failure) is now endOf(failure) (src/contracts/audit.ts)' },
  { pattern: /\.name\s*[!=]==\s*'(PlaybookError|VarsError|InventoryError|LimitError|CredentialError|ExpressionError|PlanFileError|RpcBuildError)'/, say: 'classify with instanceof (input errors extend InputError, src/contracts/input-error.ts)' },
  { pattern: /from '[./]*\/lab\//, say: 'imports the simulator: only src/cli/lab-wiring.ts and src/cli/commands/lab.ts may (npm run deps)', only: /^src\/(?!lab\/|cli\/lab-wiring\.ts|cli\/commands\/lab\.ts)/ },
];

const root = process.cwd();
const dirs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['src', 'test', 'bench'];

function* tsFiles(dir) {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules') yield* tsFiles(p);
    else if (e.isFile() && /\.(ts|mts|mjs)$/.test(e.name)) yield p;
  }
}

/** The repo-relative path a relative specifier in `file` points at. */
function target(file, spec) {
  return path.relative(root, path.resolve(path.dirname(file), spec)).split(path.sep).join('/');
}

/** The specifier `file` uses for the repo-relative path `to`. */
function specFor(file, to) {
  let rel = path.relative(path.dirname(file), path.resolve(root, to)).split(path.sep).join('/');
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return rel;
}

function rewriteModules(file, text) {
  return text.replace(/(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\2/g, (all, lead, q, spec) => {
    const to = MODULES[target(file, spec)];
    return to ? `${lead}${q}${specFor(file, to)}${q}` : all;
  });
}

/** Marks where a wholly moved import stood, so its replacement takes the same place. */
const HOLE = '\u0000moved-import\u0000\n';

const IMPORT = /import\s+(type\s+)?\{([^}]*)\}\s*from\s*(['"])(\.{1,2}\/[^'"]+)\3;?[ \t]*\n?/g;

function rewriteSymbols(file, text) {
  const added = new Map(); // new module -> names
  const out = text.replace(IMPORT, (all, typeOnly, names, q, spec) => {
    const from = target(file, spec);
    const moving = SYMBOLS.filter((s) => s.from === from);
    if (moving.length === 0) return all;
    const parts = names.split(',').map((n) => n.trim()).filter(Boolean);
    const keep = [];
    for (const part of parts) {
      const bare = part.replace(/^type\s+/, '');
      const [imported, local] = bare.split(/\s+as\s+/);
      const move = moving.find((s) => s.name === imported);
      if (!move) keep.push(part);
      else (added.get(move.to) ?? added.set(move.to, []).get(move.to)).push({ text: local ? `${imported} as ${local}` : imported, value: move.value === true });
    }
    if (keep.length === parts.length) return all;
    if (keep.length === 0) return HOLE;
    return `import ${typeOnly ?? ''}{ ${keep.join(', ')} } from ${q}${spec}${q};\n`;
  });
  if (added.size === 0) return text;
  let result = out;
  for (const [to, names] of added) {
    const spec = specFor(file, to);
    // Merge into an existing import of the new module when there is one.
    const existing = new RegExp(`import\\s+(type\\s+)?\\{([^}]*)\\}\\s*from\\s*(['"])${spec.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\3;`);
    const m = existing.exec(result);
    if (m) {
      const typeOnly = m[1] !== undefined && names.every((n) => !n.value);
      const have = m[2].split(',').map((n) => n.trim()).filter(Boolean).map((n) => (m[1] && !typeOnly ? `type ${n}` : n));
      const more = names.filter((n) => !have.includes(n.text) && !have.includes(`type ${n.text}`)).map((n) => (typeOnly || n.value ? n.text : `type ${n.text}`));
      result = result.replace(m[0], `import ${typeOnly ? 'type ' : ''}{ ${[...have, ...more].join(', ')} } from ${m[3]}${spec}${m[3]};`);
    } else {
      const values = names.filter((n) => n.value).map((n) => n.text);
      const types = names.filter((n) => !n.value).map((n) => n.text);
      const line = values.length === 0 ? `import type { ${types.join(', ')} } from '${spec}';\n` : `import { ${[...values, ...types.map((t) => `type ${t}`)].join(', ')} } from '${spec}';\n`;
      if (result.includes(HOLE)) {
        result = result.replace(HOLE, line);
        continue;
      }
      const lastImport = [...result.matchAll(/^import[\s\S]*?from\s*['"][^'"]+['"];?[ \t]*\n/gm)].at(-1);
      const at = lastImport ? lastImport.index + lastImport[0].length : 0;
      result = result.slice(0, at) + line + result.slice(at);
    }
  }
  return result.replaceAll(HOLE, '');
}

let changed = 0;
for (const dir of dirs) {
  for (const file of tsFiles(dir)) {
    const before = fs.readFileSync(file, 'utf8');
    const after = rewriteSymbols(file, rewriteModules(file, before));
    if (after !== before) {
      fs.writeFileSync(file, after);
      changed++;
      console.log(`rewrote ${file}`);
    }
    const rel = path.relative(root, file).split(path.sep).join('/');
    after.split('\n').forEach((line, i) => {
      for (const w of WARNINGS) if (w.pattern.test(line) && (!w.only || w.only.test(rel))) console.log(`check ${rel}:${i + 1}: ${w.say}`);
    });
  }
}
console.log(`${changed} file(s) rewritten`);
