import { codeSpan, fencedBlock, html, inline } from './markdown.ts';
import type { HostSection, Inline, PlanView, Table } from './view.ts';

/** The plan as a reviewer reads it in a ticket: header, summary table, a section per host, the playbook. */
export function renderMarkdown(view: PlanView): string {
  const out: string[] = [`# ${inline(view.title)}`, '', `**${inline(view.applies)}**`, ''];
  for (const f of view.fields) out.push(`- **${inline(f.label)}:** ${inlines(f.value)}`);
  out.push('', '## Hosts', '', ...table(view.summary), '');
  for (const h of view.hosts) out.push(...hostSection(h));
  out.push(
    '## Playbook',
    '',
    '<details>',
    `<summary>${html(`${view.playbook.file} (sha256 ${view.playbook.sha256})`)}</summary>`,
    '',
    ...fencedBlock(view.playbook.lines, 'yaml'),
    '',
    '</details>',
  );
  return `${out.join('\n')}\n`;
}

function hostSection(h: HostSection): string[] {
  const out = [`## ${inline(h.host)}: ${h.status}`, '', inline(h.headline), ''];
  if (h.wide.length > 0) out.push(...h.wide.map((w) => `> **${inline(w)}**`), '');
  if (h.deviceErrors.length > 0) out.push(...h.deviceErrors.map((e) => `- ${inline(e)}`), '');
  if (h.vars.length > 0) out.push(`**Vars:** ${h.vars.map((v) => codeSpan(v)).join(' ')}`, '');
  for (const t of h.evidence) out.push(`**${inline(t.title)}**`, '', ...table(t), '');
  if (h.statements.length > 0) out.push('**Statements**, in the order they are sent:', '', ...fencedBlock(h.statements), '');
  if (h.configDiff.length > 0) out.push('**Configuration diff** (`show | compare` on the device when planned; apply commits only this diff):', '', ...fencedBlock(h.configDiff, 'diff'), '');
  if (h.checks.length > 0) out.push('**Pre checks** (run again before apply acts; a failed one stops it):', '', ...fencedBlock(h.checks), '');
  if (h.log.length > 0) {
    out.push('<details>', `<summary>Log (${h.log.length} ${h.log.length === 1 ? 'line' : 'lines'})</summary>`, '', ...fencedBlock(h.log), '', '</details>', '');
  }
  return out;
}

function table(t: Table): string[] {
  const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [
    row(t.columns.map((c) => inline(c.name))),
    row(t.columns.map((c) => (c.numeric ? '--:' : '---'))),
    ...t.rows.map((r) => row(t.columns.map((_, i) => inline(r[i] ?? '')))),
  ];
}

function inlines(parts: readonly Inline[]): string {
  return parts.map((p) => (p.code ? codeSpan(p.text) : inline(p.text))).join('');
}
