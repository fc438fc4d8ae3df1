import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadPlaybook, parsePlaybook } from '../../../src/playbook/load.ts';
import { PlaybookError } from '../../../src/playbook/errors.ts';

const DIR = 'test/fixtures/playbooks';

async function problems(name: string): Promise<string[]> {
  try {
    await loadPlaybook(`${DIR}/${name}`);
  } catch (err) {
    assert.ok(err instanceof PlaybookError, `expected a PlaybookError, got ${String(err)}`);
    return err.format().split('\n');
  }
  assert.fail(`${name} loaded`);
}

/** Each fixture has one kind of mistake; the lines are exactly what `runbook validate` prints. */
const FIXTURES: Record<string, string[]> = {
  'yaml-syntax.yml': [
    `${DIR}/yaml-syntax.yml:5:3: YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }`,
    `${DIR}/yaml-syntax.yml:5:11: YAML syntax error: Nested mappings are not allowed in compact mappings`,
    `${DIR}/yaml-syntax.yml:5:11: YAML syntax error: Implicit keys need to be on a single line`,
  ],
  'unknown-key.yml': [
    `${DIR}/unknown-key.yml:5:5: steps[0].collect: missing required 'fields'`,
    `${DIR}/unknown-key.yml:8:7: steps[0].collect: unknown key 'feilds' (expected one of: table, rpc, args, item, fields)`,
  ],
  'missing-required.yml': [`${DIR}/missing-required.yml:5:5: steps[0].collect: missing required 'rpc'`],
  'unknown-table.yml': [
    `${DIR}/unknown-table.yml:6:14: steps[0].collect.table: unknown table 'ipsec-sa' (the named tables: flow-sessions, flow-session-summary, ike-sas, ipsec-sas, software)`,
    `${DIR}/unknown-table.yml:11:12: steps[1].collect.rpc: table 'flow-sessions' reads get-flow-session-information, not get-software-information`,
    `${DIR}/unknown-table.yml:12:7: steps[1].collect.item: give either table or item, not both: table 'flow-sessions' declares its item and fields`,
  ],
  'wrong-type.yml': [`${DIR}/wrong-type.yml:12:16: steps[0].log[0].level: must be an integer`],
  'two-kinds.yml': [`${DIR}/two-kinds.yml:3:5: steps[0]: a step needs exactly one of collect, analyze, plan, act (found: collect, plan)`],
  'bad-enum.yml': [`${DIR}/bad-enum.yml:15:36: steps[1].analyze.pipeline[0].sort.order: must be one of: asc, desc`],
  'unknown-register.yml': [
    `${DIR}/unknown-register.yml:12:23: steps[1].analyze.require: unknown name 'sessions': not vars, host, a register of an earlier step or a loop variable (known here: vars, host, ah)`,
  ],
  'unknown-var.yml': [`${DIR}/unknown-var.yml:14:33: steps[1].analyze.require: vars.min_session is not declared (declared vars: min_sessions)`],
  'later-register.yml': [
    `${DIR}/later-register.yml:5:18: steps[0].when: 'peers' is registered by a later step (step 2 'Count per peer'): a step can only read registers of steps before it`,
  ],
  'unknown-rpc-arg.yml': [
    `${DIR}/unknown-rpc-arg.yml:7:29: steps[0].collect.args.vpn-name: unknown argument 'vpn-name' for get-flow-session-information (known: session-identifier, protocol, source-prefix, destination-prefix, source-port, destination-port, application, interface, node, summary, brief, extensive)`,
  ],
  'bad-arg-value.yml': [`${DIR}/bad-arg-value.yml:8:16: steps[0].collect.args.index: index 'tunnel-7' is not an unsigned integer`],
  'step-order.yml': [`${DIR}/step-order.yml:17:5: steps[2].analyze: step 3 (analyze) comes after the plan (step 2): analyze steps must come before it`],
  'expr-syntax.yml': [
    `${DIR}/expr-syntax.yml:15:26: steps[1].analyze.pipeline[0].filter: expression 'peer = = '1.1.1.1'' is not a valid expression: the symbol "=" cannot be used as a unary operator`,
  ],
  'forbidden.yml': [
    `${DIR}/forbidden.yml:5:28: steps[0].when: defining functions is not allowed in expressions (in '$count($map([1], function($x) { $x })) > 0')`,
    `${DIR}/forbidden.yml:12:13: steps[0].log[0]: $eval is not allowed in expressions: it would run text that was never checked (in '$eval('1 + 1')')`,
    `${DIR}/forbidden.yml:13:23: steps[0].log[1]: '__proto__' is not allowed in expressions: it names JavaScript internals, not data (in 'ah.__proto__')`,
    `${DIR}/forbidden.yml:14:24: steps[0].log[2]: 'constructor' is not allowed in expressions: it names JavaScript internals, not data (in 'ah.records.constructor')`,
  ],
  'many-errors.yml': [
    `${DIR}/many-errors.yml:2:8: hosts: must be a string`,
    `${DIR}/many-errors.yml:5:15: steps[0].register: must be an identifier (letters, digits and _, not starting with a digit)`,
    `${DIR}/many-errors.yml:9:15: steps[0].collect.fields: must have at least 1 entry`,
    `${DIR}/many-errors.yml:10:5: steps[1]: a step needs exactly one of collect, analyze, plan, act (found: none)`,
    `${DIR}/many-errors.yml:11:5: steps[2]: missing required 'name'`,
    `${DIR}/many-errors.yml:14:11: steps[2].analyze.pipeline[0]: needs exactly one of filter, count_by, sort, limit, set, join (found: count_by, limit)`,
  ],
  'many-semantic.yml': [
    `${DIR}/many-semantic.yml:3:34: vars.top.default: the default 0 breaks the var's own rule: it must be at least 1`,
    `${DIR}/many-semantic.yml:9:25: steps[0].collect.args.protocol: protocol 'a h' is not a protocol name or number`,
    `${DIR}/many-semantic.yml:14:15: steps[1].register: register 'ah' is already used by step 1 'Collect AH sessions'`,
    `${DIR}/many-semantic.yml:21:15: steps[2].register: 'vars' is reserved and cannot be a register name (reserved: vars, host, item, before)`,
    `${DIR}/many-semantic.yml:25:21: steps[2].analyze.pipeline[0].count_by: unknown field 'peeer' (the records here have: peer)`,
    `${DIR}/many-semantic.yml:28:5: steps[3].act: step 4 (act) comes before any plan: an act step sends the plan, so a plan step must come first`,
    `${DIR}/many-semantic.yml:29:20: steps[3].act.verify[1]: verify names 'nobody', which no earlier step registers (collect registers: ah)`,
  ],
};

