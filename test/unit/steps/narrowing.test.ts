import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlaybookError } from '../../../src/playbook/errors.ts';
import { parsePlaybook } from '../../../src/playbook/load.ts';
import type { PlanStep } from '../../../src/playbook/types.ts';
import { renderArgs, UnnarrowedArgError } from '../../../src/steps/args.ts';
import { RpcBuildError } from '../../../src/junos/rpc.ts';
import { runPlan } from '../../../src/steps/plan.ts';

/** A playbook whose plan step is `actions`, written as YAML lines under `actions:`. */
function planStep(actions: string): PlanStep {
  const text = `name: x\nsteps:\n  - name: Targets\n    register: targets\n    analyze: { from: "[]", pipeline: [{ limit: 100 }] }\n  - name: Plan the clears\n    plan:\n      for_each: targets\n      actions:\n${actions}`;
  const step = parsePlaybook(text, 'x.yml').steps[1];
  assert.equal(step.kind, 'plan');
  return step;
}

function problems(text: string): string[] {
  try {
    parsePlaybook(text, 'x.yml');
  } catch (err) {
    assert.ok(err instanceof PlaybookError, String(err));
    return err.format().split('\n');
  }
  return [];
}

async function planError(step: PlanStep, scope: Record<string, unknown>): Promise<RpcBuildError> {
  try {
    await runPlan(step, scope);
  } catch (err) {
    assert.ok(err instanceof RpcBuildError, String(err));
    return err;
  }
  assert.fail('the plan was made');
}

const AH_ACTIONS = `        - rpc: clear-ike-security-association
          args: { peer-address: "{{ item.peer }}" }
        - for_each: item.indexes
          as: index
          rpc: clear-ipsec-security-association
          args: { index: "{{ index }}" }
`;

