import { parseTablePath, type TableSpec } from '../../src/junos/table.ts';

/**
 * The table `playbooks/ah-cleanup.yml` collects (register `ah`): one record per
 * `<flow-session>` with the peer, its In wing's source address. Built here rather than
 * by loading the playbook so that the measuring children do not carry the playbook
 * loader's modules in their RSS; test/unit/bench checks it matches the playbook.
 */
export const AH_TABLE: TableSpec = {
  item: 'flow-session',
  fields: [{ name: 'peer', kind: 'path', path: steps("flow-information[direction='In']/source-address"), type: 'address', required: true }],
};

/** The RPC the collect sends, as the playbook writes it. */
export const AH_RPC = { name: 'get-flow-session-information', args: { protocol: 'ah' } } as const;

function steps(source: string) {
  const parsed = parseTablePath(source);
  if ('error' in parsed) throw new Error(`bad table path ${source}: ${parsed.error}`);
  return parsed.steps;
}
