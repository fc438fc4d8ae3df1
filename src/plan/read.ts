import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PLAN_FORMAT, type PlanArtifact } from './artifact.ts';
import { PlanFileError, type PlanIssue } from './errors.ts';
import { bindingHash } from './binding.ts';
import { planDigest } from './digest.ts';
import { parseJsonText } from './json-position.ts';
import { schemaIssues } from './schema-issues.ts';
import { planValidator } from './schema.ts';

/**
 * Reads a plan file as written, or throws PlanFileError saying what is wrong and where.
 * Nothing is filled in or repaired: apply compares against exactly what was reviewed.
 */
export async function readPlan(file: string): Promise<PlanArtifact> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new PlanFileError({ file, problem: 'unreadable', issues: [{ path: '', message: `cannot be read: ${readFailure(err)}` }] });
  }
  return parsePlan(text, file);
}

/** The checks of readPlan on text already in hand; `file` names it in errors. */
export function parsePlan(text: string, file: string): PlanArtifact {
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new PlanFileError({ file, problem: 'syntax', line: parsed.line, column: parsed.column, issues: [{ path: '', message: `is not valid JSON: ${parsed.reason}` }] });
  const data = parsed.data;

  const notPlan = notAPlan(data);
  if (notPlan) throw new PlanFileError({ file, problem: 'not-a-plan', issues: [{ path: '', message: notPlan }] });

  const validate = planValidator();
  if (!validate(data)) throw new PlanFileError({ file, problem: 'schema', issues: schemaIssues(validate.errors ?? [], data) });

  const plan = data as PlanArtifact;
  const inconsistent = inconsistencies(plan);
  if (inconsistent.length > 0) throw new PlanFileError({ file, problem: 'inconsistent', issues: inconsistent });
  return plan;
}

/** The format is checked first: a plan from another runbook version deserves that sentence, not a list of schema errors. */
function notAPlan(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return `is not a runbook plan: it holds ${Array.isArray(data) ? 'a list' : JSON.stringify(data)}, not an object`;
  }
  const format = (data as Record<string, unknown>).format;
  if (format === PLAN_FORMAT) return undefined;
  if (typeof format === 'string' && format.startsWith('runbook-plan/')) {
    return `is a plan in format "${format}"; this runbook reads "${PLAN_FORMAT}" only`;
  }
  return `is not a runbook plan: it has no "format": "${PLAN_FORMAT}"`;
}

/** What the schema cannot say: parts of the plan that must agree with each other. */
function inconsistencies(plan: PlanArtifact): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const sha256 = createHash('sha256').update(plan.playbook.text, 'utf8').digest('hex');
  if (sha256 !== plan.playbook.sha256) {
    // The reviewer read the text; the hash is what apply checks the playbook against.
    // The writer hashes the file's bytes, which are the text's UTF-8 when the file is valid UTF-8.
    issues.push({ path: 'playbook.sha256', message: `does not match playbook.text (whose sha256 is ${sha256}): the plan was edited after it was made, or the playbook is not valid UTF-8` });
  }
  const bound = bindingHash(plan.binding.inventoryHosts, plan.binding.connections);
  if (bound !== plan.binding.sha256) {
    issues.push({ path: 'binding.sha256', message: `does not match the hosts and connection targets the binding lists (whose sha256 is ${bound}): the plan was edited after it was made` });
  }
  const boundHosts = plan.binding.connections.map((c) => c.host);
  if (JSON.stringify(boundHosts) !== JSON.stringify(plan.targets)) {
    issues.push({ path: 'binding.connections', message: 'does not list the targets, in their order: the plan was edited after it was made' });
  }
  const digest = planDigest(plan);
  if (digest !== plan.digest) {
    // Checked last: any edit above also changes the digest, and its own sentence says more.
    issues.push({ path: 'digest', message: `does not match the plan's content (which hashes to ${digest}): the plan was edited after it was made` });
  }
  const targets = new Set(plan.targets);
  const seen = new Set<string>();
  for (const [i, h] of plan.hosts.entries()) {
    if (seen.has(h.host)) issues.push({ path: `hosts[${i}].host`, message: `names ${JSON.stringify(h.host)}, which has a plan already` });
    else if (!targets.has(h.host)) issues.push({ path: `hosts[${i}].host`, message: `names ${JSON.stringify(h.host)}, which is not among the targets` });
    seen.add(h.host);
  }
  return issues;
}

function readFailure(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
