import type { HostSection, PlanView, Table } from './view.ts';

/** The plan for a terminal: the Markdown's content, aligned, with no markup. */
export function renderText(view: PlanView): string {
  const labelWidth = Math.max(...view.fields.map((f) => f.label.length)) + 1;
  const out: string[] = [view.title, '', view.applies, ''];
  for (const f of view.fields) out.push(`  ${`${f.label}:`.padEnd(labelWidth)}  ${f.value.map((p) => p.text).join('')}`);
  out.push('', 'Hosts', ...table(view.summary, '  '), '');
  for (const h of view.hosts) out.push(...hostSection(h));
  out.push(`Playbook ${view.playbook.file} (sha256 ${view.playbook.sha256})`, ...view.playbook.lines.map((l) => (l === '' ? '' : `    ${l}`)));
  return `${out.join('\n')}\n`;
}

function hostSection(h: HostSection): string[] {
  const out = [`${h.host}: ${h.status}`, `  ${h.headline}`, ...h.wide.map((w) => `  ${w}`)];
  for (const e of h.deviceErrors) out.push(`    ${e}`);
  if (h.vars.length > 0) out.push(`  Vars: ${h.vars.join(' ')}`);
  for (const t of h.evidence) out.push(`  ${t.title}:`, ...table(t, '    '));
  if (h.statements.length > 0) out.push('  Statements, in the order they are sent:', ...h.statements.map((s) => `    ${s}`));
  if (h.configDiff.length > 0) out.push('  Configuration diff (show | compare when planned; apply commits only this diff):', ...h.configDiff.map((s) => `    ${s}`));
  if (h.checks.length > 0) out.push('  Pre checks:', ...h.checks.map((c) => `    ${c}`));
  if (h.log.length > 0) out.push('  Log:', ...h.log.map((l) => `    ${l}`));
  out.push('');
  return out;
}

/** Columns padded to their widest cell; numbers right-aligned so counts line up. */
function table(t: Table, indent: string): string[] {
  const widths = t.columns.map((c, i) => Math.max(c.name.length, ...t.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `${indent}${t.columns
      .map((c, i) => {
        const text = cells[i] ?? '';
        const last = i === t.columns.length - 1;
        if (c.numeric) return text.padStart(widths[i]);
        return last ? text : text.padEnd(widths[i]);
      })
      .join('  ')}`.trimEnd();
  return [line(t.columns.map((c) => c.name)), ...t.rows.map(line)];
}
