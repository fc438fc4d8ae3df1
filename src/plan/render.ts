import type { PlanArtifact } from './artifact.ts';
import { renderMarkdown } from './render-markdown.ts';
import { renderText } from './render-text.ts';
import { planView } from './view.ts';

/** How `runbook show` (and the ticket) presents a plan. */
export type PlanFormat =
  /** For a ticket system: tables, code blocks, the playbook collapsed. */
  | 'md'
  /** For a terminal: the same content, aligned, no markup. */
  | 'text'
  /** The artifact itself, pretty-printed: what `apply --plan` reads. */
  | 'json';

/** Pure: a plan as text in the given format, ending with a newline. */
export function renderPlan(plan: PlanArtifact, format: PlanFormat): string {
  switch (format) {
    case 'md':
      return renderMarkdown(planView(plan));
    case 'text':
      return renderText(planView(plan));
    case 'json':
      return `${JSON.stringify(plan, null, 2)}\n`;
  }
}
