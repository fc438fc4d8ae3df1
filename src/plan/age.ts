import type { PlanArtifact } from './artifact.ts';

/** Clocks of the planning and the applying machine may disagree by this much. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Why a plan is too old (or too new) to apply, in a sentence, or undefined when its age
 * is within maxAgeMs. A reviewed plan goes stale: the longer since it was made, the more
 * the devices may have moved on even where the fresh plan still matches it.
 * `file` names the plan in the sentence.
 */
export function planAgeCheck(plan: Pick<PlanArtifact, 'createdAt'>, now: Date, maxAgeMs: number, file = 'the plan'): string | undefined {
  const made = Date.parse(plan.createdAt);
  if (Number.isNaN(made)) return `${file} has no valid creation time (createdAt ${JSON.stringify(plan.createdAt)})`;
  const age = now.getTime() - made;
  if (age < -CLOCK_SKEW_MS) {
    // A date in the future would otherwise keep a plan fresh for ever.
    return `${file} says it was made ${formatDuration(-age)} from now (${plan.createdAt}); check the clocks of both machines`;
  }
  if (age <= maxAgeMs) return undefined;
  return `${file} was made ${formatDuration(age)} ago, more than the ${formatDuration(maxAgeMs)} allowed (--max-plan-age)`;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * "26 hours", "3 days 4 hours", "90 seconds": the largest unit that reads as a number
 * of at least 2, then the next one down when it is not zero, so that 24 hours 10 minutes
 * is not told as "24 hours", the same as the limit it exceeds.
 */
export function formatDuration(ms: number): string {
  const units: readonly [number, string][] = [
    [DAY, 'day'],
    [HOUR, 'hour'],
    [MINUTE, 'minute'],
    [SECOND, 'second'],
  ];
  const whole = Math.max(0, Math.floor(ms / SECOND)) * SECOND;
  const i = units.findIndex(([size]) => whole >= 2 * size);
  if (i === -1) return count(whole / SECOND, 'second');
  const [size, name] = units[i];
  const major = Math.floor(whole / size);
  const next = units[i + 1];
  const minor = next ? Math.floor((whole - major * size) / next[0]) : 0;
  return next && minor > 0 ? `${count(major, name)} ${count(minor, next[1])}` : count(major, name);
}

function count(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
