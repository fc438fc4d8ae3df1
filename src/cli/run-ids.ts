import { newRunId, ticketProblem, type RunIds } from '../contracts/run-ids.ts';
import type { InventoryHost } from '../inventory/types.ts';
import type { Playbook } from '../playbook/types.ts';
import { UsageError } from './errors.ts';

/**
 * The run's ids: a new run id, and the ticket from --ticket, else the playbook's
 * `ticket:`, else the targets' inventory var `runbook_ticket` (the inventory checked
 * its form where it is written). One run, one ticket: targets that disagree are an error.
 */
export function runIdsFor(option: string | undefined, playbook: Pick<Playbook, 'ticket'>, hosts: readonly InventoryHost[]): RunIds {
  const ticket = option !== undefined ? checkedOption(option) : (playbook.ticket ?? inventoryTicket(hosts));
  return { runId: newRunId(), ...(ticket !== undefined ? { ticket } : {}) };
}

function checkedOption(ticket: string): string {
  const problem = ticketProblem(ticket);
  if (problem !== undefined) throw new UsageError(`--ticket ${JSON.stringify(ticket)}: ${problem}`);
  return ticket;
}

function inventoryTicket(hosts: readonly InventoryHost[]): string | undefined {
  const seen = new Map<string, InventoryHost>();
  for (const h of hosts) {
    const v = h.vars.runbook_ticket;
    if (v !== undefined && !seen.has(String(v))) seen.set(String(v), h);
  }
  if (seen.size <= 1) return [...seen.keys()][0];
  const where = [...seen].map(([t, h]) => {
    const at = h.varsAt.runbook_ticket;
    return `  ${h.name}: ${t}${at ? ` (${at.file}:${at.line}:${at.column})` : ''}`;
  });
  throw new UsageError(`the targeted hosts set different runbook_ticket values; a run has one ticket: give --ticket, or limit the run\n${where.join('\n')}`);
}

/** Said under the banner, so the operator has the id to find the run's traces by. */
export function idsLine(ids: RunIds): string {
  return `runbook: run ${ids.runId}, ${ids.ticket !== undefined ? `ticket ${ids.ticket}` : 'no ticket'}`;
}

/**
 * apply --plan: the plan's ticket stands. --ticket may repeat it, never change it: the
 * ticket is what the change was reviewed under.
 */
export function reviewedRunIds(option: string | undefined, planTicket: string | undefined, planFile: string): RunIds {
  if (option !== undefined) {
    checkedOption(option);
    if (option !== planTicket) {
      throw new UsageError(`--ticket ${option}: ${planFile} was reviewed under ${planTicket === undefined ? 'no ticket' : `ticket ${planTicket}`}; refusing to apply it under another. Make a new plan with --ticket ${option}, or leave --ticket out`);
    }
  }
  return { runId: newRunId(), ...(planTicket !== undefined ? { ticket: planTicket } : {}) };
}
