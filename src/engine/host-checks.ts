import { failedChecksSentence } from '../checks/describe.ts';
import { runPostChecks, runPreChecks } from '../checks/run.ts';
import type { CheckRecord, CheckResult, SnapshotTables } from '../checks/types.ts';
import type { Check } from '../playbook/types.ts';
import { extend, truthy, type Scope } from '../steps/scope.ts';
import type { PostChecks } from '../steps/step-result.ts';

/**
 * The playbook's checks inside a host run. The tables are the collect registers: pre is
 * what the host held when it reached its act step, post what the act step's verify
 * re-collected. A check's `where` is evaluated over the pre-act scope, for pre and post
 * records alike, so "the peers not selected" means the same peers on both sides.
 */
export async function preChecks(checks: readonly Check[], scope: Scope, kept: WhereCache = new Map()): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const check of checks) out.push(...runPreChecks([check], await tablesFor(check, scope, scope, keptFor(kept, check))));
  return out;
}

/** The post checks as the act step's port: which tables to re-collect, and the checks over them. */
export function postChecksPort(checks: readonly Check[], scope: Scope, cache: WhereCache = new Map()): PostChecks | undefined {
  const reading = checks.filter((c) => !('on' in c) || c.on !== 'pre');
  if (reading.length === 0) return undefined;
  return {
    tables: [...new Set(reading.map((c) => c.table))],
    run: async (after) => {
      const results: CheckResult[] = [];
      for (const check of reading) {
        const kept = keptFor(cache, check);
        results.push(...runPostChecks([check], await tablesFor(check, scope, scope, kept), await tablesFor(check, after, scope, kept)));
      }
      const problem = failedChecksSentence(results);
      return { results, ...(problem !== undefined ? { problem } : {}) };
    },
  };
}

/**
 * What each check's `where` kept, by record: the pre and the post checks of one act step
 * read the same pre-act scope, so one cache serves both (the pre table is not filtered twice).
 */
export type WhereCache = Map<Check, Map<string, boolean>>;

function keptFor(cache: WhereCache, check: Check): Map<string, boolean> {
  let kept = cache.get(check);
  if (!kept) cache.set(check, (kept = new Map()));
  return kept;
}

/**
 * The check's table from `from`, only the records its `where` keeps (evaluated over
 * `scope`); absent when not collected. `where` reads only the record and the fixed scope,
 * so it is evaluated once per distinct record (`kept`): a 26000-session table of 750
 * peers costs 750 evaluations, not 26000.
 */
async function tablesFor(check: Check, from: Readonly<Record<string, unknown>>, scope: Scope, kept: Map<string, boolean>): Promise<SnapshotTables> {
  const table = from[check.table] as { records?: readonly CheckRecord[] } | undefined;
  if (!table || !Array.isArray(table.records)) return {};
  if (!check.where) return { [check.table]: table.records };
  const out: CheckRecord[] = [];
  for (const record of table.records) {
    const id = JSON.stringify(record);
    let keep = kept.get(id);
    if (keep === undefined) kept.set(id, (keep = truthy(await check.where.evaluate(extend(scope, record)))));
    if (keep) out.push(record);
  }
  return { [check.table]: out };
}
