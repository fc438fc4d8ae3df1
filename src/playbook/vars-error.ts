import { InputError } from '../contracts/input-error.ts';

/** One var value that cannot be used: which var, where the value came from, and the rule it breaks. */
export interface VarProblem {
  /** The var's name; undefined when the -e argument itself could not be read. */
  readonly variable: string | undefined;
  /** Where the value was given: "-e min_peer_sessions=40", "-e @vars.yml: top_peers=0", "inventory/lab.yml:7: ...". */
  readonly source: string;
  readonly rule: string;
}

/** Vars from -e or the inventory that cannot be used; every problem found. */
export class VarsError extends InputError {
  override readonly name = 'VarsError';

  constructor(readonly problems: readonly VarProblem[]) {
    super(problems.map(line).join('; ') || 'bad vars');
  }

  /** The first problem's var, source and rule, for callers that handle one. */
  get variable(): string | undefined {
    return this.problems[0]?.variable;
  }

  get source(): string {
    return this.problems[0]?.source ?? '';
  }

  get rule(): string {
    return this.problems[0]?.rule ?? '';
  }

  /** One "source: rule" line per problem. */
  override format(): string {
    return this.problems.map(line).join('\n');
  }
}

function line(p: VarProblem): string {
  return `${p.source}: ${p.rule}`;
}