describe('broken playbooks: every problem, located, in a sentence', () => {
  for (const [name, expected] of Object.entries(FIXTURES)) {
    it(name, async () => {
      assert.deepStrictEqual(await problems(name), expected);
    });
  }

  it('the valid fixture loads', async () => {
    const p = await loadPlaybook(`${DIR}/valid-minimal.yml`);
    assert.deepStrictEqual(p.steps.map((s) => s.kind), ['collect', 'analyze', 'plan', 'act']);
    assert.deepStrictEqual(p.vars.map((v) => [v.name, v.type, v.default]), [['min_sessions', 'integer', 10], ['label', 'string', 'lab']]);
    assert.equal(p.hosts, 'all');
    const count = p.steps[1];
    assert.ok(count.kind === 'analyze' && count.mode === 'pipeline');
    const limit = count.pipeline[2];
    assert.ok(limit.op === 'limit');
    assert.equal(await limit.count.evaluate({}), 5);
    const act = p.steps[3];
    assert.ok(act.kind === 'act');
    assert.deepStrictEqual([act.onError, act.verify], ['continue', []]);
  });

  it('PlaybookError carries the issues as data, sorted by position', async () => {
    const err = await loadPlaybook(`${DIR}/many-semantic.yml`).catch((e: unknown) => e);
    assert.ok(err instanceof PlaybookError);
    assert.equal(err.name, 'PlaybookError');
    assert.deepStrictEqual(err.issues[1], {
      file: `${DIR}/many-semantic.yml`,
      line: 9,
      column: 25,
      path: 'steps[0].collect.args.protocol',
      message: "protocol 'a h' is not a protocol name or number",
    });
    assert.match(err.message, /^test\/fixtures\/playbooks\/many-semantic\.yml:3:34: vars\.top\.default: .* \(and 6 more\)$/);
  });

  it('a missing file is a PlaybookError too', async () => {
    await assert.rejects(loadPlaybook(`${DIR}/no-such.yml`), (err: unknown) => err instanceof PlaybookError && err.format() === `${DIR}/no-such.yml:1:1: cannot read the playbook: no such file`);
  });
});

