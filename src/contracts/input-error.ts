import { FailureError } from './failure.ts';

/**
 * The user's input is wrong: a playbook, inventory, vars, plan file, expression or
 * command-line option. The CLI prints `format()` without a stack and exits 2; nothing
 * has been contacted.
 */
export abstract class InputError extends FailureError {
  readonly kind: 'input' | 'expression' = 'input';

  /** The located text for a person, one line per issue where there are several. */
  format(): string {
    return this.message;
  }
}
