import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, planAgeCheck } from '../../../src/plan/age.ts';

const HOUR = 3_600_000;
const made = { createdAt: '2025-01-14T09:30:00.000Z' };
const after = (ms: number) => new Date(Date.parse(made.createdAt) + ms);

describe('planAgeCheck', () => {
  it('accepts a plan up to the age allowed', () => {
    assert.equal(planAgeCheck(made, after(2 * HOUR), 24 * HOUR), undefined);
    assert.equal(planAgeCheck(made, after(24 * HOUR), 24 * HOUR), undefined);
  });

  it('says how old a stale plan is, against the limit', () => {
    assert.equal(planAgeCheck(made, after(26 * HOUR), 24 * HOUR, 'plan.json'), 'plan.json was made 26 hours ago, more than the 24 hours allowed (--max-plan-age)');
    assert.equal(planAgeCheck(made, after(26 * HOUR), 24 * HOUR), 'the plan was made 26 hours ago, more than the 24 hours allowed (--max-plan-age)');
  });

  it('never tells an age past the limit in the same words as the limit', () => {
    assert.equal(planAgeCheck(made, after(24 * HOUR + 10 * 60_000), 24 * HOUR, 'plan.json'), 'plan.json was made 24 hours 10 minutes ago, more than the 24 hours allowed (--max-plan-age)');
  });

  it('refuses a plan dated in the future beyond clock skew', () => {
    assert.equal(planAgeCheck(made, after(-2 * 60_000), HOUR), undefined);
    assert.equal(
      planAgeCheck(made, after(-3 * HOUR), HOUR, 'plan.json'),
      'plan.json says it was made 3 hours from now (2025-01-14T09:30:00.000Z); check the clocks of both machines',
    );
  });

  it('refuses a plan without a readable time', () => {
    assert.equal(planAgeCheck({ createdAt: 'soon' }, after(0), HOUR, 'plan.json'), 'plan.json has no valid creation time (createdAt "soon")');
  });
});

describe('formatDuration', () => {
  it('uses the largest unit that reads as 2 or more, and the next when not zero', () => {
    assert.deepEqual(
      [45_000, 90_000, 120_000, 30 * 60_000, 2 * HOUR, 47 * HOUR + 59 * 60_000, 48 * HOUR, 7 * 24 * HOUR, 3 * 24 * HOUR + HOUR].map(formatDuration),
      ['45 seconds', '90 seconds', '2 minutes', '30 minutes', '2 hours', '47 hours 59 minutes', '2 days', '7 days', '3 days 1 hour'],
    );
  });
});