describe('plan: an argument that narrows a clear is never dropped', () => {
  it('null, empty, a list or an object for a narrowing argument fails, naming where, the step, the argument and the value', async () => {
    const step = planStep(AH_ACTIONS);
    for (const [bad, says] of [
      [null, 'rendered null'],
      ['', 'rendered an empty string ""'],
      ['  ', 'rendered an empty string "  "'],
      [['a'], 'rendered a list (["a"])'],
      [{ a: 1 }, 'rendered an object ({"a":1})'],
      [true, 'rendered boolean true'],
    ] as const) {
      const e = await planError(step, { targets: [{ peer: '2.0.0.146', indexes: [67108866, bad] }] });
      assert.ok(e instanceof UnnarrowedArgError);
      assert.equal(e.argument, 'index');
      assert.equal(e.message, `x.yml:15:27: step 'Plan the clears': clear-ipsec-security-association argument index ('{{ index }}') ${says}: it narrows a state-changing RPC, so it cannot be left out (without it the RPC clears every IPsec SA on the device)`);
    }
    const ike = await planError(step, { targets: [{ peer: null, indexes: [] }] });
    assert.match(ike.message, /x\.yml:11:\d+: step 'Plan the clears': clear-ike-security-association argument peer-address \('\{\{ item\.peer \}\}'\) rendered null: .*clears every IKE SA on the device/);
  });

  it('a value of the wrong kind fails the same way, located, naming the value', async () => {
    for (const [bad, says] of [
      ['abc', `rendered "abc", and 'abc' is not an unsigned integer`],
      [1.5, `rendered "1.5", and '1.5' is not an unsigned integer`],
      [-4, `rendered "-4", and '-4' is not an unsigned integer`],
    ] as const) {
      const e = await planError(planStep(AH_ACTIONS), { targets: [{ peer: '2.0.0.146', indexes: [bad] }] });
      assert.ok(e instanceof UnnarrowedArgError);
      assert.equal(e.argument, 'index');
      assert.match(e.message, new RegExp(`^x\\.yml:15:27: step 'Plan the clears': clear-ipsec-security-association argument index \\('\\{\\{ index \\}\\}'\\) ${says.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    }
    const peer = await planError(planStep(AH_ACTIONS), { targets: [{ peer: '2.0.0.999', indexes: [] }] });
    assert.match(peer.message, /peer-address \('\{\{ item\.peer \}\}'\) rendered "2\.0\.0\.999", and '2\.0\.0\.999' is not an IPv4 or IPv6 address/);
  });

  it('good values plan narrowed clears, with no wide mark', async () => {
    const p = await runPlan(planStep(AH_ACTIONS), { targets: [{ peer: '2.0.0.146', indexes: [67108866] }] });
    assert.deepEqual(
      p.actions.map((a) => [a.cli, a.wide]),
      [
        ['clear security ike security-associations 2.0.0.146', undefined],
        ['clear security ipsec security-associations index 67108866', undefined],
      ],
    );
  });

  it('false leaves an optional filter out; with every filter out the clear is refused, not sent wide', async () => {
    const step = planStep(`        - rpc: clear-flow-session
          args: { protocol: "{{ item.protocol ? item.protocol : false }}", destination-port: "{{ item.port ? item.port : false }}" }
`);
    const p = await runPlan(step, { targets: [{ protocol: 'udp', port: 0 }] });
    assert.deepEqual(p.actions.map((a) => a.cli), ['clear security flow session protocol udp']);
    const e = await planError(step, { targets: [{ protocol: '', port: 0 }] });
    assert.match(e.reason, /none of the arguments that narrow it .*clears every flow session on the device/);
  });

  it('all: true plans the wide form and marks it', async () => {
    const p = await runPlan(planStep('        - { rpc: clear-flow-session-all, all: true }\n'), { targets: [1] });
    assert.deepEqual(p.actions, [
      { rpc: 'clear-flow-session-all', args: {}, cli: 'clear security flow session all', changesState: true, wide: 'clears every flow session on the device except tunnel and resource-manager sessions' },
    ]);
  });

  it('renderArgs leaves other arguments as before: null, false and [] drop them', async () => {
    const step = planStep('        - { rpc: clear-flow-session, args: { protocol: ah, node: "{{ null }}" } }\n');
    const action = step.actions[0];
    assert.equal(action.kind, 'rpc');
    assert.deepEqual(await renderArgs(action.args, {}, { rpc: action.rpc, step: step.name }), { protocol: 'ah' });
  });
});

describe('validate: a clear with no narrowing argument needs all: true', () => {
  const playbook = (action: string) => `name: x\nsteps:\n  - name: Plan\n    plan:\n      actions:\n        - ${action}\n  - name: Act\n    act:\n`;

  it('refuses a clear written with none of its narrowing arguments, at the rpc', () => {
    assert.deepEqual(problems(playbook('{ rpc: clear-ipsec-security-association }')), [
      'x.yml:6:18: steps[0].plan.actions[0].rpc: clear-ipsec-security-association has none of the arguments that narrow it (index, vpn-name): sent like that it clears every IPsec SA on the device. Give a narrowing argument, or state the wide form with all: true',
    ]);
    assert.match(problems(playbook('{ rpc: clear-ike-security-association, args: { node: node0, peer-address: false } }'))[0], /clear-ike-security-association has none of the arguments that narrow it \(peer-address, index\)/);
    assert.deepEqual(problems(playbook('{ rpc: clear-flow-session-all }')), [
      'x.yml:6:18: steps[0].plan.actions[0].rpc: clear-flow-session-all clears every flow session on the device except tunnel and resource-manager sessions. Give a narrowing argument, or state the wide form with all: true',
    ]);
  });

  it('refuses all: true with a narrowing argument, or on an RPC that has no wide form', () => {
    assert.match(problems(playbook('{ rpc: clear-flow-session, args: { protocol: ah }, all: true }'))[0], /x\.yml:6:\d+: .*all: true states the wide form of clear-flow-session .*it cannot go with protocol, which narrow it/);
    assert.match(problems(playbook('{ rpc: get-software-information, all: true }'))[0], /all: true states the wide form of a clear; get-software-information has none \(it only reads\)/);
    assert.match(problems(playbook('{ config: ["set a b"], all: true }')).join('\n'), /all/);
  });

  it('accepts narrowed clears, templated ones, and the stated wide form', () => {
    assert.deepEqual(problems(playbook('{ rpc: clear-ipsec-security-association, args: { index: "{{ 5 }}" } }')), []);
    assert.deepEqual(problems(playbook('{ rpc: clear-flow-session-all, all: true }')), []);
    assert.deepEqual(problems(playbook('{ rpc: clear-flow-session, args: { all: true }, all: true }')), []);
  });
});
