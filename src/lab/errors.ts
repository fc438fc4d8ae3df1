/**
 * A scenario the lab cannot build a device from: an unknown name, a bad override, or
 * numbers that do not add up. Names the scenario and the field so `lab serve` can say
 * which host definition to fix.
 */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(
    readonly scenario: string,
    readonly field: string | undefined,
    message: string,
  ) {
    super(`scenario '${scenario}'${field ? `, ${field}` : ''}: ${message}`);
  }
}
