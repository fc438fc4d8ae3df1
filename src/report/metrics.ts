import { basename, extname } from 'node:path';
import { Gauge, Registry } from 'prom-client';
import type { StreamedRun } from '../contracts/results.ts';
import { STATUSES, viewOfRun, type FleetView } from './fleet-view.ts';

/**
 * The run as Prometheus metrics, in the text format node_exporter's textfile collector
 * reads: gauges of the last run, labelled by playbook (the file's base name, so two
 * scheduled playbooks writing two files never collide), in base units (seconds, ratios).
 * prom-client's registry writes the HELP and TYPE lines and escapes label values.
 */
export async function runMetrics(run: StreamedRun, exitCode: number, view: FleetView = viewOfRun(run)): Promise<string> {
  const registry = new Registry();
  const playbook = basename(run.playbook.file, extname(run.playbook.file));
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Gauge<L | 'playbook'>({ name, help, labelNames: ['playbook', ...labelNames], registers: [registry] });
  const startedMs = Date.parse(run.startedAt);
  const finishedMs = Date.parse(run.finishedAt);

  gauge('runbook_run_start_timestamp_seconds', 'When the last run started, in seconds since the epoch.', []).set({ playbook }, startedMs / 1000);
  gauge('runbook_run_end_timestamp_seconds', 'When the last run ended, in seconds since the epoch.', []).set({ playbook }, finishedMs / 1000);
  gauge('runbook_run_duration_seconds', 'How long the last run took.', []).set({ playbook }, (finishedMs - startedMs) / 1000);
  gauge('runbook_run_exit_code', "The last run's exit code (0 success, 3 a host failed, 4 unreachable, 6 stopped, 130 interrupted).", []).set({ playbook }, exitCode);
  gauge('runbook_run_dry_run', '1 when the last run sent nothing that changes state.', []).set({ playbook }, run.dryRun ? 1 : 0);
  const hosts = gauge('runbook_run_hosts', 'Hosts of the last run by how they ended (not-run: never started).', ['status']);
  for (const status of STATUSES) hosts.set({ playbook, status }, view.statuses[status]);
  const sum = (f: (h: (typeof view.hosts)[number]) => number) => view.hosts.reduce((n, h) => n + f(h), 0);
  gauge('runbook_run_statements_planned', 'Statements the last run planned, over all hosts.', []).set({ playbook }, sum((h) => h.statementsPlanned));
  gauge('runbook_run_statements_sent', 'Statements the last run sent and the device accepted, over all hosts.', []).set({ playbook }, sum((h) => h.statementsSent));

  const hostStatus = gauge('runbook_host_status', "1 for the status each host ended the last run with.", ['host', 'status']);
  const planned = gauge('runbook_host_statements_planned', 'Statements planned for the host in the last run.', ['host']);
  const sent = gauge('runbook_host_statements_sent', 'Statements sent to the host and accepted in the last run.', ['host']);
  const ah = gauge('runbook_host_ah_sessions', 'AH sessions in the flow table of the host (over all SPUs and nodes).', ['host']);
  const peers = gauge('runbook_host_peers_selected', 'Peers selected for clearing on the host (top peers above min_peer_sessions).', ['host']);
  const use = gauge('runbook_host_session_table_use_ratio', 'Share of the SPU session table in use, 0 to 1.', ['host', 'spu']);
  const active = gauge('runbook_host_session_table_sessions', 'Sessions in the SPU session table.', ['host', 'spu']);
  const max = gauge('runbook_host_session_table_max_sessions', 'Size of the SPU session table.', ['host', 'spu']);
  for (const h of view.hosts) {
    const host = h.host;
    hostStatus.set({ playbook, host, status: h.status }, 1);
    planned.set({ playbook, host }, h.statementsPlanned);
    sent.set({ playbook, host }, h.statementsSent);
    if (h.figures.ahSessions !== undefined) ah.set({ playbook, host }, h.figures.ahSessions);
    // Peers selected is a figure only where the playbook selects peers.
    if ('top_peers' in h.evidence) peers.set({ playbook, host }, h.figures.peers.length);
    for (const s of h.figures.spus) {
      if (s.max > 0) use.set({ playbook, host, spu: s.label }, s.active / s.max);
      active.set({ playbook, host, spu: s.label }, s.active);
      max.set({ playbook, host, spu: s.label }, s.max);
    }
  }
  return registry.metrics();
}