/** parsePlaybook on inline text: the problems, formatted. */
function check(text: string): string[] {
  try {
    parsePlaybook(text, 'x.yml');
  } catch (err) {
    assert.ok(err instanceof PlaybookError, `expected a PlaybookError, got ${String(err)}`);
    return err.format().split('\n');
  }
  return [];
}

const collectAh = `
  - name: Collect
    register: ah
    collect:
      rpc: get-flow-session-information
      item: flow-session
      fields: { peer: source-address, spu: $spu }`;

describe('semantic checks (inline playbooks)', () => {
  it('an empty document is not a playbook', () => {
    assert.deepStrictEqual(check(''), ['x.yml:1:1: must be a mapping']);
    assert.deepStrictEqual(check('name: x\n'), ["x.yml:1:1: missing required 'steps'"]);
  });

  it('an expression written as a template says so', () => {
    assert.deepStrictEqual(check(`name: x\nsteps:${collectAh}\n    when: "{{ vars.go }}"\n`), [
      "x.yml:9:12: steps[0].when: '{{ vars.go }}' is written as a template: expressions (when, from, filter, for_each, ...) are written without {{ }}",
    ]);
  });

  it('a ticket that is not one short word is reported at its value', () => {
    assert.deepStrictEqual(check(`name: x\nticket: "CHG 1"\nsteps:${collectAh}\n`), [
      'x.yml:2:9: ticket: a ticket id is one word: a letter or digit, then letters, digits and . _ : / # + @ - (no spaces, quotes or control characters)',
    ]);
    assert.deepStrictEqual(check(`name: x\nticket: CHG-1\nsteps:${collectAh}\n`), []);
    assert.equal(parsePlaybook(`name: x\nticket: CHG-1\nsteps:${collectAh}\n`, 'x.yml').ticket, 'CHG-1');
  });

  it('duplicate keys are YAML errors', () => {
    assert.deepStrictEqual(check('name: x\nname: y\nsteps: []\n'), ['x.yml:2:1: YAML syntax error: Map keys must be unique']);
  });

  it('an expression in a block scalar is reported at its start', () => {
    const text = `name: x\nsteps:${collectAh}\n  - name: Check\n    analyze:\n      require: >-\n        ah.count >=\n        vars.nope\n      otherwise: none\n`;
    assert.deepStrictEqual(check(text), ['x.yml:11:16: steps[1].analyze.require: vars.nope is not declared (declared vars: none)']);
  });

  it('reads through $$ are checked for vars too', () => {
    assert.deepStrictEqual(check(`name: x\nsteps:${collectAh}\n    log: ["{{ ah.records[peer = $$.vars.who] }}"]\n`), [
      'x.yml:9:41: steps[0].log[0]: vars.who is not declared (declared vars: none)',
    ]);
  });

  it('members of registers and loop items are checked where their fields are known', () => {
    const text = `name: x
steps:${collectAh}
    log:
      - "{{ ah.cuont }}"
      - { each: ah.records, say: "{{ item.peer }} {{ item.spu }} {{ item.pear }}" }
  - name: Tag
    register: tagged
    analyze:
      from: ah.records
      pipeline:
        - set: { where: "spu & '/' & peer" }
        - filter: wher = 'x'
        - join: { with: ah.records, on: { peer: peer }, collect: sup, as: spus }
        - sort: { by: spus }
        - count_by: where
    log: ["{{ tagged.spus }}", "{{ tagged.count }}"]
`;
    assert.deepStrictEqual(check(text), [
      "x.yml:10:16: steps[0].log[0]: 'ah' has no field 'cuont' (it has: count, records, nodes)",
      "x.yml:11:74: steps[0].log[1].say: 'item' has no field 'pear' (it has: peer, spu)",
      'x.yml:18:19: steps[1].analyze.pipeline[1].filter: unknown name \'wher\': not vars, host, a register of an earlier step or a loop variable (known here: vars, host, ah; record fields: peer, spu, where)',
      "x.yml:19:66: steps[1].analyze.pipeline[2].join.collect: unknown field 'sup' (the joined records have: peer, spu)",
      "x.yml:22:22: steps[1].log[0]: 'tagged' has no field 'spus' (it has: where, count)",
    ]);
  });

  it('lets names through where the records cannot be told', () => {
    const text = `name: x
steps:${collectAh}
  - name: Odd
    register: odd
    analyze:
      from: ah.records[spu = 'x']
      pipeline:
        - filter: anything > 1
        - sort: { by: whatever }
    log: ["{{ odd.whatever }}"]
`;
    assert.deepStrictEqual(check(text), []);
  });

  it('a step reads its own register only in its log and syslog', () => {
    const text = `name: x
steps:
  - name: Collect
    register: ah
    when: ah.count > 0
    collect:
      rpc: get-flow-session-information
      item: flow-session
      fields: { peer: source-address }
    log: ["{{ ah.count }}"]
    syslog: "{{ ah.count }} sessions"
`;
    assert.deepStrictEqual(check(text), [
      "x.yml:5:11: steps[0].when: 'ah' is this step's own register: it is set when the step has run, so only the step's log and syslog (and an analyze pipeline's evidence) can read it",
    ]);
  });

  it("analyze evidence: a pipeline's reads its own rows, fields checked; a require's reads what the step reads; each located", () => {
    const text = `name: x
steps:${collectAh}
  - name: Count
    register: peers
    analyze:
      from: ah.records
      pipeline: [ { count_by: peer } ]
      evidence:
        most: $max(peers.count)
        typo: peers.cuont
  - name: Gate
    analyze:
      require: $count(peers) > 0
      otherwise: none
      evidence:
        peers: peers
        own: later
  - name: Later
    register: later
    analyze: { from: peers, pipeline: [ { limit: 1 } ] }
`;
    assert.deepStrictEqual(check(text), [
      "x.yml:16:21: steps[1].analyze.evidence.typo: 'peers' has no field 'cuont' (it has: peer, count)",
      "x.yml:23:14: steps[2].analyze.evidence.own: 'later' is registered by a later step (step 4 'Later'): a step can only read registers of steps before it",
    ]);
  });

  it('registers only what gives data; verify takes collect registers', () => {
    const text = `name: x
steps:${collectAh}
  - name: Check
    register: ok
    analyze: { require: ah.count > 0, otherwise: none }
  - name: Count
    register: peers
    analyze: { from: ah.records, pipeline: [ { count_by: peer } ] }
  - name: Plan
    plan: { actions: [ { rpc: clear-flow-session, args: { all: true, protocol: 51 } } ] }
  - name: Act
    register: done
    act: { verify: [ah, peers] }
`;
    assert.deepStrictEqual(check(text), [
      'x.yml:10:15: steps[1].register: an analyze step with require gives no data to register: only collect, analyze with from + pipeline, and plan steps do',
      'x.yml:18:15: steps[4].register: an act step gives no data to register: only collect, analyze with from + pipeline, and plan steps do',
      "x.yml:19:25: steps[4].act.verify[1]: verify names 'peers', registered by step 3 (analyze): verify runs collect steps again, so it takes collect registers only",
    ]);
  });

  it('knows the RPCs: unknown ones, flags, and state-changing RPCs in collect', () => {
    const text = `name: x
steps:
  - name: Clear in a collect
    collect: { rpc: clear-flow-session, args: { all: yes }, item: x, fields: { a: b } }
  - name: Typo
    collect: { rpc: get-flow-sesion-information, item: x, fields: { a: b } }
  - name: Plan
    plan:
      actions:
        - { rpc: clear-ipsec-security-association, args: { index: -4, node: node0 } }
`;
    assert.deepStrictEqual(check(text), [
      'x.yml:4:21: steps[0].collect.rpc: clear-flow-session changes device state: a collect step only reads, so state-changing RPCs belong in plan actions (which a dry run does not send)',
      'x.yml:4:54: steps[0].collect.args.all: all is a flag and takes no value',
      'x.yml:6:21: steps[1].collect.rpc: unknown RPC \'get-flow-sesion-information\' (known: get-flow-session-information, get-security-associations-information, get-ike-security-associations-information, get-software-information, clear-ike-security-association, clear-ipsec-security-association, clear-flow-session, clear-flow-session-all, clear-flow-session-by-session-identifier, get-configuration)',
      "x.yml:10:67: steps[2].plan.actions[0].args.index: index '-4' is not an unsigned integer",
    ]);
  });

  it('states the step order rule: one plan, one act after it', () => {
    const plan = '\n  - name: Plan\n    plan: { actions: [ { rpc: clear-flow-session, args: { protocol: ah } } ] }';
    const act = '\n  - name: Act\n    act:';
    assert.deepStrictEqual(check(`name: x\nsteps:${collectAh}${act}${plan}${act}${plan}${act}${collectAh}\n`), [
      'x.yml:10:5: steps[1].act: step 2 (act) comes before any plan: an act step sends the plan, so a plan step must come first',
      'x.yml:16:5: steps[4].plan: step 5 (plan) is a second plan: a playbook has at most one plan step (the first is step 3)',
      'x.yml:18:5: steps[5].act: step 6 (act) is a second act step: the plan is sent once, by one act step (step 4)',
      "x.yml:20:15: steps[6].register: register 'ah' is already used by step 1 'Collect'",
      'x.yml:21:5: steps[6].collect: step 7 (collect) comes after the plan (step 3): collect steps must come before it',
    ]);
  });

  it('checks var defaults against their own type and bounds', () => {
    const text = `name: x
vars:
  a: { type: integer, default: 2.5 }
  b: { type: string, default: 5 }
  c: { type: string, default: x, minimum: 3 }
  d: { type: integer, default: 7, enum: [1, 2, "three"] }
  e: { default: 5, override: { maximum: 4 } }
steps:
  - name: Act
    act:
`;
    assert.deepStrictEqual(check(text), [
      "x.yml:3:32: vars.a.default: the default 2.5 is not an integer, but 'a' is an integer var",
      "x.yml:4:31: vars.b.default: the default 5 is not a string (quote it), but 'b' is a string var",
      "x.yml:5:3: vars.c: bounds (minimum, maximum, exclusiveMinimum, exclusiveMaximum, override) only apply to integer and number vars, and 'c' is a string",
      "x.yml:6:48: vars.d.enum[2]: 'three' is not an integer, but 'd' is an integer var",
      'x.yml:6:32: vars.d.default: the default 7 breaks the var\'s own rule: it must be one of: 1, 2, three',
      'x.yml:10:5: steps[0].act: step 1 (act) comes before any plan: an act step sends the plan, so a plan step must come first',
    ].sort(byPosition));
  });

  it('loop names cannot hide vars or host; plan evidence sees no loop variable', () => {
    const text = `name: x
steps:${collectAh}
  - name: Plan
    plan:
      for_each: ah.records
      as: host
      actions: [ { rpc: clear-flow-session, args: { source-prefix: "{{ host.peer }}" } } ]
      evidence: { first: item.peer }
`;
    assert.deepStrictEqual(check(text), [
      "x.yml:12:11: steps[1].plan.as: 'host' cannot name a loop variable: it would hide host from the expressions inside the loop",
      "x.yml:14:26: steps[1].plan.evidence.first: unknown name 'item': not vars, host, a register of an earlier step or a loop variable (known here: vars, host, ah)",
    ]);
  });
});

function byPosition(a: string, b: string): number {
  const pos = (s: string) => s.split(':').slice(1, 3).map(Number);
  const [la, ca] = pos(a);
  const [lb, cb] = pos(b);
  return la - lb || ca - cb;
}
