import type { Step } from './types.ts';
import type { IssueSink } from './issues.ts';

type Kind = Step['kind'];

/**
 * The one order a playbook's steps may come in: collect and analyze steps (any mix),
 * then at most one plan step, then at most one act step. Analysis is pure and the plan is
 * one piece of data, so anything after the plan could only act on it.
 */
export function checkStepOrder(kinds: readonly Kind[], sink: IssueSink): void {
  let plan: number | undefined;
  let act: number | undefined;
  kinds.forEach((kind, i) => {
    const here = ['steps', i, kind];
    const label = `step ${i + 1} (${kind})`;
    switch (kind) {
      case 'collect':
      case 'analyze':
        if (plan !== undefined) sink.atKey(here, `${label} comes after the plan (step ${plan + 1}): ${kind} steps must come before it`);
        else if (act !== undefined) sink.atKey(here, `${label} comes after the act step (step ${act + 1}): ${kind} steps must come before the plan and act steps`);
        break;
      case 'plan':
        if (plan !== undefined) sink.atKey(here, `${label} is a second plan: a playbook has at most one plan step (the first is step ${plan + 1})`);
        else if (act !== undefined) sink.atKey(here, `${label} comes after the act step (step ${act + 1}): the plan must come before it`);
        else plan = i;
        break;
      case 'act':
        if (act !== undefined) sink.atKey(here, `${label} is a second act step: the plan is sent once, by one act step (step ${act + 1})`);
        else if (plan === undefined) sink.atKey(here, `${label} comes before any plan: an act step sends the plan, so a plan step must come first`);
        else act = i;
        break;
    }
  });
}
